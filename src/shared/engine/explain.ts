import { POOL, type BucketName } from '../domain';
import {
  creditsPerMessage,
  dailyUsedAt,
  planCreditsSpent,
  recordUsage,
  remainingOf,
  tick,
  type BucketState,
  type PlanState,
  type RejectReason,
  type UsageDecision,
  type UsageInput,
  type Vintage,
} from './account';
import { isoSecond, periodOfSegment, type Period } from './calendar';
import { dailyLimitOf } from './daily';
import type { TopUpExpiry } from './top-up-lots';

/**
 * Why a usage event was charged or refused (the event explorer). `explainUsage` decides the
 * event through `recordUsage` itself — the one code path that decides — and reads what it took
 * from the bucket's state before and after: plan credits through `planCreditsSpent` (the order
 * of spending that also closes periods), top-ups lot by lot, metered credits. Nothing here runs
 * unless an explanation is asked for: `recordUsage` stays as it was.
 */

/** One part of what paid an accepted event, in the order the engine spent them. */
export type Tranche =
  /** Credits rolled over from the allocation of period `origin` (SPEC §4). */
  | { source: 'rollover'; origin: number; period: Period | null; credits: number }
  /** The allocation of the period in force. */
  | { source: 'allocation'; origin: number; credits: number }
  /** A top-up lot (SPEC §9.2) or the credits a charge-now added (SPEC §9.3). */
  | { source: 'top_up'; lot: string; expires: TopUpExpiry; credits: number }
  /** Overage added this period (SPEC §4): triggered by this very event or earlier. */
  | { source: 'overage'; credits: number; triggered: boolean }
  /** Metered overage, billed at the overage rate (SPEC §9.5). */
  | { source: 'metered'; credits: number };

/** A bucket's credits at one instant, by where they come from. */
export interface BucketBalance {
  /** Credits left of each rolled-over vintage, oldest first, with its period when known. */
  vintages: (Vintage & { period: Period | null })[];
  allocation: number;
  allocationLeft: number;
  overageAdded: number;
  overageLeft: number;
  /** Plan credits left (vintages + allocation + overage), as SPEC §8 reports `remaining`. */
  remaining: number;
  used: number;
  /** Top-up credits left (0 when the bucket has none). */
  topUpsLeft: number;
  /** Metered credits this period (metered plans only). */
  metered?: number;
  /** With a daily limit: the bucket's limit (null: not limited) and the MT credits of the local day. */
  daily?: { limit: number | null; used: number };
}

export interface UsageExplanation {
  decision: UsageDecision;
  /** Credits the event costs: its own, or its channel's rate in force (SPEC §9.1); 0 for MO. */
  credits: number;
  /** The period in force when it was decided (null before activation or after deletion). */
  period: Period | null;
  bucket: BucketName | null;
  /** What paid it, in the order of spending; empty for a refusal or an event that costs nothing. */
  tranches: Tranche[];
  /** The bucket before and after the event (equal for a refusal: it refused on `before`). */
  before: BucketBalance | null;
  after: BucketBalance | null;
  /** For out_of_order: the latest instant the plan had already seen. */
  clockMs?: number;
  /** True when the plan was deleted at the event's instant. */
  deleted?: boolean;
}

function balanceOf(state: PlanState, name: BucketName, bucket: BucketState, ms: number): BucketBalance {
  const spent = planCreditsSpent(bucket, bucket.used);
  let topUpsLeft = 0;
  for (const lot of bucket.topUps ?? []) topUpsLeft += lot.left;
  const balance: BucketBalance = {
    vintages: bucket.vintages.map((v, i) => ({ origin: v.origin, credits: v.credits - (spent.vintages[i] as number), period: periodOf(state, v.origin) })),
    allocation: bucket.allocation,
    allocationLeft: bucket.allocation - spent.allocation,
    overageAdded: bucket.overageAdded,
    overageLeft: bucket.overageAdded - spent.overage,
    remaining: remainingOf(bucket),
    used: bucket.used,
    topUpsLeft,
  };
  if (bucket.metered !== undefined) balance.metered = bucket.metered;
  if (state.config.dailyLimit !== undefined) balance.daily = { limit: dailyLimitOf(state.config, name), used: dailyUsedAt(state, name, ms) };
  return balance;
}

/** The period of index `origin` when the current calendar still knows it (an edit that moved the calendar forgets earlier ones). */
function periodOf(state: PlanState, origin: number): Period | null {
  if (origin < state.segment.firstIndex) return null;
  if (state.period !== null && origin === state.period.index) return { ...state.period };
  return periodOfSegment(state.segment, origin);
}

/** What one decision took from a bucket: the difference of its state before and after. */
function tranchesOf(state: PlanState, before: BucketState, lotsBefore: number[], after: BucketState, decision: UsageDecision): Tranche[] {
  const tranches: Tranche[] = [];
  const spentBefore = planCreditsSpent(before, before.used);
  const spentAfter = planCreditsSpent(after, after.used);
  after.vintages.forEach((vintage, i) => {
    const credits = (spentAfter.vintages[i] as number) - (spentBefore.vintages[i] ?? 0);
    if (credits > 0) tranches.push({ source: 'rollover', origin: vintage.origin, period: periodOf(state, vintage.origin), credits });
  });
  const fromAllocation = spentAfter.allocation - spentBefore.allocation;
  if (fromAllocation > 0) tranches.push({ source: 'allocation', origin: state.period?.index ?? 0, credits: fromAllocation });
  // Top-ups are spent after the allocation and before overage (SPEC §9.2), lot by lot in their order.
  (after.topUps ?? []).forEach((lot, i) => {
    const credits = (lotsBefore[i] ?? lot.left) - lot.left;
    if (credits > 0) tranches.push({ source: 'top_up', lot: lot.id, expires: lot.expires, credits });
  });
  // An edit that lowered the allocation can leave a bucket with more used than it holds. The
  // overage an event triggers then covers that excess too; what it covers is not this event's
  // payment, so it is not in its tranche (the tranches add up to the event's credits).
  const unfunded = (bucket: BucketState, spent: ReturnType<typeof planCreditsSpent>) =>
    bucket.used - spent.vintages.reduce((sum, credits) => sum + credits, 0) - spent.allocation - spent.overage;
  const coveredExcess = Math.max(0, unfunded(before, spentBefore) - unfunded(after, spentAfter));
  const fromOverage = spentAfter.overage - spentBefore.overage - coveredExcess;
  const triggered = decision.accepted && decision.overageTriggered;
  if (fromOverage > 0) tranches.push({ source: 'overage', credits: fromOverage, triggered });
  if (decision.accepted && decision.metered !== undefined) tranches.push({ source: 'metered', credits: decision.metered });
  return tranches;
}

/**
 * Decide one usage event at `ms` exactly as `recordUsage` does (same effect on `state`) and say
 * why: the tranches that paid it and the bucket's balance before and after, or the reason of a
 * refusal and the balance that refused it.
 */
export function explainUsage(state: PlanState, usage: UsageInput, ms: number): UsageExplanation {
  const clockBefore = state.clockMs;
  // Periods roll before the event is weighed: "before" is the bucket as the event found it.
  if (!tick(state, ms)) {
    const decision = recordUsage(state, usage, ms);
    return { decision, credits: 0, period: state.period && { ...state.period }, bucket: null, tranches: [], before: null, after: null, clockMs: clockBefore };
  }
  const { config } = state;
  const name: BucketName = config.limit === 'all_channels' ? POOL : usage.channel;
  const live = state.period !== null && state.deletedAtMs === null;
  const bucket = live ? state.buckets[name] : undefined;
  const credits = usage.direction === 'MO' || bucket === undefined ? 0 : (usage.credits ?? creditsPerMessage(config, usage.channel));
  const period = state.period && { ...state.period };
  const snapshot = bucket && { ...bucket, vintages: bucket.vintages.map((v) => ({ ...v })) };
  const lotsBefore = bucket?.topUps?.map((lot) => lot.left) ?? [];
  const before = bucket && balanceOf(state, name, bucket, ms);
  const decision = recordUsage(state, usage, ms);
  const explanation: UsageExplanation = { decision, credits, period, bucket: decision.bucket, tranches: [], before: before ?? null, after: null };
  if (state.deletedAtMs !== null) explanation.deleted = true;
  const afterBucket = state.buckets[name];
  if (bucket === undefined || snapshot === undefined || afterBucket === undefined) return explanation;
  explanation.after = balanceOf(state, name, afterBucket, ms);
  if (decision.accepted) explanation.tranches = tranchesOf(state, snapshot, lotsBefore, afterBucket, decision);
  return explanation;
}

/**
 * An explanation as documents show it (scenario output, the ledger's `usage.explain`): instants
 * as ISO-8601 UTC seconds. The shape is documented in docs/credit-rules.md.
 */
export interface PeriodText {
  index: number;
  start: string;
  end: string | null;
}

export type TrancheText =
  | { source: 'rollover'; origin: number; period: PeriodText | null; credits: number }
  | { source: 'allocation'; origin: number; credits: number }
  | { source: 'top_up'; lot: string; expires: TopUpExpiry; credits: number }
  | { source: 'overage'; credits: number; triggered: boolean }
  | { source: 'metered'; credits: number };

/** A balance as documents show it: vintages' periods as text. */
export type BalanceText = Omit<BucketBalance, 'vintages'> & { vintages: { origin: number; credits: number; period: PeriodText | null }[] };

function balanceText(balance: BucketBalance | null): BalanceText | null {
  if (balance === null) return null;
  return { ...balance, vintages: balance.vintages.map((v) => ({ origin: v.origin, credits: v.credits, period: v.period && periodText(v.period) })) };
}

export interface ExplanationText {
  accepted: boolean;
  reason: RejectReason | null;
  bucket: BucketName | null;
  credits: number;
  period: PeriodText | null;
  paidBy: TrancheText[];
  before: BalanceText | null;
  after: BalanceText | null;
  /** out_of_order: the latest instant the plan had already seen. */
  planClock?: string;
}

export function periodText(period: Period): PeriodText {
  return { index: period.index, start: isoSecond(period.startMs), end: period.endMs === null || !Number.isFinite(period.endMs) ? null : isoSecond(period.endMs) };
}

export function describeExplanation(explanation: UsageExplanation): ExplanationText {
  const { decision } = explanation;
  const text: ExplanationText = {
    accepted: decision.accepted,
    reason: decision.accepted ? null : decision.reason,
    bucket: explanation.bucket,
    credits: explanation.credits,
    period: explanation.period && periodText(explanation.period),
    paidBy: explanation.tranches.map((t) => (t.source === 'rollover' ? { ...t, period: t.period && periodText(t.period) } : { ...t })),
    before: balanceText(explanation.before),
    after: balanceText(explanation.after),
  };
  if (explanation.clockMs !== undefined && Number.isFinite(explanation.clockMs) && explanation.clockMs > Number.MIN_SAFE_INTEGER) text.planClock = isoSecond(explanation.clockMs);
  return text;
}
