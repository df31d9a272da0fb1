import { CHANNELS, overageOf, type Money, type PlanConfig } from '../domain';

/** One field of a plan that an edit changed, with the values before and after. */
export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

function creditsByBucket(config: PlanConfig): Record<string, number> {
  if (config.limit === 'all_channels') return { ALL: config.credits };
  const out: Record<string, number> = {};
  for (const channel of CHANNELS) {
    const value = config.credits[channel];
    if (value !== undefined) out[channel] = value;
  }
  return out;
}

/**
 * What changed between two versions of a plan, field by field, in a fixed order. Credits are
 * compared per bucket (`credits.SMS`, `credits.ALL`), so "500 → 600 on SMS" reads as such; a
 * bucket that appears or disappears has `null` on the missing side.
 */
export function diffPlanConfigs(before: PlanConfig, after: PlanConfig): FieldChange[] {
  const changes: FieldChange[] = [];
  if (before.limit !== after.limit) changes.push({ field: 'limit', old: before.limit, new: after.limit });
  const a = creditsByBucket(before);
  const b = creditsByBucket(after);
  const buckets = ['ALL', ...CHANNELS].filter((name) => name in a || name in b);
  for (const name of buckets) {
    const oldValue = a[name] ?? null;
    const newValue = b[name] ?? null;
    if (oldValue !== newValue) changes.push({ field: `credits.${name}`, old: oldValue, new: newValue });
  }
  if (before.renew !== after.renew) changes.push({ field: 'renew', old: before.renew, new: after.renew });
  if (before.rollover !== after.rollover) changes.push({ field: 'rollover', old: before.rollover, new: after.rollover });
  const overageBefore = overageOf(before);
  const overageAfter = overageOf(after);
  if (overageBefore !== overageAfter) changes.push({ field: 'overage', old: overageBefore, new: overageAfter });
  if (before.activation.date !== after.activation.date) {
    changes.push({ field: 'activation.date', old: before.activation.date, new: after.activation.date });
  }
  if (before.activation.timeZone !== after.activation.timeZone) {
    changes.push({ field: 'activation.timeZone', old: before.activation.timeZone, new: after.activation.timeZone });
  }
  diffPolicies(before, after, changes);
  return changes;
}

function perChannel(value: number | Partial<Record<string, number>> | undefined): Record<string, number> {
  if (value === undefined || typeof value === 'number') return {};
  const out: Record<string, number> = {};
  for (const channel of CHANNELS) {
    const n = value[channel];
    if (n !== undefined) out[channel] = n;
  }
  return out;
}

function sameMoney(a: Money | undefined, b: Money | undefined): boolean {
  return a?.amount === b?.amount && a?.currency === b?.currency;
}

/**
 * SPEC §9's parts, only where a version has them (a plan without them diffs as before): rates
 * and per-channel limits per channel (`costs.WhatsApp`, `dailyLimit.SMS`), a pool's limit as
 * `dailyLimit`, money whole (`price`: { amount, currency }).
 */
function diffPolicies(before: PlanConfig, after: PlanConfig, changes: FieldChange[]): void {
  for (const part of ['costs', 'dailyLimit'] as const) {
    const a = before[part];
    const b = after[part];
    const poolA = typeof a === 'number' ? a : null;
    const poolB = typeof b === 'number' ? b : null;
    if (poolA !== poolB) changes.push({ field: part, old: poolA, new: poolB });
    const x = perChannel(a);
    const y = perChannel(b);
    for (const channel of CHANNELS) {
      const oldValue = x[channel] ?? null;
      const newValue = y[channel] ?? null;
      if (oldValue !== newValue) changes.push({ field: `${part}.${channel}`, old: oldValue, new: newValue });
    }
  }
  for (const part of ['price', 'minimumCharge', 'overageRate'] as const) {
    if (!sameMoney(before[part], after[part])) changes.push({ field: part, old: before[part] ?? null, new: after[part] ?? null });
  }
}
