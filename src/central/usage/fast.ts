import type { BucketName, PlanConfig } from '../../shared/domain';
import { attributeEvent } from '../../shared/engine';
import type { UsageDecisionRecord } from '../../shared/sync';
import { UNIQUE_VIOLATION, integerArrayLiteral, nullableTextArrayLiteral, sqlState, textArrayLiteral, type Database } from '../store';
import { UPSERT_LABEL_SLOTS, addToLabel, type AuthorizeOptions, type LabelDelta, type UsageEventInput } from './authorize';
import { readCoverage, type SpaceCoverage } from './coverage';

/**
 * The fast path of usage authorization: a whole group of requests decided in ONE statement (one
 * round trip, its own transaction, one commit) when nothing in it needs the engine:
 *
 * - the spaces' plans are what this instance remembers (checked in the statement: the plans
 *   and versions of each space, and its environment), and each event counts against the plan and
 *   bucket the engine's rule gives from them (`attributeEvent`), as on the engine path;
 * - each charged bucket has a counter row for its current period (usage/counters.ts), all the
 *   group's counter rows are locked in (plan, bucket) order, and the guarded update
 *   `used + n ≤ spendable`, `last decision instant < period end` holds for every one;
 * - no id of the group was stored before, none repeats in it, none is dated in the future.
 *
 * Then every event is accepted and charged exactly as the engine would (all fit without
 * overage, inside one period), events are inserted, and one slot aggregate per space, plan,
 * channel and slot is written (and one per space, identity or campaign, and slot, for labelled
 * events). An event without credits costs 1 here: a plan with a rate card (`costs`) is one of
 * the plans whose events the engine decides, so every event charged here has the rate 1.
 * Otherwise the statement raises (usage_fast_path_refused, or a
 * unique violation for an id stored before), rolls back whole, and the caller sends the group the engine's way:
 * the rules of docs/credit-rules.md keep their one implementation, and the answers are the same.
 */
export const FAST_PATH_REFUSED = 'CP001';

/** Why a group went the engine's way (counted for the benchmark and the logs). */
export type FastOutcome = { decisions: UsageDecisionRecord[] } | { refused: 'shape' | 'guard' | 'repeat' | 'race' };

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

/**
 * Plans the counters cannot decide: SPEC §9's parts in some version, or add-on credits (which
 * are spent before overage; a plan given them gets no counters, usage/counters.ts).
 */
function engineOnly(plan: SpaceCoverage['plans'][number] | undefined): boolean {
  return plan !== undefined && (plan.credits || plan.versions.some((v) => usesPolicies(v.config)));
}

/**
 * The statement. What depends only on the group is worked out here (plan and bucket of each
 * event, the credits and count per bucket, the running latest instant per plan, one aggregate per
 * slot), so PostgreSQL only locks, guards and writes: per event it parses one id, three numbers
 * and a "kind" (the event's space, channel, direction, plan and bucket, listed once per group).
 * The events go in with a plain INSERT: an id stored before (or twice in the group) is a unique
 * violation, which sends the group the engine's way, as a refusal does, without the cost of
 * ON CONFLICT's speculative insertion.
 */
const FAST_SQL = `
WITH kinds AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    WITH ORDINALITY AS k(environment_id, space_id, channel, direction, plan_id, bucket, kind)
), coverage AS (
  SELECT s.expected,
         coalesce((SELECT environment_id FROM spaces WHERE id = s.space_id), '') || '|' ||
         coalesce((SELECT string_agg(p.id || ':' || p.version, ',' ORDER BY p.id) FROM plans p
                    WHERE p.space_id = s.space_id AND p.deleted_ms IS NULL), '') AS actual
    FROM unnest($7::text[], $8::text[]) AS s(space_id, expected)
), locked AS (
  SELECT plan_id, generation, clock_ms FROM usage_counters
   WHERE plan_id = ANY($9::text[]) ORDER BY plan_id, bucket FOR UPDATE
), clocks AS (
  SELECT plan_id, max(clock_ms) AS clock_ms, min(generation) AS generation FROM locked GROUP BY plan_id
), charged AS (
  UPDATE usage_counters c
     SET used = c.used + n.credits, fast_events = c.fast_events + n.events, clock_ms = greatest(k.clock_ms, n.latest_ms)
    FROM unnest($10::text[], $11::text[], $12::bigint[], $13::integer[], $14::bigint[]) AS n(plan_id, bucket, credits, events, latest_ms)
    JOIN clocks k ON k.plan_id = n.plan_id
   WHERE c.plan_id = n.plan_id AND c.bucket = n.bucket
     AND c.used + n.credits <= c.spendable AND greatest(k.clock_ms, n.latest_ms) < c.period_end_ms
  RETURNING 1
), new_events AS (
  INSERT INTO usage_events (environment_id, id, space_id, channel, direction, credits, credits_stated, occurred_ms, received_ms, plan_id, accepted,
                            reason, bucket, consumed, overage_triggered, decided_ms, ord, identity, campaign)
  SELECT k.environment_id, x.id, k.space_id, k.channel, k.direction, greatest(x.sent, 1), x.sent > 0, x.occurred_ms, $15::bigint, k.plan_id, true,
         NULL, k.bucket, CASE WHEN k.plan_id IS NOT NULL AND k.direction = 'MT' THEN greatest(x.sent, 1) ELSE 0 END, false,
         CASE WHEN k.plan_id IS NULL THEN x.occurred_ms ELSE greatest(c.clock_ms, x.latest_ms) END, c.generation, x.identity, x.campaign
    FROM (SELECT u.id, u.kind, u.sent, $40::bigint + u.occurred_after AS occurred_ms, $40::bigint + u.occurred_after + u.latest_after AS latest_ms,
                 u.identity, u.campaign
            FROM unnest($16::text[], $17::integer[], $18::bigint[], $19::bigint[], $20::bigint[], $30::text[], $31::text[])
              AS u(id, kind, sent, occurred_after, latest_after, identity, campaign)) AS x
    JOIN kinds k ON k.kind = x.kind
    LEFT JOIN clocks c ON c.plan_id = k.plan_id
), new_slots AS (
  INSERT INTO usage_slots (space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events,
                           rejected_events, rejected_credits)
  SELECT s.*, 0, 0
    FROM unnest($21::text[], $22::text[], $23::text[], $24::bigint[], $25::text[], $26::bigint[], $27::bigint[], $28::bigint[])
      AS s(space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events)
  ON CONFLICT (space_id, plan_key, channel, slot_ms) DO UPDATE SET
    mt_credits = usage_slots.mt_credits + excluded.mt_credits,
    mt_events = usage_slots.mt_events + excluded.mt_events,
    mo_events = usage_slots.mo_events + excluded.mo_events
), new_labels AS (
  ${UPSERT_LABEL_SLOTS(`(SELECT *, 0::bigint, 0::bigint FROM unnest($32::text[], $33::text[], $34::text[], $35::bigint[], $36::text[], $37::bigint[], $38::bigint[], $39::bigint[])) AS l`)}
)
SELECT CASE WHEN (SELECT count(*) FROM charged) = $29::integer
             AND NOT EXISTS (SELECT 1 FROM coverage WHERE expected <> actual)
        THEN true ELSE usage_fast_path_refused() END AS ok`;

const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** A plan charged by the group, and the latest instant of its events so far. */
interface PlanRun {
  planId: string;
  latestMs: number;
}

/** What the group adds to one counter row. */
interface Need {
  plan: PlanRun;
  bucket: BucketName;
  credits: number;
  events: number;
}

/** One aggregate row (space, plan, channel, 15-minute slot). */
interface Slot {
  spaceId: string;
  planKey: string;
  channel: string;
  environmentId: string;
  slotMs: number;
  mtCredits: number;
  mtEvents: number;
  moEvents: number;
}

/** The events of one space, channel and direction: what they count against and where they add up. */
interface Kind {
  index: number;
  space: SpaceCoverage;
  /** The instant the attribution below was last confirmed for (events mostly share a few). */
  checkedMs: number;
  /**
   * The plan has one of SPEC §9's parts (rate card, daily limit, metered overage, price) in some
   * version, or add-on credits: the counters know allocation and overage only, so the engine
   * decides its events.
   */
  policies: boolean;
  environmentId: string;
  spaceId: string;
  channel: string;
  direction: string;
  mt: boolean;
  plan: PlanRun | null;
  bucket: BucketName | null;
  need: Need | null;
  /** Ids of the group in this kind's environment. */
  seen: Set<string>;
  /** Slot rows of this space, plan and channel (shared by both directions). */
  slots: Map<number, Slot>;
  lastSlot: Slot | null;
}

interface GroupMaps {
  seenByEnvironment: Map<string, Set<string>>;
  plans: Map<string, PlanRun>;
  needs: Map<string, Need>;
  slotGroups: Map<string, Map<number, Slot>>;
}

const slotKey = (slot: Slot) => `${slot.spaceId}\u0000${slot.planKey}\u0000${slot.channel}`;
const bySlotKey = (a: Slot, b: Slot) => {
  const ka = slotKey(a);
  const kb = slotKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : a.slotMs - b.slotMs;
};

const signatureOf = (space: SpaceCoverage) => `${space.environmentId}|${space.signature}`;

export class UsageFastPath {
  /** Spaces and their live plans as last read; a stale entry only sends a group the slow way. */
  private readonly spaces = new Map<string, SpaceCoverage>();
  readonly counts = { fast: 0, shape: 0, guard: 0, repeat: 0, race: 0 };

  constructor(private readonly db: Database) {}

  private kind(e: UsageEventInput, index: number, maps: GroupMaps): Kind {
    const space = this.spaces.get(e.spaceId)!;
    const attribution = attributeEvent(space.plans, { channel: e.channel, atMs: e.occurredMs });
    let seen = maps.seenByEnvironment.get(space.environmentId);
    if (!seen) maps.seenByEnvironment.set(space.environmentId, (seen = new Set()));
    let plan: PlanRun | null = null;
    let need: Need | null = null;
    if (attribution) {
      const planId = attribution.planId;
      plan = maps.plans.get(planId) ?? null;
      if (!plan) maps.plans.set(planId, (plan = { planId, latestMs: -Infinity }));
      const needKey = `${planId}\u0000${attribution.bucket}`;
      need = maps.needs.get(needKey) ?? null;
      if (!need) maps.needs.set(needKey, (need = { plan, bucket: attribution.bucket, credits: 0, events: 0 }));
    }
    const slotGroupKey = `${e.spaceId}\u0000${e.channel}`;
    let slots = maps.slotGroups.get(slotGroupKey);
    if (!slots) maps.slotGroups.set(slotGroupKey, (slots = new Map()));
    return {
      index,
      space,
      checkedMs: e.occurredMs,
      policies: attribution !== null && engineOnly(space.plans.find((p) => p.id === attribution.planId)),
      environmentId: space.environmentId,
      spaceId: e.spaceId,
      channel: e.channel,
      direction: e.direction,
      mt: e.direction === 'MT',
      plan,
      bucket: attribution?.bucket ?? null,
      need,
      seen,
      slots,
      lastSlot: null,
    };
  }

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
    const latestMs = options.nowMs + options.maxClockSkewMs;
    const ids = new Array<string>(n);
    const kindOf = new Array<number>(n);
    /** Credits as sent, 0 for none (which costs 1 here, see above). */
    const credits = new Array<number>(n);
    // Labels only when the group has some: NULL arrays cost nothing to send.
    let identities: (string | null)[] | null = null;
    let campaigns: (string | null)[] | null = null;
    const labels = new Map<string, LabelDelta>();
    // Instants go as offsets, an event's from the group's earliest and its plan's latest so far from
    // the event's (mostly 0): a fraction of the 13 digits each, to write, send and parse.
    let baseMs = Infinity;
    for (let i = 0; i < n; i += 1) if (events[i]!.occurredMs < baseMs) baseMs = events[i]!.occurredMs;
    const occurredAfter = new Array<number>(n);
    const latestAfter = new Array<number>(n);
    const decisions = new Array<UsageDecisionRecord>(n);
    // Everything an event needs is reached from its kind by reference: per event there is no key
    // to build and no lookup but the id's (a batch is mostly one space and channel).
    const kinds = new Map<string, Kind>();
    const kindList: Kind[] = [];
    const seenByEnvironment = new Map<string, Set<string>>();
    const plans = new Map<string, PlanRun>();
    const needs = new Map<string, Need>();
    const slotGroups = new Map<string, Map<number, Slot>>();
    let last: Kind | null = null;
    for (let i = 0; i < n; i += 1) {
      const e = events[i]!;
      let kind: Kind | null | undefined = last;
      if (kind === null || kind.spaceId !== e.spaceId || kind.channel !== e.channel || kind.direction !== e.direction) {
        const kindKey = `${e.spaceId}\u0000${e.channel}\u0000${e.direction}`;
        kind = kinds.get(kindKey);
        if (kind === undefined) {
          kind = this.kind(e, kindList.length + 1, { seenByEnvironment, plans, needs, slotGroups });
          kinds.set(kindKey, kind);
          kindList.push(kind);
        }
        last = kind;
      }
      // Repeats and future events have their own answers, and plans with SPEC §9 parts their own
      // rules: the engine path gives them.
      if (kind.policies || kind.seen.has(e.id) || e.occurredMs > latestMs) {
        this.counts.shape += 1;
        return { refused: 'shape' };
      }
      // The kind's plan and bucket are the engine's rule at its first event's instant; an event
      // of another instant may count elsewhere (a late one, before an edit or a deletion): then
      // the engine path decides the group.
      if (e.occurredMs !== kind.checkedMs) {
        const attribution = attributeEvent(kind.space.plans, { channel: e.channel, atMs: e.occurredMs });
        if ((attribution?.planId ?? null) !== (kind.plan?.planId ?? null) || (attribution?.bucket ?? null) !== kind.bucket) {
          this.counts.shape += 1;
          return { refused: 'shape' };
        }
        kind.checkedMs = e.occurredMs;
      }
      kind.seen.add(e.id);
      const charged = e.credits ?? 1;
      const consumed = kind.plan !== null && kind.mt ? charged : 0;
      ids[i] = e.id;
      kindOf[i] = kind.index;
      credits[i] = e.credits ?? 0;
      occurredAfter[i] = e.occurredMs - baseMs;
      latestAfter[i] = 0;
      if (kind.plan !== null) {
        // The decision instant: the latest instant of the plan so far (and its clock, in SQL).
        if (e.occurredMs > kind.plan.latestMs) kind.plan.latestMs = e.occurredMs;
        latestAfter[i] = kind.plan.latestMs - e.occurredMs;
        kind.need!.credits += consumed;
        kind.need!.events += 1;
      }
      const slotMs = e.occurredMs - (e.occurredMs % SLOT_MS);
      let slot = kind.lastSlot;
      if (slot === null || slot.slotMs !== slotMs) {
        slot = kind.slots.get(slotMs) ?? null;
        if (slot === null) {
          slot = { spaceId: kind.spaceId, planKey: kind.plan?.planId ?? '', channel: kind.channel, environmentId: kind.environmentId, slotMs, mtCredits: 0, mtEvents: 0, moEvents: 0 };
          kind.slots.set(slotMs, slot);
        }
        kind.lastSlot = slot;
      }
      if (kind.mt) {
        slot.mtCredits += charged;
        slot.mtEvents += 1;
      } else slot.moEvents += 1;
      if (e.identity || e.campaign) {
        if (identities === null) identities = new Array<string | null>(n).fill(null);
        if (campaigns === null) campaigns = new Array<string | null>(n).fill(null);
        identities[i] = e.identity || null;
        campaigns[i] = e.campaign || null;
        if (e.identity) addToLabel(labels, e, 'identity', e.identity, slotMs, kind.environmentId, true, charged);
        if (e.campaign) addToLabel(labels, e, 'campaign', e.campaign, slotMs, kind.environmentId, true, charged);
      }
      decisions[i] = {
        id: e.id,
        accepted: true,
        planId: kind.plan?.planId ?? null,
        bucket: kind.bucket,
        consumed,
        overageTriggered: false,
        duplicate: false,
      };
    }
    const needList = [...needs.values()];
    const slotList = [...slotGroups.values()].flatMap((group) => [...group.values()]);
    // Sums past 2^53 − 1 are not exact here: the engine path refuses them with its clear error.
    const labelList = [...labels.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
    if (needList.some((need) => need.credits > MAX_EXACT) || slotList.some((slot) => slot.mtCredits > MAX_EXACT) || labelList.some((l) => l.mt_credits > MAX_EXACT)) {
      this.counts.shape += 1;
      return { refused: 'shape' };
    }
    // Slot rows in one order in every group, so that two groups never wait for each other's.
    slotList.sort(bySlotKey);
    const groupSpaces = [...new Set(kindList.map((kind) => kind.spaceId))];
    try {
      await this.db.query(FAST_SQL, [
        kindList.map((k) => k.environmentId),
        kindList.map((k) => k.spaceId),
        kindList.map((k) => k.channel),
        kindList.map((k) => k.direction),
        kindList.map((k) => k.plan?.planId ?? null),
        kindList.map((k) => k.bucket),
        groupSpaces,
        groupSpaces.map((id) => signatureOf(this.spaces.get(id)!)),
        [...plans.keys()].sort(),
        needList.map((need) => need.plan.planId),
        needList.map((need) => need.bucket),
        needList.map((need) => need.credits),
        needList.map((need) => need.events),
        needList.map((need) => need.plan.latestMs),
        options.nowMs,
        textArrayLiteral(ids),
        integerArrayLiteral(kindOf),
        integerArrayLiteral(credits),
        integerArrayLiteral(occurredAfter),
        integerArrayLiteral(latestAfter),
        slotList.map((slot) => slot.spaceId),
        slotList.map((slot) => slot.planKey),
        slotList.map((slot) => slot.channel),
        slotList.map((slot) => slot.slotMs),
        slotList.map((slot) => slot.environmentId),
        slotList.map((slot) => slot.mtCredits),
        slotList.map((slot) => slot.mtEvents),
        slotList.map((slot) => slot.moEvents),
        needList.length,
        identities === null ? null : nullableTextArrayLiteral(identities),
        campaigns === null ? null : nullableTextArrayLiteral(campaigns),
        labelList.map((l) => l.space_id),
        labelList.map((l) => l.dim),
        labelList.map((l) => l.label),
        labelList.map((l) => l.slot_ms),
        labelList.map((l) => l.environment_id),
        labelList.map((l) => l.mt_credits),
        labelList.map((l) => l.mt_events),
        labelList.map((l) => l.mo_events),
        baseMs,
      ], 'usage_fast_path');
    } catch (error) {
      const code = sqlState(error);
      if (code === UNIQUE_VIOLATION) {
        // An id stored before (a resent request, a repeat across grouped requests): the engine
        // path answers it as the duplicate it is.
        this.counts.repeat += 1;
        return { refused: 'repeat' };
      }
      if (code === FAST_PATH_REFUSED) {
        // Something moved (a plan, a period, a bucket running low): the engine decides, and the
        // spaces are read again for the next group.
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
