import type { BucketName, Channel, Direction, PlanConfig } from '../../shared/domain';
import { applyDelete, applyEdit, createPlanState, describeExplanation, explainUsage, recordUsage, type UsageExplanation } from '../../shared/engine';
import type { CentralUsageExplanation } from '../../shared/sync';
import type { Queryable } from '../store';
import { compareReplayOps, type ReplayOp } from './state';

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
 * Cost: one primary-key read for the event, then one range read on `usage_events_by_plan` and one
 * on the plan's versions, both bounded by the event's `ord`, and one engine step per row read:
 * linear in what the plan decided up to that event (not in the rest of the service's usage), with
 * those rows in memory while it runs. The service keeps no checkpoints of states, so an event late
 * in a busy plan's life costs that plan's whole history; nothing is locked or written.
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
export async function explainStoredEvent(db: Queryable, environmentId: string, eventId: string): Promise<CentralUsageExplanation | null> {
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
  const replayed = await replayTo(db, row.plan_id, Number(row.ord), row.id);
  return {
    ...answer,
    plan: { id: row.plan_id, version: replayed.version, timeZone: replayed.config.activation.timeZone, deleted: replayed.explanation.deleted === true },
    explain: describeExplanation(replayed.explanation),
  };
}

async function replayTo(
  db: Queryable,
  planId: string,
  ord: number,
  eventId: string,
): Promise<{ explanation: UsageExplanation; version: number; config: PlanConfig }> {
  const versions = await db.query<{ version: number; action: string; config: PlanConfig; effective_ms: unknown; ord: number }>(
    'SELECT version, action, config, effective_ms, ord FROM plan_versions WHERE plan_id = $1 AND ord <= $2 ORDER BY ord',
    [planId, ord],
  );
  const usage = await db.query<{ id: string; channel: Channel; direction: Direction; credits: unknown; decided_ms: unknown; ord: number }>(
    `SELECT id, channel, direction, credits, decided_ms, ord FROM usage_events
      WHERE plan_id = $1 AND ord IS NOT NULL AND ord <= $2 ORDER BY ord`,
    [planId, ord],
  );
  const ops: ReplayOp[] = [
    ...versions.rows.map((v): ReplayOp => ({ ord: Number(v.ord), ms: Number(v.effective_ms), kind: 'version', version: Number(v.version), action: v.action, config: v.config })),
    ...usage.rows.map((u): ReplayOp => ({ ord: Number(u.ord), ms: Number(u.decided_ms), kind: 'usage', id: u.id, channel: u.channel, direction: u.direction, credits: Number(u.credits) })),
  ].sort(compareReplayOps);
  const first = ops.find((op) => op.kind === 'version');
  if (!first || first.kind !== 'version') throw new Error(`plan ${planId} has no first version`);
  const state = createPlanState(first.config);
  let version = first.version;
  let config = first.config;
  for (const op of ops) {
    if (op === first) continue;
    if (op.kind === 'version') {
      if (op.action === 'deleted') applyDelete(state, op.ms);
      else applyEdit(state, op.config, op.ms);
      version = op.version;
      config = op.config;
      continue;
    }
    const usage = { id: op.id, channel: op.channel, direction: op.direction, credits: op.credits };
    if (op.id === eventId) return { explanation: explainUsage(state, usage, op.ms), version, config };
    recordUsage(state, usage, op.ms);
  }
  throw new Error(`event ${eventId} was not found replaying plan ${planId}`);
}
