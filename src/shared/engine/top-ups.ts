import { bucketNames, type BucketName, type Money, type PlanConfig } from '../domain';
import { allocationOf } from '../domain';
import { periodInForceAt, tick, type PlanState } from './account';
import { localDaysBetween } from './daily';
import { compareDecimals, decimalOf, divideRounded, isCurrency, minorDigits, moneyOf, multiplyDecimal, parseMoney } from './money';
import { insertLot, TOP_UP_EXPIRIES, type TopUpExpiry, type TopUpLot } from './top-up-lots';
import { isPositiveCredits, planCurrency } from './validation';

/**
 * Top-ups and "charge now" (SPEC §9.2, §9.3, §9.8): add-on credits given to a live plan's
 * buckets. Every refusal changes nothing and says why, in one of the words below.
 */

/** Why a top-up was refused. */
export const TOP_UP_REFUSALS = [
  'out_of_order',
  'invalid_credits',
  'invalid_expires',
  'invalid_price',
  'unknown_field',
  'before_activation',
  'deleted',
  'unknown_bucket',
] as const;
export type TopUpRefusal = (typeof TOP_UP_REFUSALS)[number];

/** Why a charge-now was refused. */
export const CHARGE_NOW_REFUSALS = ['out_of_order', 'unknown_field', 'before_activation', 'deleted', 'no_renewal', 'no_price', 'no_credits'] as const;
export type ChargeNowRefusal = (typeof CHARGE_NOW_REFUSALS)[number];

/** A top-up as it arrives (from a scenario file, a screen, a sync peer); the engine checks every field. */
export interface TopUpRequest {
  id: string;
  bucket: unknown;
  credits: unknown;
  expires: unknown;
  price?: unknown;
}

export type TopUpResult = { applied: true; price: Money | null } | { applied: false; reason: TopUpRefusal };

export type ChargeNowResult =
  | { applied: true; credits: Partial<Record<BucketName, number>>; price: Money }
  | { applied: false; reason: ChargeNowRefusal };

const TOP_UP_FIELDS = ['id', 'bucket', 'credits', 'expires', 'price'];

/** Is the plan live at `ms` (activated and not deleted)? Which refusal if not. */
function liveRefusal(state: PlanState, ms: number): 'deleted' | 'before_activation' | null {
  if (state.deletedAtMs !== null && ms >= state.deletedAtMs) return 'deleted';
  if (state.period === null && ms < state.segment.startMs) return 'before_activation';
  return null;
}

/** Add a top-up at `ms` (SPEC §9.2): credits usable in one bucket until its period ends or until spent. */
export function applyTopUp(state: PlanState, request: TopUpRequest, ms: number): TopUpResult {
  if (ms < state.clockMs) return { applied: false, reason: 'out_of_order' };
  if (Object.keys(request).some((key) => !TOP_UP_FIELDS.includes(key))) return { applied: false, reason: 'unknown_field' };
  if (!isPositiveCredits(request.credits)) return { applied: false, reason: 'invalid_credits' };
  if (typeof request.expires !== 'string' || !(TOP_UP_EXPIRIES as readonly string[]).includes(request.expires)) {
    return { applied: false, reason: 'invalid_expires' };
  }
  let price: Money | null = null;
  if (request.price !== undefined && request.price !== null) {
    price = parseMoney(request.price);
    if (price === null) return { applied: false, reason: 'invalid_price' };
    price = moneyOf(decimalOf(price), price.currency);
  }
  const live = liveRefusal(state, ms);
  if (live !== null) return { applied: false, reason: live };
  if (typeof request.bucket !== 'string' || !(bucketNames(state.config) as string[]).includes(request.bucket)) {
    return { applied: false, reason: 'unknown_bucket' };
  }
  tick(state, ms);
  addLot(state, request.bucket as BucketName, {
    id: request.id,
    credits: request.credits,
    left: request.credits,
    expires: request.expires as TopUpExpiry,
    addedAtMs: ms,
    untilPeriod: request.expires === 'never' ? null : (state.period?.index ?? 0),
    price,
  });
  return { applied: true, price };
}

function addLot(state: PlanState, name: BucketName, lot: TopUpLot): void {
  const bucket = state.buckets[name];
  if (bucket === undefined) return;
  insertLot((bucket.topUps ??= []), lot);
  bucket.topUpAvailable = (bucket.topUpAvailable ?? 0) + lot.credits;
  bucket.topUpUsed ??= 0;
  state.hadTopUps = true;
}

/** What a charge-now at an instant would add and cost, and why (SPEC §9.3). */
export interface ChargeNowQuote {
  /** The local day of the instant within its period (the first day is 1), and the period's days. */
  day: number;
  days: number;
  /** The billing week w of W. */
  week: number;
  weeks: number;
  credits: Partial<Record<BucketName, number>>;
  price: Money;
  /** The plan's price per period and the minimum charge the price was compared with. */
  periodPrice: Money;
  minimum: Money;
}

/** The minimum charge: the plan's, or 10.00 in its currency (SPEC §9.3). */
export function minimumChargeOf(config: PlanConfig): Money | null {
  if (config.minimumCharge !== undefined) return config.minimumCharge;
  const currency = planCurrency(config);
  return currency === null || !isCurrency(currency) ? null : moneyOf(decimalOf({ amount: '10', currency }), currency);
}

/**
 * Quote a charge-now at `ms` without changing anything: for the screen that shows credits and
 * price before the admin confirms, and for `applyChargeNow`.
 */
export function quoteChargeNow(state: PlanState, ms: number): { ok: true; quote: ChargeNowQuote } | { ok: false; reason: ChargeNowRefusal } {
  if (ms < state.clockMs) return { ok: false, reason: 'out_of_order' };
  const live = liveRefusal(state, ms);
  if (live !== null) return { ok: false, reason: live };
  const { config } = state;
  if (config.renew === null) return { ok: false, reason: 'no_renewal' };
  if (config.price === undefined) return { ok: false, reason: 'no_price' };
  const minimum = minimumChargeOf(config);
  if (minimum === null) return { ok: false, reason: 'no_price' };
  // The period in force at `ms`, worked out without a copy of the state (a quote reads only it).
  const period = periodInForceAt(state, ms);
  if (period === null || period.endMs === null) return { ok: false, reason: 'no_renewal' };
  // Days in the plan's zone; only local dates that exist count, a partial first day counts as day 1.
  const zone = config.activation.timeZone;
  const day = localDaysBetween(period.startMs, ms, zone);
  const days = localDaysBetween(period.startMs, period.endMs - 1, zone);
  const weeks = Math.max(1, Math.floor(days / 7));
  const week = Math.min(Math.ceil(day / 7), weeks);
  const credits: Partial<Record<BucketName, number>> = {};
  for (const name of bucketNames(config)) credits[name] = Math.floor(allocationOf(config, name) / week);
  const { currency } = config.price;
  const share = decimalOf(config.price);
  const least = decimalOf(minimum);
  // max(minimum, price ÷ w), compared exactly (price < minimum · w), then rounded half-up once.
  const price =
    compareDecimals(share, multiplyDecimal(least, week)) < 0
      ? moneyOf(least, currency)
      : moneyOf(divideRounded(share, week, minorDigits(currency)), currency);
  return { ok: true, quote: { day, days, week, weeks, credits, price, periodPrice: config.price, minimum } };
}

/**
 * "Charge now" at `ms` (SPEC §9.3): every bucket receives a `period_end` top-up of its share of
 * the allocation (the charge's id is the top-up's id), and the period's statement lists the price.
 */
export function applyChargeNow(state: PlanState, id: string, ms: number): ChargeNowResult {
  const quoted = quoteChargeNow(state, ms);
  if (!quoted.ok) return { applied: false, reason: quoted.reason };
  const { credits, price } = quoted.quote;
  if (Object.values(credits).every((n) => (n ?? 0) === 0)) return { applied: false, reason: 'no_credits' };
  tick(state, ms);
  const period = state.period?.index ?? 0;
  for (const [name, amount] of Object.entries(credits) as [BucketName, number][]) {
    if (amount > 0) addLot(state, name, { id, credits: amount, left: amount, expires: 'period_end', addedAtMs: ms, untilPeriod: period, price: null });
  }
  state.hadTopUps = true;
  (state.charges ??= []).push({ id, atMs: ms, credits: { ...credits }, price });
  return { applied: true, credits, price };
}
