import { bucketLabel, isMoney, LIMIT_LABELS, moneyLabel, overageLabel, POOL, RENEW_LABELS, type Channel, type PlanConfig, type Renew } from '../../shared/domain';

/** How plan terms read in e-mails, exports and messages. */

export function renewLabel(renew: Renew | null): string {
  return renew === null ? 'No renewal' : RENEW_LABELS[renew];
}

export function formatCredits(n: number): string {
  return n.toLocaleString('en-US');
}

export function limitLabel(config: PlanConfig): string {
  return LIMIT_LABELS[config.limit];
}

/** "All Channels: 10,000" or "SMS: 500; WhatsApp: 300". */
export function creditsLabel(config: PlanConfig): string {
  if (config.limit === 'all_channels') return `${bucketLabel(POOL)}: ${formatCredits(config.credits)}`;
  return (Object.entries(config.credits) as [Channel, number][]).map(([ch, n]) => `${ch}: ${formatCredits(n)}`).join('; ');
}

export function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

/** A field change's value as a person reads it. */
export function describeValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return field === 'renew' ? 'No renewal' : '—';
  if (field === 'renew') return renewLabel(value as Renew);
  if (field === 'limit') return LIMIT_LABELS[value as PlanConfig['limit']] ?? String(value);
  if (isMoney(value)) return moneyLabel(value);
  if (value === 'metered') return overageLabel('metered');
  if (typeof value === 'boolean') return yesNo(value);
  if (typeof value === 'number') return formatCredits(value);
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${typeof v === 'number' ? formatCredits(v) : String(v)}`)
      .join('; ');
  }
  return String(value);
}
