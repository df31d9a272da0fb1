import type { PlanConfig } from '../../shared/domain';
import { attributeEvent } from '../../shared/engine';
import type { UsageDecisionRecord } from '../../shared/sync';
import { sqlState, type Database } from '../store';
import type { AuthorizeOptions, UsageEventInput } from './authorize';
import { readCoverage, type SpaceCoverage } from './coverage';

/**
 * The fast path of usage authorization: a whole group of requests decided in ONE statement (one
 * round trip, its own transaction, one commit) when nothing in it needs the engine:
 *
 * - the spaces' plans are what this instance remembers (checked in the statement: the live plans
 *   and versions of each space, and its environment), and each event counts against the plan and
 *   bucket the engine's rule gives from them (`attributeEvent`), as on the engine path;
 * - each charged bucket has a counter row for its current period (usage/counters.ts; none for a
 *   deleted plan or a bucket the plan no longer has, so a late event across such a change goes
 *   the engine's way, where the same rule names the same bucket), all the group's counter rows
 *   are locked in (plan, bucket) order, and the guarded update `used + n ≤ spendable`,
 *   `last decision instant < period end` holds for every one;
 * - no id of the group was stored before, none repeats in it, none is dated in the future.
 *
 * Then every event is accepted and charged exactly as the engine would (all fit without
 * overage, inside one period), events are inserted (ON CONFLICT DO NOTHING RETURNING), and one
 * slot aggregate per space, plan, channel and slot is written. Otherwise the statement raises
 * (usage_fast_path_refused), rolls back whole, and the caller sends the group the engine's way:
 * the rules of docs/credit-rules.md keep their one implementation, and the answers are the same.
 */
export const FAST_PATH_REFUSED = 'CP001';

/** Why a group went the engine's way (counted for the benchmark and the logs). */
export type FastOutcome = { decisions: UsageDecisionRecord[] } | { refused: 'shape' | 'guard' | 'race' };

const SLOT_MS = 15 * 60_000;

function usesPolicies(config: PlanConfig): boolean {
  return (
    config.overageMetered === true ||
    config.costs !== undefined ||
    config.dailyLimit !== undefined ||
    config.price !== undefined ||
    config.minimumCharge !== undefined ||
    config.overageRate !== undefined
  );
}

const FAST_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[])
    WITH ORDINALITY AS x(environment_id, id, space_id, channel, direction, credits, occurred_ms, plan_id, bucket, n)
), coverage AS (
  SELECT s.expected,
         coalesce((SELECT environment_id FROM spaces WHERE id = s.space_id), '') || '|' ||
         coalesce((SELECT string_agg(p.id || ':' || p.version, ',' ORDER BY p.id) FROM plans p
                    WHERE p.space_id = s.space_id AND p.deleted_ms IS NULL), '') AS actual
    FROM unnest($10::text[], $11::text[]) AS s(space_id, expected)
), locked AS (
  SELECT plan_id, bucket, generation, period_end_ms, spendable, used, clock_ms FROM usage_counters
   WHERE plan_id = ANY($12::text[]) ORDER BY plan_id, bucket FOR UPDATE
), clocks AS (
  SELECT plan_id, max(clock_ms) AS clock_ms, min(generation) AS generation FROM locked GROUP BY plan_id
), decided AS (
  SELECT i.*, c.generation,
         CASE WHEN i.plan_id IS NULL THEN i.occurred_ms
              ELSE greatest(c.clock_ms, max(i.occurred_ms) OVER (PARTITION BY i.plan_id ORDER BY i.n ROWS UNBOUNDED PRECEDING)) END
           AS decided_ms,
         CASE WHEN i.plan_id IS NOT NULL AND i.direction = 'MT' THEN i.credits ELSE 0 END AS consumed
    FROM input i LEFT JOIN clocks c ON c.plan_id = i.plan_id
), need AS (
  SELECT plan_id, bucket, sum(consumed) AS credits, count(*) AS events FROM decided WHERE plan_id IS NOT NULL GROUP BY plan_id, bucket
), plan_last AS (
  SELECT plan_id, max(decided_ms) AS last_ms FROM decided WHERE plan_id IS NOT NULL GROUP BY plan_id
), charged AS (
  UPDATE usage_counters c
     SET used = c.used + need.credits, fast_events = c.fast_events + need.events, clock_ms = greatest(c.clock_ms, pl.last_ms)
    FROM need JOIN plan_last pl ON pl.plan_id = need.plan_id
   WHERE c.plan_id = need.plan_id AND c.bucket = need.bucket
     AND c.used + need.credits <= c.spendable AND pl.last_ms < c.period_end_ms
  RETURNING 1
), new_events AS (
  INSERT INTO usage_events (environment_id, id, space_id, channel, direction, credits, occurred_ms, received_ms, plan_id, accepted,
                            reason, bucket, consumed, overage_triggered, decided_ms, ord)
  SELECT environment_id, id, space_id, channel, direction, credits, occurred_ms, $13::bigint, plan_id, true,
         NULL, bucket, consumed, false, decided_ms, generation
    FROM decided ORDER BY environment_id, id
  ON CONFLICT (environment_id, id) DO NOTHING
  RETURNING 1
), new_slots AS (
  INSERT INTO usage_slots (space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events,
                           rejected_events, rejected_credits)
  SELECT space_id, coalesce(plan_id, ''), channel, occurred_ms - occurred_ms % ${SLOT_MS}, min(environment_id),
         sum(CASE WHEN direction = 'MT' THEN credits ELSE 0 END), count(*) FILTER (WHERE direction = 'MT'),
         count(*) FILTER (WHERE direction = 'MO'), 0, 0
    FROM decided GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (space_id, plan_key, channel, slot_ms) DO UPDATE SET
    mt_credits = usage_slots.mt_credits + excluded.mt_credits,
    mt_events = usage_slots.mt_events + excluded.mt_events,
    mo_events = usage_slots.mo_events + excluded.mo_events
  RETURNING 1
)
SELECT CASE WHEN (SELECT count(*) FROM new_events) = $14::integer
             AND (SELECT count(*) FROM charged) = (SELECT count(*) FROM need)
             AND (SELECT count(*) FROM new_slots) >= 0
             AND NOT EXISTS (SELECT 1 FROM coverage WHERE expected <> actual)
        THEN true ELSE usage_fast_path_refused() END AS ok`;

const signatureOf = (space: SpaceCoverage) => `${space.environmentId}|${space.signature}`;

export class UsageFastPath {
  /** Spaces and their live plans as last read; a stale entry only sends a group the slow way. */
  private readonly spaces = new Map<string, SpaceCoverage>();
  readonly counts = { fast: 0, shape: 0, guard: 0, race: 0 };

  constructor(private readonly db: Database) {}

  async decide(events: readonly UsageEventInput[], options: AuthorizeOptions): Promise<FastOutcome> {
    const missing = [...new Set(events.map((e) => e.spaceId))].filter((id) => !this.spaces.has(id));
    if (missing.length > 0) {
      const read = await readCoverage(this.db, missing);
      for (const id of missing) {
        // A space the service does not know: not limited, environment '' — until it is pushed
        // (the statement checks the environment, so that moment sends the group the slow way).
        this.spaces.set(id, read.get(id) ?? { environmentId: '', plans: [], signature: '' });
      }
      if (this.spaces.size > 100_000) this.spaces.clear();
    }

    const n = events.length;
    const environmentIds = new Array<string>(n);
    const ids = new Array<string>(n);
    const spaceIds = new Array<string>(n);
    const channels = new Array<string>(n);
    const directions = new Array<string>(n);
    const credits = new Array<number>(n);
    const occurred = new Array<number>(n);
    const planIds = new Array<string | null>(n);
    const buckets = new Array<string | null>(n);
    const seen = new Set<string>();
    const plans = new Set<string>();
    const latestMs = options.nowMs + options.maxClockSkewMs;
    const decisions = new Array<UsageDecisionRecord>(n);
    for (let i = 0; i < n; i += 1) {
      const e = events[i]!;
      const space = this.spaces.get(e.spaceId)!;
      const key = `${space.environmentId}\u0000${e.id}`;
      // Repeats and future events have their own answers: the engine path gives them.
      if (seen.has(key) || e.occurredMs > latestMs) {
        this.counts.shape += 1;
        return { refused: 'shape' };
      }
      seen.add(key);
      const attribution = attributeEvent(space.plans, { channel: e.channel, atMs: e.occurredMs });
      // The counters know allocation and overage only: a plan with any SPEC §9 part (rate card,
      // daily limit, metered overage, price) is decided by the engine, which has those rules.
      if (attribution && space.plans.find((p) => p.id === attribution.planId)?.versions.some((v) => usesPolicies(v.config))) {
        this.counts.shape += 1;
        return { refused: 'shape' };
      }
      environmentIds[i] = space.environmentId;
      ids[i] = e.id;
      spaceIds[i] = e.spaceId;
      channels[i] = e.channel;
      directions[i] = e.direction;
      credits[i] = e.credits;
      occurred[i] = e.occurredMs;
      planIds[i] = attribution?.planId ?? null;
      buckets[i] = attribution?.bucket ?? null;
      if (attribution) plans.add(attribution.planId);
      decisions[i] = {
        id: e.id,
        accepted: true,
        planId: attribution?.planId ?? null,
        bucket: attribution?.bucket ?? null,
        consumed: attribution && e.direction === 'MT' ? e.credits : 0,
        overageTriggered: false,
        duplicate: false,
      };
    }
    const groupSpaces = [...new Set(spaceIds)];
    try {
      await this.db.query(FAST_SQL, [
        environmentIds,
        ids,
        spaceIds,
        channels,
        directions,
        credits,
        occurred,
        planIds,
        buckets,
        groupSpaces,
        groupSpaces.map((id) => signatureOf(this.spaces.get(id)!)),
        [...plans].sort(),
        options.nowMs,
        n,
      ], 'usage_fast_path');
    } catch (error) {
      const code = sqlState(error);
      if (code === FAST_PATH_REFUSED) {
        // Something moved (a plan, a period, a bucket running low, an id seen before): the
        // engine decides, and the spaces are read again for the next group.
        for (const id of groupSpaces) this.spaces.delete(id);
        this.counts.guard += 1;
        return { refused: 'guard' };
      }
      // Lost a race (deadlock, a concurrent insert) or a value the database refuses: the engine
      // path has the retries and the clear errors.
      this.counts.race += 1;
      return { refused: 'race' };
    }
    this.counts.fast += 1;
    return { decisions };
  }
}
