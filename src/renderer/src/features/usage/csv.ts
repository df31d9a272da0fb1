import type { UsageReport, UsageShare } from '../../../../shared/api/usage-report';

/** CSV (RFC 4180) of exactly what a Usage screen's tables show. */

function field(value: string | number): string {
  const text = String(value);
  // Quote what needs it; a leading = + - @ is prefixed so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function lines(rows: (string | number)[][]): string {
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

export function shareLabel(share: UsageShare, noun: { one: string; many: string }): string {
  if (share.kind === 'others') return `Others (${share.count} ${share.count === 1 ? noun.one : noun.many})`;
  if (share.kind === 'none') return `No ${noun.one}`;
  return share.name ?? '';
}

/** Credits over time: one row per day / week / month, a column per channel, total and MO. */
export function overTimeCsv(report: UsageReport): string {
  const head = [`${report.groupBy === 'day' ? 'Day' : report.groupBy === 'week' ? 'Week starting' : 'Month starting'} (${report.timeZone})`, ...report.channels, 'Total credits used', 'MO messages (free)'];
  const body = report.series.map((point) => [point.start, ...report.channels.map((channel) => point.byChannel[channel] ?? 0), point.total, point.mo]);
  const total = ['Total', ...report.byChannel.map((c) => c.used), report.total.used, report.total.mo];
  return lines([head, ...body, total]);
}

/** Credits by identity or by campaign: the top rows, others, and events without one. */
export function sharesCsv(shares: UsageShare[], noun: { one: string; many: string; title: string }): string {
  const head = [noun.title, 'Credits used', 'MO messages (free)', 'Rejected credits'];
  return lines([head, ...shares.map((s) => [shareLabel(s, noun), s.used, s.mo, s.rejected])]);
}

export function csvFileName(report: UsageReport, part: string): string {
  const last = new Date(Date.parse(`${report.toDateExclusive}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return `usage-${report.scope.id}-${part}-${report.fromDate}-to-${last}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
}
