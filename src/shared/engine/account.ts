import {
  POOL,
  allocationOf,
  bucketNames,
  type BucketName,
  type Channel,
  type Direction,
  type PlanConfig,
  type PlanPatch,
} from '../domain';
import { initialSegment, periodAt, periodOfSegment, segmentFrom, type CalendarSegment, type Period } from './calendar';
import { formatIssue, mergePatch } from './validation';

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
}

export type RejectReason = 'exhausted' | 'out_of_order';

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
    }
  | { accepted: false; reason: RejectReason; bucket: BucketName | null };

export interface UsageInput {
  id: string;
  channel: Channel;
  credits: number;
  direction: Direction;
}

/** The clock of a state that has seen nothing yet: earlier than any instant (and JSON-safe). */
export const NO_EVENT_YET_MS = Number.MIN_SAFE_INTEGER;

function freshBucket(allocation: number): BucketState {
  return { allocation, vintages: [], carriedIn: 0, used: 0, overageAdded: 0, overageAtMs: null };
}

/** A new plan's state; nothing happens before its activation instant. */
export function createPlanState(config: PlanConfig): PlanState {
  const segment = initialSegment(config.activation.date, config.activation.timeZone, config.renew);
  return { config, segment, period: null, buckets: {}, deletedAtMs: null, clockMs: NO_EVENT_YET_MS };
}

export function remainingOf(bucket: BucketState): number {
  return Math.max(0, bucket.carriedIn + bucket.allocation + bucket.overageAdded - bucket.used);
}

export function allocatedOf(bucket: BucketState): number {
  return bucket.carriedIn + bucket.allocation + bucket.overageAdded;
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
    let toSpend = bucket.used;
    for (const vintage of bucket.vintages) {
      const spent = Math.min(toSpend, vintage.credits);
      toSpend -= spent;
      const left = vintage.credits - spent;
      if (left > 0 && vintage.origin + MAX_VINTAGE_BOUNDARIES >= next) {
        vintages.push({ origin: vintage.origin, credits: left });
        carriedIn += left;
      }
    }
    const allocationLeft = bucket.allocation - Math.min(toSpend, bucket.allocation);
    if (allocationLeft > 0 && closing + MAX_VINTAGE_BOUNDARIES >= next) {
      vintages.push({ origin: closing, credits: allocationLeft });
      carriedIn += allocationLeft;
    }
  }
  return { allocation, vintages, carriedIn, used: 0, overageAdded: 0, overageAtMs: null };
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
  for (const name of bucketNames(state.config)) {
    const bucket = state.buckets[name] ?? freshBucket(allocationOf(state.config, name));
    let rolled = rollBucket(bucket, current.index, current.index + 1, rollover, bucket.allocation);
    if (target.index > current.index + 1) rolled = skipEmptyPeriods(rolled, current.index + 1, target.index, rollover);
    state.buckets[name] = rolled;
  }
  state.period = target;
}

function tick(state: PlanState, ms: number): boolean {
  if (ms < state.clockMs) return false;
  state.clockMs = ms;
  const { period } = state;
  if (period === null || (period.endMs !== null && ms >= period.endMs)) advance(state, ms);
  return true;
}

const NOT_LIMITED: UsageDecision = Object.freeze({ accepted: true, bucket: null, consumed: 0, overageTriggered: false });
const OUT_OF_ORDER: UsageDecision = Object.freeze({ accepted: false, reason: 'out_of_order', bucket: null });

/**
 * Decide one usage event at `ms` and apply it (SPEC §4). Uncovered channels, MO traffic, and
 * traffic before activation or after deletion are accepted without consuming anything.
 * Overage is added only when it makes the event fit, so a rejected event changes nothing.
 */
export function recordUsage(state: PlanState, usage: UsageInput, ms: number): UsageDecision {
  if (!tick(state, ms)) return OUT_OF_ORDER;
  if (state.period === null || state.deletedAtMs !== null) return NOT_LIMITED;
  const name: BucketName = state.config.limit === 'all_channels' ? POOL : usage.channel;
  const bucket = state.buckets[name];
  if (bucket === undefined) return NOT_LIMITED;
  if (usage.direction === 'MO') return { accepted: true, bucket: name, consumed: 0, overageTriggered: false };
  const { credits } = usage;
  const remaining = bucket.carriedIn + bucket.allocation + bucket.overageAdded - bucket.used;
  if (credits <= remaining) {
    bucket.used += credits;
    return { accepted: true, bucket: name, consumed: credits, overageTriggered: false };
  }
  if (state.config.overage && bucket.overageAtMs === null && credits <= remaining + bucket.allocation) {
    bucket.overageAdded = bucket.allocation;
    bucket.overageAtMs = ms;
    bucket.used += credits;
    return { accepted: true, bucket: name, consumed: credits, overageTriggered: true };
  }
  return { accepted: false, reason: 'exhausted', bucket: name };
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
      buckets[name] = bucket ? { ...bucket, allocation: allocationOf(next, name) } : freshBucket(allocationOf(next, name));
    }
  } else {
    const closing = state.period.index;
    const index = closing + 1;
    state.segment = segmentFrom(ms, index, next.activation.date, next.activation.timeZone, next.renew);
    state.period = periodOfSegment(state.segment, index);
    for (const name of names) {
      const bucket = state.buckets[name];
      const allocation = allocationOf(next, name);
      buckets[name] = bucket ? rollBucket(bucket, closing, index, next.rollover, allocation) : freshBucket(allocation);
    }
  }
  state.buckets = buckets;
  return { applied: true };
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
    buckets[name] = { ...bucket, vintages: bucket.vintages.map((v) => ({ ...v })) };
  }
  return {
    config: state.config,
    segment: { ...state.segment },
    period: state.period ? { ...state.period } : null,
    buckets,
    deletedAtMs: state.deletedAtMs,
    clockMs: state.clockMs,
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
  for (const name of bucketNames(copy.config)) {
    const bucket = copy.buckets[name];
    if (bucket) buckets[name] = snapshotBucket(bucket);
  }
  return { atMs: ms, deleted: false, period: copy.period, buckets };
}
