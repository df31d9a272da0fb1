import { CHANNELS, type PlanConfig } from '../domain';

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
  if (before.overage !== after.overage) changes.push({ field: 'overage', old: before.overage, new: after.overage });
  if (before.activation.date !== after.activation.date) {
    changes.push({ field: 'activation.date', old: before.activation.date, new: after.activation.date });
  }
  if (before.activation.timeZone !== after.activation.timeZone) {
    changes.push({ field: 'activation.timeZone', old: before.activation.timeZone, new: after.activation.timeZone });
  }
  return changes;
}
