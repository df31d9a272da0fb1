import type { BucketName, Channel, Direction, PlanConfig } from '../../shared/domain';
import { applyDelete, applyEdit, createPlanState, describeExplanation, explainUsage, recordUsage, type PlanState, type UsageExplanation } from '../../shared/engine';
import type { CentralUsageExplanation } from '../../shared/sync';
import { decodePlanState, encodePlanState, type Queryable } from '../store';
import { applyCredit, compareReplayOps, readCreditOps, type ReplayOp } from './state';

/**
 * Why the central service charged or refused one stored event (the console's event explorer
 * asks it for events it only knows as 15-minute totals). The service keeps no explanation: it
 * replays the event's plan through the engine up to that event — its versions and its decided
 * events in the order they were applied (`ord`, see usage/state.ts) — and lets `explainUsage`
 * decide the event once more on the state it found. The engine is deterministic, so this is the
 * decision that was taken, and the explanation says what paid it. (Events the fast path charged
 * between two seeds share an ord and replay in decision-instant order, as bucket states at an
 * instant do: they all fitted in one period without overage, so each is paid by the same kind of
 * credits; the balances before and after are those of that order.)
 *
 * Cost: one primary-key read for the event and one for the plan's latest checkpoint before it,
 * then the plan's versions and decided events after that checkpoint up to the event, read a
 * window of ords at a time (range reads on `usage_events_by_plan`), one engine step each. A
 * replay keeps a checkpoint (the encoded state, `plan_checkpoints`) every CHECKPOINT_EVERY
 * events, so an event of a plan explained before costs at most about CHECKPOINT_EVERY + one
 * window of events (plus the events the fast path charged under one ord, which are replayed
 * together); the first explanation in a busy plan's history pays for the history up to the event
 * once, with one window in memory at a time. Nothing is locked; only checkpoints are written.
 */
interface EventRow {
  [key: string]: unknown;
  id: string;
  environment_id: string;
  space_id: string;
  channel: Channel;
  direction: Direction;
  credits: unknown;
  occurred_ms: unknown;
  decided_ms: unknown;
  plan_id: string | null;
  accepted: boolean;
  reason: string | null;
  bucket: BucketName | null;
  consumed: unknown;
  overage_triggered: boolean;
  ord: number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The explanation of event `eventId` of environment `environmentId`, or null when the service never stored it. */
export async function explainStoredEvent(db: Queryable, environmentId: string, eventId: string, options: ReplayOptions = {}): Promise<CentralUsageExplanation | null> {
  const found = await db.query<EventRow>(
    `SELECT id, environment_id, space_id, channel, direction, credits, occurred_ms, decided_ms, plan_id, accepted, reason, bucket,
            consumed, overage_triggered, ord
       FROM usage_events WHERE environment_id = $1 AND id = $2`,
    [environmentId, eventId],
  );
  const row = found.rows[0];
  if (!row) return null;
  const answer: CentralUsageExplanation = {
    event: {
      id: row.id,
      environmentId: row.environment_id,
      spaceId: row.space_id,
      channel: row.channel,
      direction: row.direction,
      credits: Number(row.credits),
      occurredAt: iso(Number(row.occurred_ms)),
      decidedAt: iso(Number(row.decided_ms)),
    },
    decision: {
      accepted: row.accepted,
      reason: row.reason,
      bucket: row.bucket,
      consumed: Number(row.consumed),
      overageTriggered: row.overage_triggered,
    },
    plan: null,
    explain: null,
  };
  // Traffic no plan covered was counted against none: there is nothing to replay.
  if (row.plan_id === null || row.ord === null) return answer;
  const replayed = await replayTo(db, row.plan_id, Number(row.ord), row.id, options);
  return {
    ...answer,
    plan: { id: row.plan_id, version: replayed.version, timeZone: replayed.config.activation.timeZone, deleted: replayed.explanation.deleted === true },
    explain: describeExplanation(replayed.explanation),
  };
}

/** Ords read per query while replaying: each window is one range read on `usage_events_by_plan`. */
const ORD_WINDOW = 2_000;
/** A checkpoint is kept once this many events were replayed since the last one. */
const CHECKPOINT_EVERY = 10_000;

export interface ReplayOptions {
  ordWindow?: number;
  checkpointEvery?: number;
}

async function replayTo(
  db: Queryable,
  planId: string,
  targetOrd: number,
  eventId: string,
  { ordWindow = ORD_WINDOW, checkpointEvery = CHECKPOINT_EVERY }: ReplayOptions,
): Promise<{ explanation: UsageExplanation; version: number; config: PlanConfig }> {
  // Everything at or below an ord older than the event's is settled: a checkpoint there is true.
  const checkpoint = (
    await db.query<{ ord: number; version: number; state: string }>(
      'SELECT ord, version, state::text AS state FROM plan_checkpoints WHERE plan_id = $1 AND ord < $2 ORDER BY ord DESC LIMIT 1',
      [planId, targetOrd],
    )
  ).rows[0];
  let lo = checkpoint ? Number(checkpoint.ord) : -1;
  const versions = (
    await db.query<{ version: number; action: string; config: PlanConfig; effective_ms: unknown; ord: number }>(
      'SELECT version, action, config, effective_ms, ord FROM plan_versions WHERE plan_id = $1 AND ord > $2 AND ord <= $3 ORDER BY ord',
      [planId, lo, targetOrd],
    )
  ).rows.map((v): ReplayOp => ({ ord: Number(v.ord), ms: Number(v.effective_ms), kind: 'version', version: Number(v.version), action: v.action, config: v.config }));
  // Add-on credits take their place among the versions (they are few, like versions).
  versions.push(...(await readCreditOps(db, planId, lo, targetOrd)));
  versions.sort(compareReplayOps);
  let state: PlanState;
  let version: number;
  if (checkpoint) {
    state = decodePlanState(checkpoint.state);
    version = Number(checkpoint.version);
  } else {
    const first = versions.shift();
    if (!first || first.kind !== 'version') throw new Error(`plan ${planId} has no first version`);
    state = createPlanState(first.config);
    version = first.version;
  }
  const kept: { plan_id: string; ord: number; version: number; state: string }[] = [];
  let sinceCheckpoint = 0;
  try {
    while (lo < targetOrd) {
      const hi = Math.min(lo + ordWindow, targetOrd);
      const usage = await db.query<{ id: string; channel: Channel; direction: Direction; credits: unknown; decided_ms: unknown; ord: number }>(
        `SELECT id, channel, direction, credits, decided_ms, ord FROM usage_events
          WHERE plan_id = $1 AND ord > $2 AND ord <= $3 ORDER BY ord`,
        [planId, lo, hi],
      );
      const ops: ReplayOp[] = [
        ...versions.filter((v) => v.ord > lo && v.ord <= hi),
        ...usage.rows.map((u): ReplayOp => ({ ord: Number(u.ord), ms: Number(u.decided_ms), kind: 'usage', id: u.id, channel: u.channel, direction: u.direction, credits: Number(u.credits) })),
      ].sort(compareReplayOps);
      for (const op of ops) {
        if (op.kind === 'credit') {
          applyCredit(state, op);
          continue;
        }
        if (op.kind === 'version') {
          if (op.action === 'deleted') applyDelete(state, op.ms);
          else applyEdit(state, op.config, op.ms);
          version = op.version;
          continue;
        }
        const usageInput = { id: op.id, channel: op.channel, direction: op.direction, credits: op.credits };
        if (op.id === eventId) return { explanation: explainUsage(state, usageInput, op.ms), version, config: state.config };
        recordUsage(state, usageInput, op.ms);
        sinceCheckpoint += 1;
      }
      lo = hi;
      if (sinceCheckpoint >= checkpointEvery && hi < targetOrd) {
        kept.push({ plan_id: planId, ord: hi, version, state: encodePlanState(state) });
        sinceCheckpoint = 0;
      }
    }
  } finally {
    // Kept even when the replay failed later on: each one is true on its own.
    if (kept.length > 0) {
      await db.query(
        `INSERT INTO plan_checkpoints (plan_id, ord, version, state)
         SELECT x.plan_id, x.ord, x.version, x.state::json FROM json_to_recordset($1::json) AS x(plan_id text, ord integer, version integer, state text)
         ON CONFLICT (plan_id, ord) DO NOTHING`,
        [JSON.stringify(kept)],
      );
    }
  }
  throw new Error(`event ${eventId} was not found replaying plan ${planId}`);
}
