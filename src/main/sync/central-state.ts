import { Temporal } from 'temporal-polyfill';
import { bucketNames, type BucketName, type Channel, type PlanConfig } from '../../shared/domain';
import { planStateRecordSchema, type PlanStateRecord } from '../../shared/sync';
import { type Ledger, SLOT_MS } from '../ledger';

/**
 * The bucket state at the top of plan details for a plan the central service counts.
 *
 * A pull keeps the central service's latest bucket state of each plan (`central_plan_states`:
 * the SPEC §8 view at the instant of that pull, `at`). Plan details show it instead of the local
 * engine's when **it is for the plan's current version and the instant asked for lies in its
 * period, at or after `at`** (asked for "now", `at` may also lie a little after the console's
 * clock: another machine's clock). Otherwise — no pull yet, a local edit not yet accepted, a
 * period that has ended since (its roll over and a new period are the central service's to
 * decide), an earlier instant — the local engine's state stays, as before.
 *
 * What local usage adds follows the usage table's rule (central-usage.ts): per (plan, channel,
 * 15-minute slot), a slot the central service reported is its count, any other slot is the
 * local one. So a central state adds the local accepted credits of the slots in its period that
 * the central service has not reported (up to the instant asked for): `used` grows by them and
 * `remaining` shrinks by them (not below 0, as the engine's never does). An event counted
 * centrally is never added again; the bucket's used credits equal the usage table's total over
 * the period. The remaining credits are then an estimate: the central service has not decided
 * those local events.
 *
 * A plan with a daily limit or metered overage (SPEC §9.4, §9.5) shows the central figures too:
 * the period's metered credits and their charge as reported, and the daily credits of the local
 * day of `at` — 0 on a later day, which the central service had seen no usage of at that pull.
 */

export interface CentralStatePlan {
  ref: number;
  id: string;
  spaceId: string;
  version: number;
  config: PlanConfig;
}

export interface CentralBuckets {
  at: number;
  version: number;
  period: { index: number; startMs: number; endMs: number | null };
  buckets: {
    bucket: BucketName;
    allocated: number;
    used: number;
    remaining: number;
    carriedIn: number;
    overage: { added: number; at: string | null };
    /** Add-on credits (SPEC §9.7), once the plan was given any. */
    topUps?: { available: number; used: number; remaining: number };
    localUnreported: number;
    daily?: { limit: number | null; used: number };
    metered?: { credits: number; at: string | null; charge: { amount: string; currency: string } };
  }[];
}

/** How far the central service's `at` may lie after the console's "now" (clock skew). */
export const CENTRAL_CLOCK_SKEW_MS = 5 * 60_000;

/** Local accepted credits per channel in slots [fromSlot, toSlot) the central service has not reported. */
const LOCAL_UNREPORTED = `
  SELECT u.channel, SUM(u.mt_credits - u.rejected_credits) AS used
    FROM usage_slots u
   WHERE u.plan_ref = ? AND u.slot >= ? AND u.slot < ?
     AND NOT EXISTS (SELECT 1 FROM central_usage_slots c
                      WHERE c.space_id = ? AND c.plan_key = ? AND c.channel = u.channel AND c.slot_ms = u.slot * ${SLOT_MS})
   GROUP BY u.channel`;

function storedState(ledger: Ledger, planId: string): PlanStateRecord | null {
  const row = ledger.stmt('SELECT state FROM central_plan_states WHERE plan_id = ?').get(planId) as { state: string } | undefined;
  if (row === undefined) return null;
  // Written by the pull from a checked record; checked again as it is read back (an edge).
  const parsed = planStateRecordSchema.safeParse(JSON.parse(row.state));
  return parsed.success ? parsed.data : null;
}

/**
 * The central service's buckets of `plan` at `atMs` with the local usage it has not counted, or
 * null where the local engine's state applies (see above). `now`: the caller asked for "now".
 */
export function centralBucketsAt(ledger: Ledger, plan: CentralStatePlan, atMs: number, now: boolean): CentralBuckets | null {
  const state = storedState(ledger, plan.id);
  if (state === null || state.version !== plan.version || state.deleted === true || state.period === null) return null;
  // Credits given here and not yet accepted are not in the central state: the local engine's holds them.
  if (ledger.stmt("SELECT 1 FROM outbox WHERE plan_ref = ? AND version IS NULL AND status IN ('pending', 'sent') LIMIT 1").get(plan.ref) !== undefined) return null;
  const at = Date.parse(state.at);
  const startMs = Date.parse(state.period.start);
  const endMs = state.period.end === null ? null : Date.parse(state.period.end);
  if (atMs < (now ? at - CENTRAL_CLOCK_SKEW_MS : at)) return null;
  if (endMs !== null && atMs >= endMs) return null;

  // Slots of the period that start before the instant asked for (period starts are local
  // midnights, on 15-minute marks).
  const rows = ledger
    .stmt(LOCAL_UNREPORTED)
    .raw(true)
    .all(plan.ref, Math.ceil(startMs / SLOT_MS), Math.ceil(atMs / SLOT_MS), plan.spaceId, plan.id) as [Channel, number][];
  const local = new Map(rows);
  const names = bucketNames(plan.config);
  const zone = plan.config.activation.timeZone;
  const localDay = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate().toString();
  const sameDay = localDay(atMs) === localDay(at);
  const buckets: CentralBuckets['buckets'] = [];
  for (const name of names) {
    const b = state.buckets[name];
    if (b === undefined) continue;
    const extra = name === 'ALL' ? rows.reduce((sum, [, used]) => sum + used, 0) : (local.get(name) ?? 0);
    // Local usage spends as the engine would: the plan's credits first, then add-on credits.
    const fromTopUps = b.topUps === undefined ? 0 : Math.min(b.topUps.remaining, Math.max(0, extra - b.remaining));
    buckets.push({
      bucket: name,
      allocated: b.allocated,
      used: b.used + extra - fromTopUps,
      remaining: Math.max(0, b.remaining - extra),
      carriedIn: b.carriedIn,
      // A metered plan's reported overage is dated by its first metered credits: that date goes with `metered`.
      overage: { added: b.overage.added, at: b.overage.metered !== undefined && b.overage.added === 0 ? null : b.overage.at },
      ...(b.topUps !== undefined ? { topUps: { available: b.topUps.available, used: b.topUps.used + fromTopUps, remaining: b.topUps.remaining - fromTopUps } } : {}),
      localUnreported: extra,
      ...(b.daily && { daily: { limit: b.daily.limit, used: sameDay ? b.daily.used : 0 } }),
      ...(b.overage.metered !== undefined && b.overage.charge !== undefined && { metered: { credits: b.overage.metered, at: b.overage.at, charge: b.overage.charge } }),
    });
  }
  return { at, version: state.version, period: { index: state.period.index, startMs, endMs }, buckets };
}
