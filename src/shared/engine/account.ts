import {
  CHANNELS,
  POOL,
  allocationOf,
  bucketNames,
  type BucketName,
  type Channel,
  type Direction,
  type Money,
  type PlanConfig,
  type PlanPatch,
} from '../domain';
import { initialSegment, periodAt, periodOfSegment, segmentFrom, type CalendarSegment, type Period } from './calendar';
import { DAY_LOG_SPAN_MS, dailyLimitOf, dayWindowAt, loggedSince, slotEndOf, slotOf } from './daily';
import { addDecimals, decimalOf, formatDecimal, moneyOf, multiplyDecimal, parseDecimal, type Decimal } from './money';
import { creditsLeft, spendLots, survivingLots, type TopUpLot } from './top-up-lots';
import { formatIssue, mergePatch, planCurrency } from './validation';

/**
 * The credit state of one plan (SPEC §4–5) as plain, serializable data, advanced through time
 * by the functions below. Time is always a parameter (epoch milliseconds); the engine has no
 * clock and does no I/O. Functions named `apply…`/`record…` change the state they are given;
 * `snapshotAt` and `bucketsAt` never do.
 */

/** Credits rolled over from the allocation of period `origin`; spendable up to period origin + 3. */
export interface Vintage {
  origin: number;
  credits: number;
}

/** How many period boundaries a vintage may cross before it expires (SPEC §4). */
export const MAX_VINTAGE_BOUNDARIES = 3;

export interface BucketState {
  /** The configured credits in force (the period's allocation). */
  allocation: number;
  /** Rolled-over credits as they stood at the period start, oldest first. */
  vintages: Vintage[];
  /** Sum of the vintages' credits (kept so the hot path need not add them up). */
  carriedIn: number;
  /** Credits consumed by accepted MT events in this period. */
  used: number;
  overageAdded: number;
  /** The overage date of this period (epoch ms), or null while no overage was added. */
  overageAtMs: number | null;
  // SPEC §9's parts. Absent until a plan uses them, so a base plan's state is what it always was.
  /** Add-on credits usable in this bucket, in their order of spending (SPEC §9.2). */
  topUps?: TopUpLot[];
  /** Top-up credits spendable in this period: the rest carried in at its start plus every top-up added since. */
  topUpAvailable?: number;
  /** Top-up credits consumed in this period. */
  topUpUsed?: number;
  /** Credits accepted beyond plan credits and top-ups in this period (metered overage, SPEC §9.5). */
  metered?: number;
  /** The instant of the period's first metered event. */
  meteredAtMs?: number | null;
  /** Metered credits since the overage rate last could change, priced at the rate in force. */
  meteredAtRate?: number;
  /** The exact charge (a decimal string) of this period's metered credits priced at earlier rates. */
  meteredSettled?: string;
  /**
   * MT credits accepted in the local day that starts at `dayStartMs` (whatever paid them), for
   * the daily limit. Kept on the bucket (not per period: a day may span a renewal).
   */
  dayUsed?: number;
  dayStartMs?: number;
  /**
   * With a daily limit: slots [slot start, credits, …] (quarter hours, see daily.ts) of the last day or so, so that an edit
   * changing the zone can count what was accepted since the new zone's midnight (SPEC §9.8).
   */
  daySlots?: number[];
}

/** One "charge now" (SPEC §9.3) as its period's statement lists it. */
export interface ChargeRecord {
  id: string;
  atMs: number;
  credits: Partial<Record<BucketName, number>>;
  price: Money;
}

/** The local day (plan's zone) of the last accepted MT event: [startMs, endMs) (SPEC §9.4). */
export interface DayState {
  startMs: number;
  endMs: number;
}

export interface PlanState {
  config: PlanConfig;
  segment: CalendarSegment;
  /** The period in force, or null before activation. */
  period: Period | null;
  buckets: Partial<Record<BucketName, BucketState>>;
  deletedAtMs: number | null;
  /**
   * The latest instant the state has seen; events must not go back before it. Starts at
   * NO_EVENT_YET_MS (finite, not -Infinity, so that a state survives JSON.stringify/parse).
   */
  clockMs: number;
  day?: DayState;
  /** `never` top-ups of buckets an edit removed: usable again if the bucket comes back (SPEC §9.8). */
  parkedTopUps?: Partial<Record<BucketName, TopUpLot[]>>;
  /** The local day's counts of buckets an edit removed, restored if the bucket comes back the same day. */
  parkedDays?: Partial<Record<BucketName, { dayUsed: number; dayStartMs: number; daySlots: number[] | undefined }>>;
  /** True once the plan received any top-up or charge-now. */
  hadTopUps?: boolean;
  /** This period's charge-nows, for its statement (SPEC §9.6). */
  charges?: ChargeRecord[];
  /** The previous period's metered overage charge (SPEC §9.5), billed with this period. */
  previousMeteredCharge?: Money | null;
}

export type RejectReason = 'exhausted' | 'out_of_order' | 'daily_limit';

/** What became of one usage event. */
export type UsageDecision =
  | {
      accepted: true;
      /** The bucket charged, or null when no bucket limits the event (not covered, not active, deleted). */
      bucket: BucketName | null;
      /** Credits consumed (0 for MO events and for uncovered traffic). */
      consumed: number;
      /** True when this event triggered the period's overage. */
      overageTriggered: boolean;
      /** Credits of the event counted as metered overage (present only when some were). */
      metered?: number;
    }
  | { accepted: false; reason: RejectReason; bucket: BucketName | null };

export interface UsageInput {
  id: string;
  channel: Channel;
  /** Credits the event states; without them it costs its channel's rate (SPEC §9.1). */
  credits?: number;
  direction: Direction;
}

/** What an MT message on `channel` costs under the plan's rate card (1 without one). */
export function creditsPerMessage(config: PlanConfig, channel: Channel): number {
  return config.costs?.[channel] ?? 1;
}

/** The clock of a state that has seen nothing yet: earlier than any instant (and JSON-safe). */
export const NO_EVENT_YET_MS = Number.MIN_SAFE_INTEGER;

function freshBucket(allocation: number): BucketState {
  return makeBucket(allocation, [], 0);
}

/**
 * Every bucket is made here with every field in one order, SPEC §9's left undefined until a
 * plan uses them (JSON leaves undefined fields out, so stored states are unchanged): one object
 * shape keeps the engine's per-event property reads fast whichever parts a plan uses.
 */
function makeBucket(allocation: number, vintages: Vintage[], carriedIn: number): BucketState {
  return {
    allocation,
    vintages,
    carriedIn,
    used: 0,
    overageAdded: 0,
    overageAtMs: null,
    topUps: undefined,
    topUpAvailable: undefined,
    topUpUsed: undefined,
    metered: undefined,
    meteredAtMs: undefined,
    meteredAtRate: undefined,
    meteredSettled: undefined,
    dayUsed: undefined,
    dayStartMs: undefined,
    daySlots: undefined,
  };
}

/** A new plan's state; nothing happens before its activation instant. */
export function createPlanState(config: PlanConfig): PlanState {
  const segment = initialSegment(config.activation.date, config.activation.timeZone, config.renew);
  return {
    config,
    segment,
    period: null,
    buckets: {},
    deletedAtMs: null,
    clockMs: NO_EVENT_YET_MS,
    // SPEC §9's parts: one object shape from the start (see makeBucket).
    day: undefined,
    parkedTopUps: undefined,
    parkedDays: undefined,
    hadTopUps: undefined,
    charges: undefined,
    previousMeteredCharge: undefined,
  };
}

export function remainingOf(bucket: BucketState): number {
  return Math.max(0, bucket.carriedIn + bucket.allocation + bucket.overageAdded - bucket.used);
}

export function allocatedOf(bucket: BucketState): number {
  return bucket.carriedIn + bucket.allocation + bucket.overageAdded;
}

/** How a bucket's `used` credits fall on its plan credits: per vintage, the allocation, the overage. */
export interface PlanCreditsSpent {
  /** Spent of each of `bucket.vintages`, in their order. */
  vintages: number[];
  allocation: number;
  overage: number;
}

/**
 * The order of spending of plan credits (SPEC §4): vintages oldest first, then the allocation,
 * then overage added. The one place that says which credits `used` consumed — closing a period
 * keeps what is left of each, and an event's explanation (explain.ts) names what it took.
 */
export function planCreditsSpent(bucket: BucketState, used: number): PlanCreditsSpent {
  let toSpend = used;
  const vintages: number[] = [];
  for (const vintage of bucket.vintages) {
    const spent = Math.min(toSpend, vintage.credits);
    toSpend -= spent;
    vintages.push(spent);
  }
  const allocation = Math.min(toSpend, bucket.allocation);
  toSpend -= allocation;
  return { vintages, allocation, overage: Math.min(toSpend, bucket.overageAdded) };
}

/**
 * Close a bucket's period and open the next one (index `next`). Credits are spent oldest first
 * (vintages by age, then the allocation, then overage), so what is left of each source is the
 * waterfall of `used` through them. The allocation's unused part becomes a vintage when the
 * plan rolls over; vintages older than three boundaries and all overage expire.
 */
function rollBucket(bucket: BucketState, closing: number, next: number, rollover: boolean, allocation: number): BucketState {
  const vintages: Vintage[] = [];
  let carriedIn = 0;
  if (rollover) {
    const spent = planCreditsSpent(bucket, bucket.used);
    bucket.vintages.forEach((vintage, i) => {
      const left = vintage.credits - (spent.vintages[i] as number);
      if (left > 0 && vintage.origin + MAX_VINTAGE_BOUNDARIES >= next) {
        vintages.push({ origin: vintage.origin, credits: left });
        carriedIn += left;
      }
    });
    const allocationLeft = bucket.allocation - spent.allocation;
    if (allocationLeft > 0 && closing + MAX_VINTAGE_BOUNDARIES >= next) {
      vintages.push({ origin: closing, credits: allocationLeft });
      carriedIn += allocationLeft;
    }
  }
  const rolled = makeBucket(allocation, vintages, carriedIn);
  // A local day may span the period boundary: its count goes on.
  if (bucket.dayStartMs !== undefined) {
    rolled.dayUsed = bucket.dayUsed ?? 0;
    rolled.dayStartMs = bucket.dayStartMs;
  }
  if (bucket.daySlots !== undefined) rolled.daySlots = bucket.daySlots;
  // Top-ups are not allocation: they never become vintages; `never` ones carry whole (SPEC §9.2).
  if (bucket.topUps !== undefined) {
    rolled.topUps = survivingLots(bucket.topUps, next);
    rolled.topUpAvailable = creditsLeft(rolled.topUps);
    rolled.topUpUsed = 0;
  }
  // Nothing negative carries: the next period starts from its allocation (SPEC §9.5).
  if (bucket.metered !== undefined) resetMetered(rolled);
  return rolled;
}

function resetMetered(bucket: BucketState): void {
  bucket.metered = 0;
  bucket.meteredAtMs = null;
  bucket.meteredAtRate = 0;
  bucket.meteredSettled = '0';
}

const ZERO: Decimal = { units: 0n, scale: 0 };

/** The exact charge of a bucket's metered credits this period: each priced at the rate in force when metered. */
export function meteredChargeOf(bucket: BucketState, config: PlanConfig): Decimal {
  let total = parseDecimal(bucket.meteredSettled ?? '0') ?? ZERO;
  const atRate = bucket.meteredAtRate ?? 0;
  if (atRate > 0 && config.overageRate !== undefined) total = addDecimals(total, multiplyDecimal(decimalOf(config.overageRate), atRate));
  return total;
}

/** Price the metered credits counted so far at the rate in force, before an edit may change it. */
function settleMetered(state: PlanState): void {
  for (const bucket of Object.values(state.buckets)) {
    if (bucket === undefined || (bucket.meteredAtRate ?? 0) === 0) continue;
    bucket.meteredSettled = formatDecimal(meteredChargeOf(bucket, state.config));
    bucket.meteredAtRate = 0;
  }
}

/** The plan's metered overage charge this period: each bucket's exact sum rounded once, then added (SPEC §9.8). */
export function periodMeteredCharge(state: PlanState): Money | null {
  const currency = planCurrency(state.config);
  if (currency === null) return null;
  let total = ZERO;
  for (const bucket of Object.values(state.buckets)) {
    if (bucket !== undefined && bucket.metered !== undefined) total = addDecimals(total, decimalOf(moneyOf(meteredChargeOf(bucket, state.config), currency)));
  }
  return moneyOf(total, currency);
}

/**
 * A period closes: its metered charge becomes the one billed with the next period (nothing was
 * metered in periods jumped over), and its charge-nows leave the current statement.
 */
function closeStatement(state: PlanState, adjacent: boolean): void {
  const metered = Object.values(state.buckets).some((b) => b !== undefined && b.metered !== undefined);
  if (metered || state.previousMeteredCharge != null) {
    const charge = periodMeteredCharge(state);
    state.previousMeteredCharge = charge === null ? null : adjacent ? charge : moneyOf(ZERO, charge.currency);
  }
  if (state.charges !== undefined) state.charges = [];
}

/**
 * Jump a bucket over `empty` further periods in which nothing was used (after the first roll).
 * Equivalent to rolling one period at a time, in constant work.
 */
function skipEmptyPeriods(bucket: BucketState, from: number, to: number, rollover: boolean): BucketState {
  if (!rollover) return { ...bucket, vintages: [], carriedIn: 0 };
  const vintages = bucket.vintages.filter((v) => v.origin + MAX_VINTAGE_BOUNDARIES >= to);
  for (let origin = Math.max(from, to - MAX_VINTAGE_BOUNDARIES); origin < to; origin += 1) {
    vintages.push({ origin, credits: bucket.allocation });
  }
  let carriedIn = 0;
  for (const v of vintages) carriedIn += v.credits;
  return { ...bucket, vintages, carriedIn };
}

/**
 * The period `advance` would put in force at `ms` (≥ the state's clock), without changing the
 * state or copying it: for questions about an instant (a charge-now's quote) on a live plan.
 */
export function periodInForceAt(state: PlanState, ms: number): Period | null {
  let current = state.period;
  if (state.deletedAtMs !== null) return current;
  if (current === null) {
    if (ms < state.segment.startMs) return null;
    current = periodOfSegment(state.segment, state.segment.firstIndex);
  }
  return current.endMs === null || ms < current.endMs ? current : periodAt(state.segment, ms);
}

/** Move the state's current period forward to the one containing `ms` (no-op if already there). */
function advance(state: PlanState, ms: number): void {
  if (state.deletedAtMs !== null) return;
  if (state.period === null) {
    if (ms < state.segment.startMs) return;
    state.period = periodOfSegment(state.segment, state.segment.firstIndex);
    for (const name of bucketNames(state.config)) state.buckets[name] = freshBucket(allocationOf(state.config, name));
  }
  const current = state.period;
  if (current.endMs === null || ms < current.endMs) return;
  const target = periodAt(state.segment, ms);
  const { rollover } = state.config;
  closeStatement(state, target.index === current.index + 1);
  for (const name of bucketNames(state.config)) {
    const bucket = state.buckets[name] ?? freshBucket(allocationOf(state.config, name));
    let rolled = rollBucket(bucket, current.index, current.index + 1, rollover, bucket.allocation);
    if (target.index > current.index + 1) rolled = skipEmptyPeriods(rolled, current.index + 1, target.index, rollover);
    state.buckets[name] = rolled;
  }
  state.period = target;
}

/**
 * Let time pass until `ms` (periods roll over on the way); false, changing nothing, when `ms`
 * is earlier than what the state has already seen.
 */
export function tick(state: PlanState, ms: number): boolean {
  if (ms < state.clockMs) return false;
  state.clockMs = ms;
  const { period } = state;
  if (period === null || (period.endMs !== null && ms >= period.endMs)) advance(state, ms);
  return true;
}

/** What a channel's MT message meets under one plan version: its bucket's daily limit and its rate. */
interface ChannelTerms {
  rate: number;
  /** The bucket's daily limit (Infinity without one). */
  dailyLimit: number;
  overDailyLimit: UsageDecision;
}

const channelTerms = new WeakMap<PlanConfig, Record<Channel, ChannelTerms>>();
/** The plan version whose terms were asked for last, and those terms: the next event's, mostly. */
let lastTermsConfig: PlanConfig | null = null;
let lastTerms: Record<Channel, ChannelTerms> | null = null;

/**
 * The terms of every channel under `config` (plan versions are never changed, only replaced).
 * Kept this small so that the compiler inlines it into the per-event path; the work is below.
 */
function channelTermsOf(config: PlanConfig): Record<Channel, ChannelTerms> {
  return lastTermsConfig === config && lastTerms !== null ? lastTerms : rememberTermsOf(config);
}

function rememberTermsOf(config: PlanConfig): Record<Channel, ChannelTerms> {
  let terms = channelTerms.get(config);
  if (terms === undefined) {
    const made: Partial<Record<Channel, ChannelTerms>> = {};
    const { dailyLimit } = config;
    for (const channel of CHANNELS) {
      const bucket: BucketName = config.limit === 'all_channels' ? POOL : channel;
      const limit = dailyLimit === undefined ? undefined : typeof dailyLimit === 'number' ? dailyLimit : bucket === POOL ? undefined : dailyLimit[bucket];
      made[channel] = {
        rate: creditsPerMessage(config, channel),
        dailyLimit: limit ?? Infinity,
        overDailyLimit: Object.freeze({ accepted: false, reason: 'daily_limit', bucket }),
      };
    }
    terms = made as Record<Channel, ChannelTerms>;
    channelTerms.set(config, terms);
  }
  lastTermsConfig = config;
  lastTerms = terms;
  return terms;
}

/**
 * A channel's terms through named reads. A computed read (`terms[channel]`) sees five names at
 * one site and goes megamorphic: a lookup in V8's stub cache per event, the largest single cost
 * the rate card and daily limit added to an event. The compiler checks that every channel is here.
 */
function termsOfChannel(terms: Record<Channel, ChannelTerms>, channel: Channel): ChannelTerms {
  switch (channel) {
    case 'SMS':
      return terms.SMS;
    case 'WhatsApp':
      return terms.WhatsApp;
    case 'Email':
      return terms.Email;
    case 'Push':
      return terms.Push;
    case 'RCS':
      return terms.RCS;
  }
}

const NOT_LIMITED: UsageDecision = Object.freeze({ accepted: true, bucket: null, consumed: 0, overageTriggered: false });
const OUT_OF_ORDER: UsageDecision = Object.freeze({ accepted: false, reason: 'out_of_order', bucket: null });

/**
 * Decide one usage event at `ms` and apply it (SPEC §4, §9). Uncovered channels, MO traffic,
 * and traffic before activation or after deletion are accepted without consuming anything. An
 * MT event first passes the bucket's daily limit, then is paid in the order of spending: plan
 * credits (vintages, allocation), top-ups, overage, metered overage. Overage is added only when
 * it makes the event fit, so a rejected event changes nothing.
 */
export function recordUsage(state: PlanState, usage: UsageInput, ms: number): UsageDecision {
  if (!tick(state, ms)) return OUT_OF_ORDER;
  if (state.period === null || state.deletedAtMs !== null) return NOT_LIMITED;
  const { config } = state;
  const name: BucketName = config.limit === 'all_channels' ? POOL : usage.channel;
  const bucket = state.buckets[name];
  if (bucket === undefined) return NOT_LIMITED;
  if (usage.direction === 'MO') return { accepted: true, bucket: name, consumed: 0, overageTriggered: false };
  const { costs, dailyLimit } = config;
  // A base plan reads nothing more; a plan with a rate card or a daily limit reads the
  // channel's terms, worked out once per plan version (SPEC §9.1, §9.4).
  const terms = costs === undefined && dailyLimit === undefined ? undefined : termsOfChannel(channelTermsOf(config), usage.channel);
  const credits = usage.credits ?? (terms === undefined ? 1 : terms.rate);
  let day = state.day;
  // A new day is only kept once an event is accepted in it: a rejected event changes nothing.
  if (day === undefined || ms >= day.endMs) day = dayWindowMemo(ms, config.activation.timeZone);
  const sameDay = bucket.dayStartMs === day.startMs;
  const usedToday = sameDay ? (bucket.dayUsed as number) + credits : credits;
  // The daily check comes first: a daily_limit rejection never triggers overage (SPEC §9.4).
  if (terms !== undefined && usedToday > terms.dailyLimit) return terms.overDailyLimit;
  let decision: UsageDecision;
  // The common case: the event fits in the plan credits spent first (vintages, allocation).
  if (credits <= bucket.carriedIn + bucket.allocation - bucket.used) {
    bucket.used += credits;
    decision = { accepted: true, bucket: name, consumed: credits, overageTriggered: false };
  } else {
    decision = spendBeyondAllocation(state, bucket, name, credits, ms);
    if (!decision.accepted) return decision;
  }
  if (sameDay && day === state.day) {
    // Still the day of the plan's last accepted event: only the counts move.
    bucket.dayUsed = usedToday;
    if (dailyLimit !== undefined) addToSlots(bucket, credits, ms - day.startMs);
  } else countToday(state, bucket, day, usedToday, credits, ms);
  return decision;
}

/**
 * An event that the vintages and allocation alone cannot pay: the rest comes from top-ups
 * (`period_end` ones, then `never` ones), then from overage already added, and only when all of
 * them together fall short is overage triggered (once, if that makes it fit) or, on a metered
 * plan, the shortfall metered.
 */
function spendBeyondAllocation(state: PlanState, bucket: BucketState, name: BucketName, credits: number, ms: number): UsageDecision {
  const base = Math.max(0, bucket.carriedIn + bucket.allocation - bucket.used);
  let planLeft = Math.max(0, bucket.carriedIn + bucket.allocation + bucket.overageAdded - bucket.used);
  const topUpLeft = (bucket.topUpAvailable ?? 0) - (bucket.topUpUsed ?? 0);
  let overageTriggered = false;
  let metered = 0;
  if (credits > planLeft + topUpLeft) {
    const { config } = state;
    const withOverage = Math.max(0, bucket.carriedIn + bucket.allocation * 2 - bucket.used);
    if (config.overageMetered === true) {
      metered = credits - planLeft - topUpLeft;
    } else if (config.overage && bucket.overageAtMs === null && credits <= withOverage + topUpLeft) {
      bucket.overageAdded = bucket.allocation;
      bucket.overageAtMs = ms;
      overageTriggered = true;
      planLeft = withOverage;
    } else {
      return { accepted: false, reason: 'exhausted', bucket: name };
    }
  }
  let rest = credits - metered;
  const fromBase = Math.min(rest, base);
  rest -= fromBase;
  const fromTopUps = Math.min(rest, topUpLeft);
  rest -= fromTopUps;
  if (fromTopUps > 0 && bucket.topUps !== undefined) {
    spendLots(bucket.topUps, fromTopUps);
    bucket.topUpUsed = (bucket.topUpUsed ?? 0) + fromTopUps;
  }
  // What is left of the event now comes from the overage part of the plan credits.
  bucket.used += fromBase + rest;
  if (metered === 0) return { accepted: true, bucket: name, consumed: credits, overageTriggered };
  if (bucket.metered === undefined) resetMetered(bucket);
  bucket.metered = (bucket.metered as number) + metered;
  bucket.meteredAtRate = (bucket.meteredAtRate ?? 0) + metered;
  bucket.meteredAtMs ??= ms;
  return { accepted: true, bucket: name, consumed: credits, overageTriggered, metered };
}

/** The last day window computed per zone: the next events mostly fall in it (a pure memo). */
const dayWindows = new Map<string, DayState>();

function dayWindowMemo(ms: number, timeZone: string): DayState {
  const known = dayWindows.get(timeZone);
  if (known !== undefined && ms >= known.startMs && ms < known.endMs) return known;
  const { startMs, endMs } = dayWindowAt(ms, timeZone);
  const window = Object.freeze({ startMs, endMs });
  if (dayWindows.size > 256) dayWindows.clear();
  dayWindows.set(timeZone, window);
  return window;
}

function countToday(state: PlanState, bucket: BucketState, day: DayState, usedToday: number, credits: number, ms: number): void {
  // The day windows are frozen memo objects, shared rather than copied.
  if (state.day !== day) state.day = day;
  if (bucket.dayStartMs !== day.startMs) {
    bucket.dayStartMs = day.startMs;
    // A new day for this bucket: keep the slots of the last day or so only.
    if (bucket.daySlots !== undefined) bucket.daySlots = recentSlots(bucket.daySlots, day.startMs);
  }
  bucket.dayUsed = usedToday;
  if (state.config.dailyLimit !== undefined) addToSlots(bucket, credits, ms - day.startMs);
}

/**
 * Count an accepted event's credits in the bucket's slots. The event's instant comes as its
 * offset from the start of the bucket's day: a small integer, which a call passes as is, where
 * an instant (beyond 2^31) would be boxed, one allocation per event with a daily limit.
 */
function addToSlots(bucket: BucketState, credits: number, sinceDayStartMs: number): void {
  const ms = (bucket.dayStartMs as number) + sinceDayStartMs;
  const slots = (bucket.daySlots ??= []);
  const last = slots.length - 2;
  // Events come in time order, so the event is in the last slot unless that slot has ended.
  if (last >= 0 && ms < slotEndOf(slots[last] as number)) slots[last + 1] = (slots[last + 1] as number) + credits;
  else slots.push(slotOf(ms), credits);
}

function recentSlots(slots: number[], dayStartMs: number): number[] {
  let from = 0;
  while (from < slots.length && (slots[from] as number) < dayStartMs - DAY_LOG_SPAN_MS) from += 2;
  // In place, as the slots are counted: the array keeps its capacity, so the day's slots grow
  // into it without the copies a fresh array (then grown by push) would make every day.
  if (from > 0) slots.splice(0, from);
  return slots;
}

/**
 * After an edit: the day follows the plan's (possibly new) zone, and every MT credit accepted
 * since that day's local midnight counts (SPEC §9.8) — from the quarter-hour slots when the plan kept
 * them, otherwise the credits of the day already counted.
 */
function reopenDay(state: PlanState, previous: PlanConfig, ms: number): void {
  const day = state.day;
  if (day === undefined || previous.activation.timeZone === state.config.activation.timeZone) return;
  const window = dayWindowMemo(ms, state.config.activation.timeZone);
  state.day = window;
  for (const bucket of Object.values(state.buckets)) {
    if (bucket === undefined || bucket.dayStartMs === undefined) continue;
    // Without slots, the counts of the day in force are the best knowledge (none if that day is over).
    const used = bucket.daySlots !== undefined ? loggedSince(bucket.daySlots, window.startMs) : ms < day.endMs ? (bucket.dayUsed ?? 0) : 0;
    bucket.dayStartMs = window.startMs;
    bucket.dayUsed = used;
  }
}

export type EditResult = { applied: true } | { applied: false; reason: string };

function sameCalendar(a: PlanConfig, b: PlanConfig): boolean {
  return (
    a.renew === b.renew && a.activation.date === b.activation.date && a.activation.timeZone === b.activation.timeZone
  );
}

/**
 * Apply an edit at `ms` (SPEC §5). The new credits are the total allocation of the current
 * period, consumption included, and of every later one. An edit that keeps the activation
 * date, zone and renewal keeps the calendar; one that changes any of them starts a new period
 * at `ms`, into which unused credits roll over as at a normal boundary.
 */
export function applyEdit(state: PlanState, patch: PlanPatch, ms: number): EditResult {
  if (ms < state.clockMs) return { applied: false, reason: 'edit is earlier than events already applied' };
  if (state.deletedAtMs !== null && ms >= state.deletedAtMs) return { applied: false, reason: 'the plan is deleted' };
  const merged = mergePatch(state.config, patch);
  if (!merged.ok) return { applied: false, reason: merged.issues.map(formatIssue).join('; ') };
  tick(state, ms);
  const next = merged.value;
  const previous = state.config;
  // Metered credits so far keep the rate they were metered at (SPEC §9.8).
  settleMetered(state);
  state.config = next;

  if (state.period === null) {
    // Not active yet: the new terms simply replace the old ones; the calendar follows them.
    state.segment = initialSegment(next.activation.date, next.activation.timeZone, next.renew);
    advance(state, ms);
    return { applied: true };
  }

  const names = bucketNames(next);
  const buckets: Partial<Record<BucketName, BucketState>> = {};
  const moves = !sameCalendar(previous, next);
  if (!moves || ms === state.period.startMs) {
    // The calendar stays, or the current period starts at this very instant and so already is
    // the "new period at the edit's time" (closing it would create a zero-length period whose
    // whole allocation rolls over again). Either way the current period continues.
    if (moves) {
      state.segment = segmentFrom(ms, state.period.index, next.activation.date, next.activation.timeZone, next.renew);
      state.period = periodOfSegment(state.segment, state.period.index);
    }
    for (const name of names) {
      const bucket = state.buckets[name];
      buckets[name] = bucket ? { ...bucket, allocation: allocationOf(next, name) } : returningBucket(state, name, allocationOf(next, name));
    }
  } else {
    const closing = state.period.index;
    const index = closing + 1;
    state.segment = segmentFrom(ms, index, next.activation.date, next.activation.timeZone, next.renew);
    state.period = periodOfSegment(state.segment, index);
    closeStatement(state, true);
    for (const name of names) {
      const bucket = state.buckets[name];
      const allocation = allocationOf(next, name);
      // A `period_end` top-up left when an edit starts a new period stays until that period ends (SPEC §9.8).
      for (const lot of bucket?.topUps ?? []) if (lot.untilPeriod === closing) lot.untilPeriod = index;
      buckets[name] = bucket ? rollBucket(bucket, closing, index, next.rollover, allocation) : returningBucket(state, name, allocation);
    }
  }
  // The top-ups of a bucket the edit removed are unusable while it is out; `never` ones come back
  // with it, and so does its count of the local day.
  for (const [name, bucket] of Object.entries(state.buckets) as [BucketName, BucketState][]) {
    if (buckets[name] !== undefined) continue;
    if (bucket.dayStartMs !== undefined) {
      (state.parkedDays ??= {})[name] = { dayUsed: bucket.dayUsed ?? 0, dayStartMs: bucket.dayStartMs, daySlots: bucket.daySlots };
    }
    if (bucket.topUps === undefined) continue;
    const kept = bucket.topUps.filter((lot) => lot.expires === 'never' && lot.left > 0).map((lot) => ({ ...lot }));
    if (kept.length > 0) (state.parkedTopUps ??= {})[name] = kept;
  }
  state.buckets = buckets;
  reopenDay(state, previous, ms);
  return { applied: true };
}

/** A bucket an edit adds: a fresh allocation, with the `never` top-ups it had if it was removed before. */
function returningBucket(state: PlanState, name: BucketName, allocation: number): BucketState {
  const bucket = freshBucket(allocation);
  const parked = state.parkedTopUps?.[name];
  if (parked !== undefined && state.parkedTopUps !== undefined) {
    delete state.parkedTopUps[name];
    bucket.topUps = parked;
    bucket.topUpAvailable = creditsLeft(parked);
    bucket.topUpUsed = 0;
  }
  const day = state.parkedDays?.[name];
  if (day !== undefined && state.parkedDays !== undefined) {
    delete state.parkedDays[name];
    bucket.dayUsed = day.dayUsed;
    bucket.dayStartMs = day.dayStartMs;
    bucket.daySlots = day.daySlots;
  }
  return bucket;
}

/** End the plan at `ms`; its state up to then stays readable through the history. */
export function applyDelete(state: PlanState, ms: number): EditResult {
  if (ms < state.clockMs) return { applied: false, reason: 'delete is earlier than events already applied' };
  if (state.deletedAtMs !== null) return { applied: false, reason: 'the plan is already deleted' };
  tick(state, ms);
  state.deletedAtMs = ms;
  return { applied: true };
}

export function cloneState(state: PlanState): PlanState {
  const buckets: Partial<Record<BucketName, BucketState>> = {};
  for (const [name, bucket] of Object.entries(state.buckets) as [BucketName, BucketState][]) {
    const copy: BucketState = { ...bucket, vintages: bucket.vintages.map((v) => ({ ...v })) };
    if (bucket.topUps !== undefined) copy.topUps = bucket.topUps.map((lot) => ({ ...lot }));
    if (bucket.daySlots !== undefined) copy.daySlots = [...bucket.daySlots];
    buckets[name] = copy;
  }
  return {
    config: state.config,
    segment: { ...state.segment },
    period: state.period ? { ...state.period } : null,
    buckets,
    deletedAtMs: state.deletedAtMs,
    clockMs: state.clockMs,
    day: state.day === undefined ? undefined : { ...state.day },
    parkedTopUps:
      state.parkedTopUps === undefined
        ? undefined
        : Object.fromEntries(Object.entries(state.parkedTopUps).map(([k, lots]) => [k, (lots ?? []).map((lot) => ({ ...lot }))])),
    parkedDays:
      state.parkedDays === undefined
        ? undefined
        : Object.fromEntries(Object.entries(state.parkedDays).map(([k, d]) => [k, d && { ...d, daySlots: d.daySlots && [...d.daySlots] }])),
    hadTopUps: state.hadTopUps,
    charges: state.charges?.map((c) => ({ ...c, credits: { ...c.credits } })),
    previousMeteredCharge: state.previousMeteredCharge,
  };
}

/** One bucket as SPEC §8 reports it. */
export interface BucketSnapshot {
  allocated: number;
  used: number;
  remaining: number;
  carriedIn: number;
  allocation: number;
  overage: { added: number; atMs: number | null };
  // SPEC §9.7, present only when the plan uses the part:
  /** Once the plan has received any top-up or charge-now: this period's top-up credits and the lots. */
  topUps?: { available: number; used: number; remaining: number; lots: TopUpLot[] };
  /** With a daily limit: the limit (null for a channel the map does not list) and the local day's MT credits. */
  daily?: { limit: number | null; used: number };
  /** With metered overage: this period's metered credits, the first metered instant and the charge. */
  metered?: { credits: number; atMs: number | null; charge: Money };
}

export interface PlanSnapshot {
  atMs: number;
  deleted: boolean;
  period: Period | null;
  buckets: Partial<Record<BucketName, BucketSnapshot>>;
}

export function snapshotBucket(bucket: BucketState): BucketSnapshot {
  return {
    allocated: allocatedOf(bucket),
    used: bucket.used,
    remaining: remainingOf(bucket),
    carriedIn: bucket.carriedIn,
    allocation: bucket.allocation,
    overage: { added: bucket.overageAdded, atMs: bucket.overageAtMs },
  };
}

/** The state of every bucket at `ms` (≥ the state's clock), without changing `state`. */
export function snapshotAt(state: PlanState, ms: number): PlanSnapshot {
  if (state.deletedAtMs !== null && ms >= state.deletedAtMs) return { atMs: ms, deleted: true, period: null, buckets: {} };
  const copy = cloneState(state);
  advance(copy, Math.max(ms, copy.clockMs));
  if (copy.period === null) return { atMs: ms, deleted: false, period: null, buckets: {} };
  const buckets: Partial<Record<BucketName, BucketSnapshot>> = {};
  const { config } = copy;
  const currency = planCurrency(config);
  for (const name of bucketNames(config)) {
    const bucket = copy.buckets[name];
    if (!bucket) continue;
    const snap = snapshotBucket(bucket);
    if (copy.hadTopUps === true) {
      const available = bucket.topUpAvailable ?? 0;
      const used = bucket.topUpUsed ?? 0;
      snap.topUps = { available, used, remaining: available - used, lots: (bucket.topUps ?? []).map((lot) => ({ ...lot })) };
    }
    if (config.dailyLimit !== undefined) snap.daily = { limit: dailyLimitOf(config, name), used: dailyUsedAt(state, name, ms) };
    if (config.overageMetered === true && currency !== null) {
      snap.metered = { credits: bucket.metered ?? 0, atMs: bucket.meteredAtMs ?? null, charge: moneyOf(meteredChargeOf(bucket, config), currency) };
    }
    buckets[name] = snap;
  }
  return { atMs: ms, deleted: false, period: copy.period, buckets };
}

/** MT credits a bucket accepted in the local day (plan's zone) that contains `ms`. */
export function dailyUsedAt(state: PlanState, name: BucketName, ms: number): number {
  const bucket = state.buckets[name];
  if (bucket === undefined || bucket.dayStartMs === undefined) return 0;
  const window = dayWindowMemo(Math.max(ms, state.clockMs), state.config.activation.timeZone);
  if (bucket.dayStartMs === window.startMs) return bucket.dayUsed ?? 0;
  const slots = bucket.daySlots;
  if (slots === undefined) return 0;
  let sum = 0;
  for (let i = 0; i < slots.length; i += 2) {
    const slot = slots[i] as number;
    if (slot >= window.startMs && slot < window.endMs) sum += slots[i + 1] as number;
  }
  return sum;
}
