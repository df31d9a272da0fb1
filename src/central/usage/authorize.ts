import type { BucketName, Channel, Direction } from '../../shared/domain';
import { attributeEvent, creditsPerMessage, recordUsage, type PlanState } from '../../shared/engine';
import type { UsageDecisionRecord } from '../../shared/sync';
import { RetryTransaction, decodePlanState, encodePlanState, sqlState, withRetries, type Database, type Queryable } from '../store';
import { readCoverage } from './coverage';
import { foldCounters, seedCounters } from './counters';

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
 *
 * Which plan and bucket an event counts against is the engine's rule (`attributeEvent`), at the
 * event's occurredAt — the ledger's answer too. A late event may so count against a plan edited
 * or deleted since: it is decided on that plan's latest state (a deleted plan limits nothing),
 * and the decision names the plan and the bucket the rule gave.
 *
 * An event without credits costs its channel's rate under the plan version that decides it
 * (SPEC §9.1, the engine's `recordUsage`), 1 when no plan covers it; the stored event holds the
 * credits charged, and whether they were stated.
 *
 * Usage ids are unique within the environment of their space. The same id with the same content
 * (space, channel, direction, credits as sent — stated and equal, or both omitted — instant)
 * answers the first decision; with other content the request is refused (UsageIdReused) and
 * nothing of it is charged. Identity and campaign are labels, not content: a repeat keeps the
 * first event's.
 */
export interface UsageEventInput {
  id: string;
  spaceId: string;
  channel: Channel;
  direction: Direction;
  /** As sent: undefined when the event states none. */
  credits?: number;
  occurredMs: number;
  /** Who and which campaign (SPEC §1); null or absent for none. */
  identity?: string | null;
  campaign?: string | null;
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
  environment_id: string;
  space_id: string;
  channel: string;
  direction: string;
  credits: unknown;
  /** null: stored before migration 6, when omitted credits were read as 1. */
  credits_stated: boolean | null;
  occurred_ms: unknown;
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
    ...(row.reason ? { reason: row.reason as 'exhausted' | 'daily_limit' } : {}),
    planId: row.plan_id,
    bucket: row.bucket,
    consumed: Number(row.consumed),
    overageTriggered: row.overage_triggered,
    duplicate: true,
  };
}

/** The same usage id with other content: the request is refused whole (409). */
export class UsageIdReused extends Error {
  constructor(readonly ids: string[]) {
    super(`usage ids already used for other events: ${ids.join(', ')}; nothing in this request was charged`);
    this.name = 'UsageIdReused';
  }
}

/** A stored sum would pass 2^53 − 1, beyond what every reader can hold exactly (422). */
export class UsageSumTooLarge extends Error {
  constructor() {
    super('the credits of one 15-minute usage slot would pass 9007199254740991; nothing in this request was charged');
    this.name = 'UsageSumTooLarge';
  }
}

const MAX_EXACT = Number.MAX_SAFE_INTEGER;
const CHECK_VIOLATION = '23514';

/** Add label slot rows (`source` gives the ten columns in table order) to usage_label_slots. */
export const UPSERT_LABEL_SLOTS = (source: string): string => `
  INSERT INTO usage_label_slots (space_id, dim, label, slot_ms, environment_id, mt_credits, mt_events, mo_events, rejected_events, rejected_credits)
  SELECT * FROM ${source}
  ON CONFLICT (space_id, dim, label, slot_ms) DO UPDATE SET
    mt_credits = usage_label_slots.mt_credits + excluded.mt_credits,
    mt_events = usage_label_slots.mt_events + excluded.mt_events,
    mo_events = usage_label_slots.mo_events + excluded.mo_events,
    rejected_events = usage_label_slots.rejected_events + excluded.rejected_events,
    rejected_credits = usage_label_slots.rejected_credits + excluded.rejected_credits`;

/** Same event, as far as a repeated id goes: the credits as sent (both omitted, or equal). */
function sameContent(a: UsageEventInput, b: UsageEventInput): boolean {
  return a.spaceId === b.spaceId && a.channel === b.channel && a.direction === b.direction && a.credits === b.credits && a.occurredMs === b.occurredMs;
}

/** A stored event as it was sent (its credits omitted when they were). */
function sentContent(row: StoredDecision, event: UsageEventInput): UsageEventInput {
  const credits = Number(row.credits);
  return {
    id: row.id,
    spaceId: row.space_id,
    channel: row.channel as Channel,
    direction: row.direction as Direction,
    // Before migration 6 omitted credits were read as 1: such a row matches both 1 and none.
    credits: row.credits_stated === false || (row.credits_stated === null && credits === 1 && event.credits === undefined) ? undefined : credits,
    occurredMs: Number(row.occurred_ms),
  };
}

/** The credits an event is charged: as stated, else its channel's rate under the deciding plan version (SPEC §9.1). */
export function chargedCredits(event: UsageEventInput, state: PlanState | undefined): number {
  return event.credits ?? (state === undefined ? 1 : creditsPerMessage(state.config, event.channel));
}

export async function authorizeUsage(
  db: Database,
  events: UsageEventInput[],
  options: AuthorizeOptions,
): Promise<UsageDecisionRecord[]> {
  try {
    return await withRetries(() => db.transaction((tx) => decideBatch(tx, events, options)));
  } catch (error) {
    if (sqlState(error) === CHECK_VIOLATION) throw new UsageSumTooLarge();
    throw error;
  }
}

interface PlanSlot {
  state: PlanState;
  ops: number;
  environmentId: string;
  touched: boolean;
}

/** Usage of one identity or campaign of a space in one 15-minute slot (usage_label_slots). */
export interface LabelDelta {
  space_id: string;
  dim: 'identity' | 'campaign';
  label: string;
  slot_ms: number;
  environment_id: string;
  mt_credits: number;
  mt_events: number;
  mo_events: number;
  rejected_events: number;
  rejected_credits: number;
}

/** Add one decided event to its label slot (accepted MT credits, MO events, or rejected). */
export function addToLabel(
  labels: Map<string, LabelDelta>,
  event: { spaceId: string; direction: Direction },
  dim: LabelDelta['dim'],
  label: string,
  slotMs: number,
  environmentId: string,
  accepted: boolean,
  credits: number,
): void {
  const key = `${event.spaceId}\u0000${dim}\u0000${label}\u0000${slotMs}`;
  let cell = labels.get(key);
  if (!cell) {
    cell = { space_id: event.spaceId, dim, label, slot_ms: slotMs, environment_id: environmentId, mt_credits: 0, mt_events: 0, mo_events: 0, rejected_events: 0, rejected_credits: 0 };
    labels.set(key, cell);
  }
  if (!accepted) {
    cell.rejected_events += 1;
    cell.rejected_credits += credits;
    if (cell.rejected_credits > MAX_EXACT) throw new UsageSumTooLarge();
  } else if (event.direction === 'MO') cell.mo_events += 1;
  else {
    cell.mt_events += 1;
    cell.mt_credits += credits;
    if (cell.mt_credits > MAX_EXACT) throw new UsageSumTooLarge();
  }
}

interface SlotDelta {
  space_id: string;
  plan_key: string;
  channel: Channel;
  slot_ms: number;
  environment_id: string;
  mt_credits: number;
  mt_events: number;
  mo_events: number;
  rejected_events: number;
  rejected_credits: number;
}

async function decideBatch(tx: Queryable, events: UsageEventInput[], options: AuthorizeOptions): Promise<UsageDecisionRecord[]> {
  const { nowMs } = options;
  const coverage = await readCoverage(tx, [...new Set(events.map((e) => e.spaceId))]);
  const environmentOf = (e: UsageEventInput) => coverage.get(e.spaceId)?.environmentId ?? '';

  // One effect per (environment, id): later copies repeat the first decision, or, with other
  // content, refuse the request.
  const reused = new Set<string>();
  const firstOf = new Map<string, number>();
  const keys = events.map((e) => `${environmentOf(e)}\u0000${e.id}`);
  const unique: number[] = [];
  events.forEach((event, i) => {
    const first = firstOf.get(keys[i]!);
    if (first === undefined) {
      firstOf.set(keys[i]!, i);
      unique.push(i);
    } else if (!sameContent(events[first]!, event)) reused.add(event.id);
  });

  const attributions = new Map(
    unique.map((i) => {
      const event = events[i]!;
      return [i, attributeEvent(coverage.get(event.spaceId)?.plans ?? [], { channel: event.channel, atMs: event.occurredMs })] as const;
    }),
  );
  const planIds = [...new Set([...attributions.values()].flatMap((a) => a?.planId ?? []))].sort();
  const plans = new Map<string, PlanSlot>();
  if (planIds.length > 0) {
    const locked = await tx.query<{ plan_id: string; state: string; ops: number; environment_id: string }>(
      `SELECT plan_id, state::text AS state, ops, environment_id FROM plan_states
        WHERE plan_id IN (SELECT json_array_elements_text($1::json)) ORDER BY plan_id FOR UPDATE`,
      [JSON.stringify(planIds)],
    );
    for (const row of locked.rows) {
      plans.set(row.plan_id, { state: decodePlanState(row.state), ops: Number(row.ops), environmentId: row.environment_id, touched: false });
    }
    // What the fast path charged since the last seed becomes part of the state (one ord).
    const folded = await foldCounters(tx, new Map([...plans].map(([id, plan]) => [id, plan.state])));
    for (const planId of folded) {
      const plan = plans.get(planId)!;
      plan.ops += 1;
      plan.touched = true;
    }
  }
  // Read after the locks: a concurrent batch with the same ids has committed by now.
  const stored = await tx.query<StoredDecision>(
    `SELECT u.id, u.environment_id, u.space_id, u.channel, u.direction, u.credits, u.credits_stated, u.occurred_ms, u.plan_id, u.accepted,
            u.reason, u.bucket, u.consumed, u.overage_triggered
       FROM usage_events u JOIN json_to_recordset($1::json) AS k(environment_id text, id text)
         ON u.environment_id = k.environment_id AND u.id = k.id`,
    [JSON.stringify(unique.map((i) => ({ environment_id: environmentOf(events[i]!), id: events[i]!.id })))],
  );
  const previous = new Map(stored.rows.map((row) => [`${row.environment_id}\u0000${row.id}`, row]));
  for (const i of unique) {
    const prior = previous.get(keys[i]!);
    if (prior && !sameContent(sentContent(prior, events[i]!), events[i]!)) reused.add(events[i]!.id);
  }
  if (reused.size > 0) throw new UsageIdReused([...reused]);

  const decisions: UsageDecisionRecord[] = new Array(events.length);
  const inserts: Record<string, unknown>[] = [];
  const slots = new Map<string, SlotDelta>();
  const labels = new Map<string, LabelDelta>();

  for (const index of unique) {
    const event = events[index]!;
    const prior = previous.get(keys[index]!);
    if (prior) {
      decisions[index] = fromStored(prior);
      continue;
    }
    if (event.occurredMs > nowMs + options.maxClockSkewMs) {
      decisions[index] = { id: event.id, accepted: false, reason: 'in_future', planId: null, bucket: null, consumed: 0, overageTriggered: false, duplicate: false };
      continue;
    }
    const attribution = attributions.get(index) ?? null;
    const plan = attribution === null ? undefined : plans.get(attribution.planId);
    let decision: UsageDecisionRecord;
    let decidedMs = event.occurredMs;
    let ord: number | null = null;
    const credits = chargedCredits(event, plan?.state);
    if (plan && attribution) {
      const { planId, bucket } = attribution;
      decidedMs = Math.max(event.occurredMs, plan.state.clockMs);
      const outcome = recordUsage(plan.state, { id: event.id, channel: event.channel, direction: event.direction, credits }, decidedMs);
      ord = plan.ops;
      plan.ops += 1;
      plan.touched = true;
      decision = outcome.accepted
        ? { id: event.id, accepted: true, planId, bucket, consumed: outcome.consumed, overageTriggered: outcome.overageTriggered, duplicate: false }
        : { id: event.id, accepted: false, reason: outcome.reason === 'daily_limit' ? 'daily_limit' : 'exhausted', planId, bucket, consumed: 0, overageTriggered: false, duplicate: false };
    } else {
      // No plan covers this channel: traffic is not limited (SPEC §2).
      decision = { id: event.id, accepted: true, planId: null, bucket: null, consumed: 0, overageTriggered: false, duplicate: false };
    }
    decisions[index] = decision;
    inserts.push({
      environment_id: environmentOf(event),
      id: event.id,
      space_id: event.spaceId,
      channel: event.channel,
      direction: event.direction,
      credits,
      credits_stated: event.credits !== undefined,
      occurred_ms: event.occurredMs,
      received_ms: nowMs,
      plan_id: decision.planId,
      accepted: decision.accepted,
      reason: decision.reason ?? null,
      bucket: decision.bucket,
      consumed: decision.consumed,
      overage_triggered: decision.overageTriggered,
      decided_ms: decidedMs,
      ord,
      identity: event.identity ?? null,
      campaign: event.campaign ?? null,
    });

    const planKey = decision.planId ?? '';
    const slotMs = slotOf(event.occurredMs);
    const key = `${event.spaceId}\u0000${planKey}\u0000${event.channel}\u0000${slotMs}`;
    let slot = slots.get(key);
    if (!slot) {
      slot = {
        space_id: event.spaceId,
        plan_key: planKey,
        channel: event.channel,
        slot_ms: slotMs,
        environment_id: plan?.environmentId || environmentOf(event),
        mt_credits: 0,
        mt_events: 0,
        mo_events: 0,
        rejected_events: 0,
        rejected_credits: 0,
      };
      slots.set(key, slot);
    }
    if (!decision.accepted) {
      slot.rejected_events += 1;
      slot.rejected_credits += credits;
      if (slot.rejected_credits > MAX_EXACT) throw new UsageSumTooLarge();
    } else if (event.direction === 'MO') {
      slot.mo_events += 1;
    } else {
      slot.mt_events += 1;
      slot.mt_credits += credits;
      if (slot.mt_credits > MAX_EXACT) throw new UsageSumTooLarge();
    }
    if (event.identity) addToLabel(labels, event, 'identity', event.identity, slotMs, slot.environment_id, decision.accepted, credits);
    if (event.campaign) addToLabel(labels, event, 'campaign', event.campaign, slotMs, slot.environment_id, decision.accepted, credits);
  }
  // Repeats within the request answer their first decision.
  events.forEach((event, i) => {
    const first = firstOf.get(keys[i]!)!;
    if (first !== i) decisions[i] = { ...decisions[first]!, duplicate: true };
  });
  if (inserts.length === 0 && ![...plans.values()].some((p) => p.touched)) return decisions;

  // Sorted so that two batches sharing ids or slots take the index locks in the same order.
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  inserts.sort((a, b) => byKey(a.id as string, b.id as string));
  const touched = [...plans.entries()].filter(([, plan]) => plan.touched);
  const states = touched.map(([planId, plan]) => ({ plan_id: planId, state: encodePlanState(plan.state), ops: plan.ops }));
  const deltas = [...slots.entries()].sort(([a], [b]) => byKey(a, b)).map(([, slot]) => slot);
  const labelDeltas = [...labels.entries()].sort(([a], [b]) => byKey(a, b)).map(([, cell]) => cell);

  // Every write in one statement: one round trip however many events the batch holds.
  const written = await tx.query<{ inserted: number }>(
    `WITH new_events AS (
       INSERT INTO usage_events (environment_id, id, space_id, channel, direction, credits, credits_stated, occurred_ms, received_ms, plan_id,
                                 accepted, reason, bucket, consumed, overage_triggered, decided_ms, ord, identity, campaign)
       SELECT * FROM json_to_recordset($1::json) AS x(environment_id text, id text, space_id text, channel text, direction text,
              credits bigint, credits_stated boolean, occurred_ms bigint, received_ms bigint, plan_id text, accepted boolean, reason text, bucket text,
              consumed bigint, overage_triggered boolean, decided_ms bigint, ord integer, identity text, campaign text)
       ON CONFLICT (environment_id, id) DO NOTHING
       RETURNING 1
     ), new_states AS (
       UPDATE plan_states AS p SET state = v.state::json, ops = v.ops
         FROM json_to_recordset($2::json) AS v(plan_id text, state text, ops integer)
        WHERE p.plan_id = v.plan_id
       RETURNING 1
     ), new_slots AS (
       INSERT INTO usage_slots (space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events,
                                rejected_events, rejected_credits)
       SELECT * FROM json_to_recordset($3::json) AS x(space_id text, plan_key text, channel text, slot_ms bigint,
              environment_id text, mt_credits bigint, mt_events bigint, mo_events bigint, rejected_events bigint,
              rejected_credits bigint)
       ON CONFLICT (space_id, plan_key, channel, slot_ms) DO UPDATE SET
         mt_credits = usage_slots.mt_credits + excluded.mt_credits,
         mt_events = usage_slots.mt_events + excluded.mt_events,
         mo_events = usage_slots.mo_events + excluded.mo_events,
         rejected_events = usage_slots.rejected_events + excluded.rejected_events,
         rejected_credits = usage_slots.rejected_credits + excluded.rejected_credits
       RETURNING 1
     ), new_labels AS (
       ${UPSERT_LABEL_SLOTS('json_to_recordset($4::json) AS x(space_id text, dim text, label text, slot_ms bigint, environment_id text, mt_credits bigint, mt_events bigint, mo_events bigint, rejected_events bigint, rejected_credits bigint)')}
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM new_events)::integer AS inserted,
            (SELECT count(*) FROM new_states)::integer AS states,
            (SELECT count(*) FROM new_slots)::integer AS slots,
            (SELECT count(*) FROM new_labels)::integer AS labels`,
    [JSON.stringify(inserts), JSON.stringify(states), JSON.stringify(deltas), JSON.stringify(labelDeltas)],
  );
  // Only uncovered traffic is decided without a lock; if another batch recorded one of these
  // ids meanwhile, decide the whole batch again so that it reads that decision.
  if (Number(written.rows[0]?.inserted) !== inserts.length) throw new RetryTransaction('a usage event id was recorded concurrently');
  await seedCounters(tx, touched.map(([planId, plan]) => ({ planId, state: plan.state, generation: plan.ops })));
  return decisions;
}
