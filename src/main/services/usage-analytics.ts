import { Temporal } from 'temporal-polyfill';
import { CHANNELS, type Channel } from '../../shared/domain';
import type { UsageReport, UsageReportInput, UsageShare } from '../../shared/api/usage-report';
import { DIM, labelNames, spaceLabelTotals, spaceUsageWindows, type KeyedUsage, type UsageCell } from '../accounts';
import { ApiFailure } from '../../shared/api';
import { getEnvironment, getSpace, iso, listPlans, listSpaces, notFound, type Ledger, type SpaceRow } from '../ledger';
import { LocalMidnights } from './local-days';
import { centralSpaceChannelCorrections, centralSpaceLabelCorrections, type NamedUsage } from '../sync';

/**
 * The Usage screen's reports: a space's or an environment's usage over a calendar range, in
 * one zone, from the per-space aggregates (every event of the space, whatever plan it counted
 * against, traffic no plan covers included). Where a pull brought the central service's usage,
 * its count of a 15-minute slot (per channel, identity or campaign) replaces the local one
 * (sync/central-space-usage.ts), as in plan details.
 *
 * The zone: the one the scope's live plans use; where they differ, the one most of them use
 * (ties: the earliest plan's), and the report says so and lists them all; without live plans,
 * the deleted plans' the same way; without any plan, UTC. Weeks start on Monday (ISO); a
 * custom range includes its last day (as in plan details).
 */
export class UsageAnalyticsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
  ) {}

  report(input: UsageReportInput): UsageReport {
    const { ledger } = this;
    const scope = this.scope(input.scope);
    const zones = scopeZones(ledger, scope.spaces);
    const timeZone = input.timeZone === undefined ? (zones.zones[0] ?? 'UTC') : checkedZone(input.timeZone);
    const { from, toExclusive } = rangeDates(input.range, timeZone, Temporal.Instant.fromEpochMilliseconds(this.clock()), input.custom);
    const dayCount = from.until(toExclusive).days;
    if (dayCount > 3 * 366 + 1) throw new ApiFailure('validation', 'A usage range may span at most three years; choose a shorter one.');
    // Dates as days since 1970-01-01 (a year of Temporal dates costs tens of ms with the polyfill).
    const firstDay = epochDay(from);
    const dates: string[] = [];
    const boundaries: number[] = [];
    for (let d = firstDay; d <= firstDay + dayCount; d += 1) {
      dates.push(new Date(d * 86_400_000).toISOString().slice(0, 10));
      boundaries.push(localMidnight(timeZone, d));
    }

    // Per local day and channel, summed over the scope's spaces; per identity / campaign over the range.
    const daily: KeyedUsage[] = dates.slice(1).map(() => new Map());
    const identities: NamedUsage = new Map();
    const campaigns: NamedUsage = new Map();
    const range = [boundaries[0]!, boundaries[boundaries.length - 1]!];
    for (const space of scope.spaces) {
      const ref = spaceRef(ledger, space.id);
      if (ref === null) continue;
      spaceUsageWindows(ledger, ref, DIM.channel, boundaries).forEach((window, i) => mergeInto(daily[i]!, window));
      centralSpaceChannelCorrections(ledger, space.id, ref, boundaries).forEach((window, i) => mergeInto(daily[i]!, window));
      const planRefs = listPlans(ledger, space.id, true).map((p) => p.ref);
      for (const [dim, target] of [[DIM.identity, identities], [DIM.campaign, campaigns]] as const) {
        const local = spaceLabelTotals(ledger, ref, planRefs, dim, range[0]!, range[1]!);
        const names = labelNames(ledger, local.keys());
        for (const [key, cell] of local) mergeInto(target, new Map([[names.get(key) ?? `#${key}`, cell]]));
        mergeInto(target, centralSpaceLabelCorrections(ledger, space.id, ref, planRefs, dim, range[0]!, range[1]!));
      }
    }

    const channelSet = new Set<Channel>(scope.spaces.flatMap((s) => s.channels.map((c) => c.channel)));
    const byChannelCells = new Map<number, Amounts>();
    const series: UsageReport['series'] = [];
    let bucketStart = -1;
    daily.forEach((day, i) => {
      const date = dates[i]!;
      if (bucketStart < 0 || startsBucket(firstDay + i, input.groupBy)) {
        bucketStart = i;
        series.push({ start: date, byChannel: {}, total: 0, mo: 0 });
      }
      const point = series[series.length - 1]!;
      for (const [index, cell] of day) {
        const channel = CHANNELS[index]!;
        channelSet.add(channel);
        const used = cell.mt - cell.rejected;
        if (used !== 0) point.byChannel[channel] = (point.byChannel[channel] ?? 0) + used;
        point.total += used;
        point.mo += cell.mo;
        addAmounts(byChannelCells, index, cell);
      }
    });
    const channels = CHANNELS.filter((c) => channelSet.has(c));
    const byChannel = channels.map((channel) => ({ channel, ...(byChannelCells.get(CHANNELS.indexOf(channel)) ?? { used: 0, mo: 0, rejected: 0 }) }));
    const total = byChannel.reduce((sum, c) => ({ used: sum.used + c.used, mo: sum.mo + c.mo, rejected: sum.rejected + c.rejected }), { used: 0, mo: 0, rejected: 0 });
    const top = input.top ?? 10;
    return {
      scope: scope.view,
      timeZone,
      zoneSource: input.timeZone !== undefined ? 'chosen' : zones.zones.length === 0 ? 'no_plan' : zones.zones.length > 1 ? 'plans_differ' : 'plans',
      planZones: zones.zones,
      groupBy: input.groupBy,
      fromDate: from.toString(),
      toDateExclusive: toExclusive.toString(),
      from: iso(range[0]!),
      to: iso(range[1]!),
      channels,
      total,
      byChannel,
      series,
      daily: daily.map((day, i) => {
        let sum = 0;
        for (const cell of day.values()) sum += cell.mt - cell.rejected;
        return { date: dates[i]!, total: sum };
      }),
      byIdentity: shares(identities, total, top),
      byCampaign: shares(campaigns, total, top),
    };
  }

  private scope(scope: UsageReportInput['scope']): { spaces: SpaceRow[]; view: UsageReport['scope'] } {
    if (scope.kind === 'space') {
      const space = getSpace(this.ledger, scope.spaceId);
      if (!space) throw notFound('space', scope.spaceId);
      return { spaces: [space], view: { kind: 'space', id: space.id, name: space.name } };
    }
    const env = getEnvironment(this.ledger, scope.environmentId);
    if (!env) throw notFound('environment', scope.environmentId);
    return { spaces: listSpaces(this.ledger, env.id), view: { kind: 'environment', id: env.id, name: env.name } };
  }
}

interface Amounts {
  used: number;
  mo: number;
  rejected: number;
}

function addAmounts(target: Map<number, Amounts>, key: number, cell: { mt: number; mo: number; rejected: number }): void {
  const a = target.get(key);
  if (a === undefined) target.set(key, { used: cell.mt - cell.rejected, mo: cell.mo, rejected: cell.rejected });
  else {
    a.used += cell.mt - cell.rejected;
    a.mo += cell.mo;
    a.rejected += cell.rejected;
  }
}

function mergeInto<K>(target: Map<K, UsageCell>, source: ReadonlyMap<K, UsageCell>): void {
  for (const [key, cell] of source) {
    const t = target.get(key);
    if (t === undefined) target.set(key, { ...cell });
    else {
      t.mt += cell.mt;
      t.mo += cell.mo;
      t.rejected += cell.rejected;
    }
  }
}

function spaceRef(ledger: Ledger, spaceId: string): number | null {
  return (ledger.stmt('SELECT ref FROM space_refs WHERE space_id = ?').pluck().get(spaceId) as number | undefined) ?? null;
}

/** The zones of the spaces' live plans (else of their deleted plans), most used first, ties by the earliest plan. */
function scopeZones(ledger: Ledger, spaces: readonly SpaceRow[]): { zones: string[] } {
  const plans = spaces.flatMap((s) => listPlans(ledger, s.id, true));
  const live = plans.filter((p) => p.deletedAt === null);
  const chosen = (live.length > 0 ? live : plans).sort((a, b) => a.createdAt - b.createdAt || a.ref - b.ref);
  const counts = new Map<string, { n: number; first: number }>();
  chosen.forEach((p, i) => {
    const zone = p.config.activation.timeZone;
    const c = counts.get(zone);
    if (c) c.n += 1;
    else counts.set(zone, { n: 1, first: i });
  });
  return { zones: [...counts].sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first).map(([zone]) => zone) };
}

function checkedZone(zone: string): string {
  try {
    return Temporal.Now.zonedDateTimeISO(zone).timeZoneId;
  } catch {
    throw new ApiFailure('validation', `${zone} is not a time zone (an IANA name such as Europe/Madrid).`, { issues: [{ path: 'timeZone', message: 'is not an IANA time zone' }] });
  }
}

/**
 * Local midnights already asked for, per zone and day: the time-zone library takes milliseconds
 * to find a zone's transitions (~8 ms for Asia/Kathmandu on this machine), and a year's report
 * asks for 366 of them. Zone rules do not change while the console runs; the cache is bounded.
 */
const MIDNIGHTS = new Map<string, { finder: LocalMidnights; days: Map<number, number> }>();
function localMidnight(zone: string, day: number): number {
  let cache = MIDNIGHTS.get(zone);
  if (cache === undefined || cache.days.size > 50_000) MIDNIGHTS.set(zone, (cache = { finder: new LocalMidnights(zone), days: new Map() }));
  let ms = cache.days.get(day);
  if (ms === undefined) cache.days.set(day, (ms = cache.finder.ofEpochDay(day)));
  return ms;
}

function epochDay(date: Temporal.PlainDate): number {
  return Date.UTC(date.year, date.month - 1, date.day) / 86_400_000;
}

/** Whether a day (since 1970-01-01, a Thursday) starts a week (Monday, ISO) or a month. */
function startsBucket(day: number, groupBy: UsageReportInput['groupBy']): boolean {
  if (groupBy === 'day') return true;
  if (groupBy === 'week') return (((day + 3) % 7) + 7) % 7 === 0;
  return new Date(day * 86_400_000).getUTCDate() === 1;
}

/** The local dates a range names: [from, toExclusive). */
export function rangeDates(
  range: UsageReportInput['range'],
  timeZone: string,
  now: Temporal.Instant,
  custom?: { from: string; to: string },
): { from: Temporal.PlainDate; toExclusive: Temporal.PlainDate } {
  const today = now.toZonedDateTimeISO(timeZone).toPlainDate();
  const monday = today.subtract({ days: today.dayOfWeek - 1 });
  const firstOfMonth = today.with({ day: 1 });
  switch (range) {
    case 'today':
      return { from: today, toExclusive: today.add({ days: 1 }) };
    case 'yesterday':
      return { from: today.subtract({ days: 1 }), toExclusive: today };
    case 'this_week':
      return { from: monday, toExclusive: monday.add({ weeks: 1 }) };
    case 'last_week':
      return { from: monday.subtract({ weeks: 1 }), toExclusive: monday };
    case 'this_month':
      return { from: firstOfMonth, toExclusive: firstOfMonth.add({ months: 1 }) };
    case 'last_month':
      return { from: firstOfMonth.subtract({ months: 1 }), toExclusive: firstOfMonth };
    case 'this_year': {
      const first = today.with({ month: 1, day: 1 });
      return { from: first, toExclusive: first.add({ years: 1 }) };
    }
    case 'custom': {
      if (!custom) throw new ApiFailure('validation', 'A custom range needs its first and last day.', { issues: [{ path: 'custom', message: 'is required for a custom range' }] });
      let from: Temporal.PlainDate;
      let to: Temporal.PlainDate;
      try {
        from = Temporal.PlainDate.from(custom.from, { overflow: 'reject' });
        to = Temporal.PlainDate.from(custom.to, { overflow: 'reject' });
      } catch {
        throw new ApiFailure('validation', `${custom.from} – ${custom.to} is not a range of calendar dates.`, { issues: [{ path: 'custom', message: 'is not a calendar date' }] });
      }
      if (Temporal.PlainDate.compare(from, to) > 0) {
        throw new ApiFailure('validation', 'The range’s first day comes after its last day.', { issues: [{ path: 'custom.to', message: 'must not be before the first day' }] });
      }
      return { from, toExclusive: to.add({ days: 1 }) };
    }
  }
}

/** Top `top` by credits used (then MO, then name), the rest as "others", events without one as "none". */
function shares(usage: NamedUsage, total: Amounts, top: number): UsageShare[] {
  const rows = [...usage]
    .map(([name, cell]) => ({ name, used: cell.mt - cell.rejected, mo: cell.mo, rejected: cell.rejected }))
    .filter((r) => r.used !== 0 || r.mo !== 0 || r.rejected !== 0)
    .sort((a, b) => b.used - a.used || b.mo - a.mo || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const result: UsageShare[] = rows.slice(0, top).map((r) => ({ ...r, kind: 'named', count: 1 }));
  const rest = rows.slice(top);
  if (rest.length > 0) {
    result.push({
      name: null,
      kind: 'others',
      count: rest.length,
      used: rest.reduce((s, r) => s + r.used, 0),
      mo: rest.reduce((s, r) => s + r.mo, 0),
      rejected: rest.reduce((s, r) => s + r.rejected, 0),
    });
  }
  const labelled = rows.reduce((s, r) => ({ used: s.used + r.used, mo: s.mo + r.mo, rejected: s.rejected + r.rejected }), { used: 0, mo: 0, rejected: 0 });
  const none = { used: total.used - labelled.used, mo: total.mo - labelled.mo, rejected: total.rejected - labelled.rejected };
  if (none.used !== 0 || none.mo !== 0 || none.rejected !== 0) result.push({ name: null, kind: 'none', count: 0, ...none });
  return result;
}
