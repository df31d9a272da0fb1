import type { BucketName } from '../../shared/domain';
import type { PlanState } from '../../shared/engine';
import type { Queryable } from '../store';

/**
 * Usage counters: the fast path's copy of a plan's current period, one row per bucket
 * (spendable = carried in + allocation + overage added, used, period end, clock). The engine's
 * state (plan_states) stays the truth of everything else; the fast path only adds to `used` and
 * moves the clock forward while the guard holds, and whoever next writes the state under the
 * plan's lock (the engine path, an edit, a delete) first folds the counters back into it and
 * afterwards seeds them again from the new state.
 *
 * Every event charged by the fast path between two seeds carries ord = the seed's generation:
 * they all fitted, in one period, without overage, so the engine replays them in decision-instant
 * order to the same result (usage/state.ts). Folding a block of such events takes that ord, so
 * the next operation on the plan gets the next one.
 */
export const OPEN_PERIOD_END_MS = 8_640_000_000_000_000;

interface CounterRow {
  [key: string]: unknown;
  plan_id: string;
  bucket: BucketName;
  used: unknown;
  clock_ms: unknown;
  fast_events: number;
}

/**
 * Lock the counters of plans whose state rows the caller has locked, and fold what the fast path
 * charged into the states. Returns the plans that had fast events (their ops move on by one).
 */
export async function foldCounters(tx: Queryable, states: ReadonlyMap<string, PlanState>): Promise<Set<string>> {
  const folded = new Set<string>();
  if (states.size === 0) return folded;
  const rows = await tx.query<CounterRow>(
    `SELECT plan_id, bucket, used, clock_ms, fast_events FROM usage_counters
      WHERE plan_id = ANY($1::text[]) ORDER BY plan_id, bucket FOR UPDATE`,
    [[...states.keys()].sort()],
  );
  for (const row of rows.rows) {
    if (Number(row.fast_events) === 0) continue;
    const state = states.get(row.plan_id)!;
    const bucket = state.buckets[row.bucket];
    if (bucket) bucket.used = Number(row.used);
    state.clockMs = Math.max(state.clockMs, Number(row.clock_ms));
    folded.add(row.plan_id);
  }
  return folded;
}

/** Replace the counters of these plans by their states' current period (none when not active). */
export async function seedCounters(tx: Queryable, plans: readonly { planId: string; state: PlanState; generation: number }[]): Promise<void> {
  if (plans.length === 0) return;
  const rows: { plan_id: string; bucket: string; generation: number; period_end_ms: number; spendable: number; used: number; clock_ms: number }[] = [];
  for (const { planId, state, generation } of plans) {
    // A plan that was given add-on credits has no counters: the order of spending (plan credits,
    // top-ups, then overage; SPEC §9.2) and their expiry are the engine's, so each of its groups
    // goes the engine path (the fast path's guard finds no counter row and refuses).
    if (state.period === null || state.deletedAtMs !== null || state.hadTopUps === true) continue;
    for (const [bucket, b] of Object.entries(state.buckets)) {
      if (!b) continue;
      rows.push({
        plan_id: planId,
        bucket,
        generation,
        period_end_ms: state.period.endMs ?? OPEN_PERIOD_END_MS,
        spendable: b.carriedIn + b.allocation + b.overageAdded,
        used: b.used,
        clock_ms: state.clockMs,
      });
    }
  }
  await tx.query('DELETE FROM usage_counters WHERE plan_id = ANY($1::text[])', [plans.map((p) => p.planId)]);
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO usage_counters (plan_id, bucket, generation, period_end_ms, spendable, used, clock_ms, fast_events, environment_id)
     SELECT x.plan_id, x.bucket, x.generation, x.period_end_ms, x.spendable, x.used, x.clock_ms, 0, p.environment_id
       FROM json_to_recordset($1::json) AS x(plan_id text, bucket text, generation integer, period_end_ms bigint,
            spendable bigint, used bigint, clock_ms bigint)
       JOIN plans p ON p.id = x.plan_id`,
    [JSON.stringify(rows)],
  );
}

/** The counters folded into a state read without locks (bucket states at an instant, pulls). */
export function overlayCounters(state: PlanState, counters: readonly { bucket: string; used: unknown; clock_ms: unknown; fast_events: unknown }[] | null): PlanState {
  for (const row of counters ?? []) {
    if (Number(row.fast_events) === 0) continue;
    const bucket = state.buckets[row.bucket as BucketName];
    if (bucket) bucket.used = Number(row.used);
    state.clockMs = Math.max(state.clockMs, Number(row.clock_ms));
  }
  return state;
}
