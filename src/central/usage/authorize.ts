import type { BucketName, Channel, Direction, PlanConfig } from '../../shared/domain';
import { recordUsage, type PlanState } from '../../shared/engine';
import type { UsageDecisionRecord } from '../../shared/sync';
import { RetryTransaction, decodePlanState, encodePlanState, withRetries, type Database, type Queryable } from '../store';

/**
 * Usage authorization. A batch is decided in one transaction: the state rows of the plans it
 * touches are locked (FOR UPDATE, in plan id order so batches never deadlock), the events are
 * run through the engine one by one, and the new states, the decisions and the usage
 * aggregates are written before the locks are released. Whatever the number of parallel
 * requests or instances, the decisions on one plan are taken one after the other on its
 * latest state, so a bucket can never spend more than the rules allow.
 *
 * The decision instant is the event's occurredAt, or the plan's clock when the event is older
 * than something already decided (events arrive out of order from parallel senders; a late
 * event is decided now rather than refused). Events dated in the future beyond the allowed
 * clock skew are refused and not stored, so they can be sent again later.
 */
export interface UsageEventInput {
  id: string;
  spaceId: string;
  channel: Channel;
  direction: Direction;
  credits: number;
  occurredMs: number;
}

export interface AuthorizeOptions {
  nowMs: number;
  maxClockSkewMs: number;
}

/** Usage aggregates are kept per plan, channel and 15-minute slot. */
export const SLOT_MS = 15 * 60_000;

const slotOf = (ms: number): number => Math.floor(ms / SLOT_MS) * SLOT_MS;

interface StoredDecision {
  [key: string]: unknown;
  id: string;
  plan_id: string | null;
  accepted: boolean;
  reason: string | null;
  bucket: BucketName | null;
  consumed: unknown;
  overage_triggered: boolean;
}

function fromStored(row: StoredDecision): UsageDecisionRecord {
  return {
    id: row.id,
    accepted: row.accepted,
    ...(row.reason ? { reason: row.reason as 'exhausted' } : {}),
    planId: row.plan_id,
    bucket: row.bucket,
    consumed: Number(row.consumed),
    overageTriggered: row.overage_triggered,
    duplicate: true,
  };
}

export async function authorizeUsage(
  db: Database,
  events: UsageEventInput[],
  options: AuthorizeOptions,
): Promise<UsageDecisionRecord[]> {
  const decisions: (UsageDecisionRecord | undefined)[] = new Array(events.length);
  const firstIndex = new Map<string, number>();
  const toDecide: { index: number; event: UsageEventInput }[] = [];
  events.forEach((event, index) => {
    if (firstIndex.has(event.id)) return;
    firstIndex.set(event.id, index);
    if (event.occurredMs > options.nowMs + options.maxClockSkewMs) {
      decisions[index] = { id: event.id, accepted: false, reason: 'in_future', planId: null, bucket: null, consumed: 0, overageTriggered: false, duplicate: false };
    } else {
      toDecide.push({ index, event });
    }
  });

  if (toDecide.length > 0) {
    const decided = await withRetries(() => db.transaction((tx) => decideBatch(tx, toDecide.map((d) => d.event), options.nowMs)));
    toDecide.forEach(({ index }, i) => {
      decisions[index] = decided[i];
    });
  }
  // The same id twice in one batch has one effect: the later copies repeat the first decision.
  return events.map((event, index) => {
    const first = decisions[firstIndex.get(event.id)!]!;
    return index === firstIndex.get(event.id) ? first : { ...first, duplicate: true };
  });
}

interface PlanSlot {
  state: PlanState;
  ops: number;
  environmentId: string;
  touched: boolean;
}

interface SlotDelta {
  spaceId: string;
  planKey: string;
  channel: Channel;
  slotMs: number;
  environmentId: string;
  mtCredits: number;
  mtEvents: number;
  moEvents: number;
  rejectedEvents: number;
  rejectedCredits: number;
}

/** Which live plan limits each (space, channel), SPEC §2. */
function coverageOf(plans: { id: string; space_id: string; config: PlanConfig }[]): Map<string, string> {
  const covering = new Map<string, string>();
  for (const plan of plans) {
    if (plan.config.limit === 'all_channels') covering.set(`${plan.space_id}\u0000*`, plan.id);
    else for (const channel of Object.keys(plan.config.credits)) covering.set(`${plan.space_id}\u0000${channel}`, plan.id);
  }
  return covering;
}

async function decideBatch(tx: Queryable, events: UsageEventInput[], nowMs: number): Promise<UsageDecisionRecord[]> {
  const spaceIds = [...new Set(events.map((e) => e.spaceId))];
  const live = await tx.query<{ id: string; space_id: string; config: PlanConfig }>(
    'SELECT id, space_id, config FROM plans WHERE space_id = ANY($1::text[]) AND deleted_ms IS NULL',
    [spaceIds],
  );
  const covering = coverageOf(live.rows);
  const planOf = (e: UsageEventInput): string | undefined =>
    covering.get(`${e.spaceId}\u0000*`) ?? covering.get(`${e.spaceId}\u0000${e.channel}`);

  const planIds = [...new Set(events.map(planOf).filter((id): id is string => id !== undefined))].sort();
  const plans = new Map<string, PlanSlot>();
  if (planIds.length > 0) {
    const locked = await tx.query<{ plan_id: string; state: string; ops: number; environment_id: string }>(
      `SELECT plan_id, state::text AS state, ops, environment_id FROM plan_states
        WHERE plan_id = ANY($1::text[]) ORDER BY plan_id FOR UPDATE`,
      [planIds],
    );
    for (const row of locked.rows) {
      plans.set(row.plan_id, { state: decodePlanState(row.state), ops: Number(row.ops), environmentId: row.environment_id, touched: false });
    }
  }
  // Read after the locks: a concurrent batch with the same ids has committed by now.
  const stored = await tx.query<StoredDecision>(
    `SELECT id, plan_id, accepted, reason, bucket, consumed, overage_triggered FROM usage_events WHERE id = ANY($1::text[])`,
    [events.map((e) => e.id)],
  );
  const previous = new Map(stored.rows.map((row) => [row.id, row]));
  const spaces = await tx.query<{ id: string; environment_id: string }>(
    'SELECT id, environment_id FROM spaces WHERE id = ANY($1::text[])',
    [spaceIds],
  );
  const environmentOf = new Map(spaces.rows.map((row) => [row.id, row.environment_id]));

  const decisions: UsageDecisionRecord[] = [];
  const inserts: {
    event: UsageEventInput;
    decision: UsageDecisionRecord;
    decidedMs: number;
    ord: number | null;
  }[] = [];
  const slots = new Map<string, SlotDelta>();

  for (const event of events) {
    const prior = previous.get(event.id);
    if (prior) {
      decisions.push(fromStored(prior));
      continue;
    }
    const planId = planOf(event);
    const plan = planId === undefined ? undefined : plans.get(planId);
    let decision: UsageDecisionRecord;
    let decidedMs = event.occurredMs;
    let ord: number | null = null;
    if (plan && planId !== undefined) {
      decidedMs = Math.max(event.occurredMs, plan.state.clockMs);
      const outcome = recordUsage(plan.state, event, decidedMs);
      ord = plan.ops;
      plan.ops += 1;
      plan.touched = true;
      decision = outcome.accepted
        ? { id: event.id, accepted: true, planId, bucket: outcome.bucket, consumed: outcome.consumed, overageTriggered: outcome.overageTriggered, duplicate: false }
        : { id: event.id, accepted: false, reason: 'exhausted', planId, bucket: outcome.bucket, consumed: 0, overageTriggered: false, duplicate: false };
    } else {
      // No plan covers this channel: traffic is not limited (SPEC §2).
      decision = { id: event.id, accepted: true, planId: null, bucket: null, consumed: 0, overageTriggered: false, duplicate: false };
    }
    decisions.push(decision);
    inserts.push({ event, decision, decidedMs, ord });

    const planKey = decision.planId ?? '';
    const slotMs = slotOf(event.occurredMs);
    const key = `${event.spaceId}\u0000${planKey}\u0000${event.channel}\u0000${slotMs}`;
    let slot = slots.get(key);
    if (!slot) {
      slot = {
        spaceId: event.spaceId,
        planKey,
        channel: event.channel,
        slotMs,
        environmentId: (planId && plans.get(planId)?.environmentId) || environmentOf.get(event.spaceId) || '',
        mtCredits: 0,
        mtEvents: 0,
        moEvents: 0,
        rejectedEvents: 0,
        rejectedCredits: 0,
      };
      slots.set(key, slot);
    }
    if (!decision.accepted) {
      slot.rejectedEvents += 1;
      slot.rejectedCredits += event.credits;
    } else if (event.direction === 'MO') {
      slot.moEvents += 1;
    } else {
      slot.mtEvents += 1;
      slot.mtCredits += event.credits;
    }
  }

  if (inserts.length > 0) {
    // Sorted by id so that two batches sharing ids take the index locks in the same order.
    inserts.sort((a, b) => (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0));
    const result = await tx.query(
      `INSERT INTO usage_events (id, space_id, channel, direction, credits, occurred_ms, received_ms, plan_id, accepted,
                                 reason, bucket, consumed, overage_triggered, decided_ms, ord)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],
                            $8::text[], $9::boolean[], $10::text[], $11::text[], $12::bigint[], $13::boolean[],
                            $14::bigint[], $15::integer[])
       ON CONFLICT (id) DO NOTHING`,
      [
        inserts.map((i) => i.event.id),
        inserts.map((i) => i.event.spaceId),
        inserts.map((i) => i.event.channel),
        inserts.map((i) => i.event.direction),
        inserts.map((i) => i.event.credits),
        inserts.map((i) => i.event.occurredMs),
        inserts.map(() => nowMs),
        inserts.map((i) => i.decision.planId),
        inserts.map((i) => i.decision.accepted),
        inserts.map((i) => i.decision.reason ?? null),
        inserts.map((i) => i.decision.bucket),
        inserts.map((i) => i.decision.consumed),
        inserts.map((i) => i.decision.overageTriggered),
        inserts.map((i) => i.decidedMs),
        inserts.map((i) => i.ord),
      ],
    );
    // Only uncovered traffic is decided without a lock; if another batch recorded one of these
    // ids meanwhile, decide the whole batch again so that it reads that decision.
    if (result.rowCount !== inserts.length) throw new RetryTransaction('a usage event id was recorded concurrently');
  }

  const touched = [...plans.entries()].filter(([, plan]) => plan.touched);
  if (touched.length > 0) {
    await tx.query(
      `UPDATE plan_states AS p SET state = v.state::json, ops = v.ops
         FROM unnest($1::text[], $2::text[], $3::integer[]) AS v(plan_id, state, ops) WHERE p.plan_id = v.plan_id`,
      [touched.map(([id]) => id), touched.map(([, plan]) => encodePlanState(plan.state)), touched.map(([, plan]) => plan.ops)],
    );
  }

  if (slots.size > 0) {
    const deltas = [...slots.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, slot]) => slot);
    await tx.query(
      `INSERT INTO usage_slots (space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events,
                                rejected_events, rejected_credits)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[],
                            $8::bigint[], $9::bigint[], $10::bigint[])
       ON CONFLICT (space_id, plan_key, channel, slot_ms) DO UPDATE SET
         mt_credits = usage_slots.mt_credits + excluded.mt_credits,
         mt_events = usage_slots.mt_events + excluded.mt_events,
         mo_events = usage_slots.mo_events + excluded.mo_events,
         rejected_events = usage_slots.rejected_events + excluded.rejected_events,
         rejected_credits = usage_slots.rejected_credits + excluded.rejected_credits`,
      [
        deltas.map((d) => d.spaceId),
        deltas.map((d) => d.planKey),
        deltas.map((d) => d.channel),
        deltas.map((d) => d.slotMs),
        deltas.map((d) => d.environmentId),
        deltas.map((d) => d.mtCredits),
        deltas.map((d) => d.mtEvents),
        deltas.map((d) => d.moEvents),
        deltas.map((d) => d.rejectedEvents),
        deltas.map((d) => d.rejectedCredits),
      ],
    );
  }
  return decisions;
}
