/**
 * A deliberately simple second implementation of the credit rules (SPEC §3–5, §8), used only
 * by the property tests to cross-check the engine. It shares no code with the engine: its
 * calendar does its own date arithmetic and asks Intl (not Temporal) for UTC offsets, finds a
 * period by scanning boundaries from k = 0, walks time one period at a time, keeps every bucket
 * as a list of credit lots (vintages, the allocation, overage) spent oldest first, and answers
 * each query by replaying every event up to it from scratch. Slow and obvious on purpose.
 *
 * Decisions it mirrors (taken by the lead, see the engine): overage is added only when it
 * makes the event fit; usage before activation, after deletion, on an uncovered channel, or MO
 * is accepted and consumes nothing; a duplicate id repeats the first decision; an edit whose
 * merged plan is invalid is refused; an edit that switches renewal off also switches roll
 * over off unless it says otherwise; an edit's `credits` replaces the whole credits field; a
 * calendar-moving edit uses the new plan's rollover flag to carry into the new period; an
 * edit at the very instant the current period starts makes that period the new one (no
 * zero-length period).
 *
 * SPEC §9 (its own way again): top-ups are lots beside the plan lots, daily use is summed from
 * the list of every accepted MT event, money is bigint arithmetic of its own, charge-now days
 * are counted one date at a time through Intl.
 */
import type { BucketName, Channel, PlanConfig, PlanPatch, Renew } from '../../domain';
import type { Scenario, ScenarioBucket, ScenarioOutput, ScenarioQueryResult } from '../scenario';

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------- dates, by hand

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (counting day by day over whole years and months). */
function daysFromEpoch({ y, m, d }: Ymd): number {
  let days = 0;
  if (y >= 1970) for (let year = 1970; year < y; year += 1) days += isLeap(year) ? 366 : 365;
  else for (let year = y; year < 1970; year += 1) days -= isLeap(year) ? 366 : 365;
  for (let month = 1; month < m; month += 1) days += daysInMonth(y, month);
  return days + d - 1;
}

function dateFromEpochDays(days: number): Ymd {
  let y = 1970;
  let rest = days;
  while (rest < 0) {
    y -= 1;
    rest += isLeap(y) ? 366 : 365;
  }
  while (rest >= (isLeap(y) ? 366 : 365)) {
    rest -= isLeap(y) ? 366 : 365;
    y += 1;
  }
  let m = 1;
  while (rest >= daysInMonth(y, m)) {
    rest -= daysInMonth(y, m);
    m += 1;
  }
  return { y, m, d: rest + 1 };
}

function parseYmd(text: string): Ymd | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const ymd = { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
  if (ymd.m < 1 || ymd.m > 12 || ymd.d < 1 || ymd.d > daysInMonth(ymd.y, ymd.m)) return null;
  return ymd;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** UTC ISO-8601 to the second, with Z. */
export function referenceIso(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const inDay = seconds - days * 86_400;
  const { y, m, d } = dateFromEpochDays(days);
  const hh = Math.floor(inDay / 3600);
  const mm = Math.floor((inDay % 3600) / 60);
  const ss = inDay % 60;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}T${pad(hh)}:${pad(mm)}:${pad(ss)}Z`;
}

/** The local date of boundary k: the anchor plus k steps, the day clamped to the month's length. */
export function referenceBoundaryDate(anchor: string, renew: Renew, k: number): string {
  const a = parseYmd(anchor);
  if (!a) throw new Error(`bad anchor ${anchor}`);
  let out: Ymd;
  if (renew === 'weekly') {
    out = dateFromEpochDays(daysFromEpoch(a) + 7 * k);
  } else {
    const stepMonths = { monthly: 1, quarterly: 3, half_year: 6, annually: 12 }[renew];
    const monthIndex = a.y * 12 + (a.m - 1) + stepMonths * k;
    const y = Math.floor(monthIndex / 12);
    const m = monthIndex - y * 12 + 1;
    out = { y, m, d: Math.min(a.d, daysInMonth(y, m)) };
  }
  return `${pad(out.y, 4)}-${pad(out.m)}-${pad(out.d)}`;
}

// ---------------------------------------------------------------- zones, through Intl

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** UTC offset (ms) of a zone at an instant, read from the local wall clock Intl shows. */
function offsetAt(timeZone: string, ms: number): number {
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(whole)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall =
    daysFromEpoch({ y: parts.year ?? 0, m: parts.month ?? 0, d: parts.day ?? 0 }) * DAY_MS +
    (parts.hour ?? 0) * 3_600_000 +
    (parts.minute ?? 0) * 60_000 +
    (parts.second ?? 0) * 1000;
  return wall - whole;
}

/**
 * The instant of 00:00 of a local date: of the instants whose wall clock reads that midnight,
 * the earliest; when none does (a daylight-saving gap), the first instant after the gap.
 * Assumes at most one offset change within a day of the date (true of every real zone here).
 */
export function referenceMidnight(date: string, timeZone: string): number {
  const key = `${date}|${timeZone}`;
  let ms = midnights.get(key);
  if (ms === undefined) {
    ms = findMidnight(date, timeZone);
    midnights.set(key, ms);
  }
  return ms;
}

const midnights = new Map<string, number>();

function findMidnight(date: string, timeZone: string): number {
  const ymd = parseYmd(date);
  if (!ymd) throw new Error(`bad date ${date}`);
  const wall = daysFromEpoch(ymd) * DAY_MS;
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  const offsets = before === after ? [before] : [before, after];
  const candidates = offsets
    .map((offset) => wall - offset)
    .filter((t, i) => offsetAt(timeZone, t) === offsets[i]);
  if (candidates.length > 0) return Math.min(...candidates);
  // A gap: the offset jumps from `before` to `after` somewhere in (wall - after, wall - before].
  if (after <= before) throw new Error(`no midnight for ${date} in ${timeZone} and no gap`);
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(timeZone, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

interface Calendar {
  anchor: string;
  timeZone: string;
  renew: Renew | null;
}

/** Boundaries of each calendar met so far, k = 0, 1, 2, … (computed once, each from the anchor). */
const boundaryLists = new Map<string, number[]>();

/** The first boundary of the calendar strictly after `ms`, scanning k = 0, 1, 2, … (null without renewal). */
function nextBoundaryAfter(calendar: Calendar, ms: number): number | null {
  const { anchor, timeZone, renew } = calendar;
  if (renew === null) {
    // Without renewal the only boundary is the activation itself (ahead only after an edit moved it).
    const start = referenceMidnight(anchor, timeZone);
    return start > ms ? start : null;
  }
  const key = `${anchor}|${timeZone}|${renew}`;
  let list = boundaryLists.get(key);
  if (!list) {
    list = [];
    boundaryLists.set(key, list);
  }
  for (let k = 0; ; k += 1) {
    if (k === list.length)
      list.push(referenceMidnight(referenceBoundaryDate(anchor, renew, k), timeZone));
    const boundary = list[k] as number;
    if (boundary > ms) return boundary;
  }
}

// ---------------------------------------------------------------- plans and lots

interface Lot {
  kind: 'vintage' | 'allocation' | 'overage';
  /** Period whose allocation the credits came from. */
  origin: number;
  size: number;
  spent: number;
}

interface TopLot {
  id: string;
  expires: 'period_end' | 'never';
  size: number;
  spent: number;
  /** Last period a period_end lot may be spent in. */
  until: number | null;
}

interface RefBucket {
  /** Oldest first: vintages by origin, then the allocation, then overage. */
  lots: Lot[];
  overageAtMs: number | null;
  /** Top-ups in the order they were added. */
  tops: TopLot[];
  metered: number;
  meteredAtMs: number | null;
  /** Metered charge so far, in units of 10^-12 of the currency. */
  charge: bigint;
}

interface RefPlan {
  config: PlanConfig;
  status: 'scheduled' | 'active' | 'deleted';
  calendar: Calendar;
  period: { index: number; start: number; end: number | null } | null;
  buckets: Map<BucketName, RefBucket>;
  /** Every accepted MT event: for daily limits. */
  accepted: { ms: number; bucket: BucketName; credits: number }[];
  /** never top-ups of removed buckets. */
  parked: Map<BucketName, TopLot[]>;
  hadTopUps: boolean;
}

// ---------------------------------------------------------------- money, with bigint

const SCALE = 12;

function units12(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 10n ** BigInt(SCALE) + BigInt((fraction + '0'.repeat(SCALE)).slice(0, SCALE));
}

function digitsOf(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Units of 10^-12 rounded half-up to the currency's minor unit, written out. */
function money12(units: bigint, currency: string): { amount: string; currency: string } {
  const digits = digitsOf(currency);
  const step = 10n ** BigInt(SCALE - digits);
  const rounded = (units + step / 2n) / step;
  const text = rounded.toString().padStart(digits + 1, '0');
  return { amount: digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`, currency };
}

function isMetered(config: PlanConfig): boolean {
  return config.overageMetered === true || (config.overage as unknown) === 'metered';
}

function currencyOf(config: PlanConfig): string | null {
  return config.price?.currency ?? config.minimumCharge?.currency ?? config.overageRate?.currency ?? null;
}

function limitFor(config: PlanConfig, name: BucketName): number | null {
  const limit = config.dailyLimit;
  if (limit === undefined) return null;
  if (typeof limit === 'number') return name === 'ALL' ? limit : null;
  return name === 'ALL' ? null : (limit[name] ?? null);
}

/** The local date (epoch days) of an instant in a zone, from Intl's offset. */
function localDay(timeZone: string, ms: number): number {
  return Math.floor((ms + offsetAt(timeZone, ms)) / DAY_MS);
}

function ymdText(days: number): string {
  const { y, m, d } = dateFromEpochDays(days);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** The local day containing `ms`: [midnight, next existing midnight). */
function dayBounds(timeZone: string, ms: number): [number, number] {
  const day = localDay(timeZone, ms);
  return [referenceMidnight(ymdText(day), timeZone), referenceMidnight(ymdText(day + 1), timeZone)];
}

function dayExists(timeZone: string, day: number): boolean {
  return localDay(timeZone, referenceMidnight(ymdText(day), timeZone)) === day;
}

const CHANNEL_NAMES: readonly string[] = ['SMS', 'WhatsApp', 'Email', 'Push', 'RCS'];
const RENEW_NAMES: readonly string[] = ['weekly', 'monthly', 'quarterly', 'half_year', 'annually'];
const VINTAGE_LIFETIME = 3;

function namesOf(config: PlanConfig): BucketName[] {
  return config.limit === 'all_channels' ? ['ALL'] : (Object.keys(config.credits) as Channel[]);
}

function allocationFor(config: PlanConfig, name: BucketName): number {
  if (config.limit === 'all_channels') return config.credits;
  return config.credits[name as Channel] ?? 0;
}

function calendarOf(config: PlanConfig): Calendar {
  return {
    anchor: config.activation.date,
    timeZone: config.activation.timeZone,
    renew: config.renew,
  };
}

const total = (lots: Lot[], pick: (lot: Lot) => number): number =>
  lots.reduce((sum, lot) => sum + pick(lot), 0);

/** Pour consumption into the lots oldest first; what no lot can hold stays on the allocation (never undone). */
function pour(bucket: RefBucket, credits: number): void {
  let left = credits;
  for (const lot of bucket.lots) {
    const take = Math.min(left, Math.max(0, lot.size - lot.spent));
    lot.spent += take;
    left -= take;
  }
  if (left > 0) {
    const allocation = bucket.lots.find((lot) => lot.kind === 'allocation');
    if (!allocation) throw new Error('bucket without allocation');
    allocation.spent += left;
  }
}

function freshBucket(config: PlanConfig, name: BucketName, index: number): RefBucket {
  return {
    lots: [{ kind: 'allocation', origin: index, size: allocationFor(config, name), spent: 0 }],
    overageAtMs: null,
    tops: [],
    metered: 0,
    meteredAtMs: null,
    charge: 0n,
  };
}

/** Top-ups that live on into period `next`, each starting it with what was left. */
function survivors(tops: TopLot[], next: number): TopLot[] {
  return tops
    .filter((t) => t.size - t.spent > 0 && (t.until === null || t.until >= next))
    .map((t) => ({ ...t, size: t.size - t.spent, spent: 0 }));
}

/** Close period `closing` and open `closing + 1` for every bucket of `config`. */
function rollBuckets(plan: RefPlan, closing: number, config: PlanConfig): void {
  const next = closing + 1;
  const buckets = new Map<BucketName, RefBucket>();
  for (const name of namesOf(config)) {
    const old = plan.buckets.get(name);
    const lots: Lot[] = [];
    if (old && config.rollover) {
      for (const lot of old.lots) {
        if (lot.kind === 'overage') continue; // overage never rolls over
        const unused = lot.size - lot.spent;
        if (unused > 0 && lot.origin + VINTAGE_LIFETIME >= next) {
          lots.push({ kind: 'vintage', origin: lot.origin, size: unused, spent: 0 });
        }
      }
    }
    lots.push({ kind: 'allocation', origin: next, size: allocationFor(config, name), spent: 0 });
    const tops = old ? survivors(old.tops, next) : restore(plan, name);
    buckets.set(name, { lots, overageAtMs: null, tops, metered: 0, meteredAtMs: null, charge: 0n });
  }
  park(plan, buckets);
  plan.buckets = buckets;
}

/** Keep the never top-ups of buckets that are gone. */
function park(plan: RefPlan, next: Map<BucketName, RefBucket>): void {
  for (const [name, bucket] of plan.buckets) {
    if (next.has(name)) continue;
    const kept = bucket.tops.filter((t) => t.expires === 'never' && t.size > t.spent).map((t) => ({ ...t, size: t.size - t.spent, spent: 0 }));
    if (kept.length > 0) plan.parked.set(name, kept);
  }
}

function restore(plan: RefPlan, name: BucketName): TopLot[] {
  const kept = plan.parked.get(name) ?? [];
  plan.parked.delete(name);
  return kept;
}

/** Let time pass until `ms`, one period boundary at a time. */
function advanceTo(plan: RefPlan, ms: number): void {
  if (plan.status === 'deleted') return;
  if (plan.status === 'scheduled') {
    const start = referenceMidnight(plan.config.activation.date, plan.config.activation.timeZone);
    if (ms < start) return;
    plan.status = 'active';
    plan.period = { index: 0, start, end: nextBoundaryAfter(plan.calendar, start) };
    plan.buckets = new Map(
      namesOf(plan.config).map((name) => [name, freshBucket(plan.config, name, 0)]),
    );
  }
  while (plan.period && plan.period.end !== null && ms >= plan.period.end) {
    const start = plan.period.end;
    rollBuckets(plan, plan.period.index, plan.config);
    plan.period = {
      index: plan.period.index + 1,
      start,
      end: nextBoundaryAfter(plan.calendar, start),
    };
  }
}

/** The plan an edit produces, or null when it is not a valid plan. */
function mergeEdit(config: PlanConfig, patch: PlanPatch): PlanConfig | null {
  const merged: Record<string, unknown> = { ...config, overage: isMetered(config) ? 'metered' : config.overage };
  delete merged.overageMetered;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null && key !== 'renew') delete merged[key];
    else merged[key] = value;
  }
  if ('renew' in patch && patch.renew === null && !('rollover' in patch)) merged.rollover = false;
  const { limit, credits, renew, rollover, overage, activation } = merged;
  if (!policiesValid(merged, config)) return null;
  const positive = (v: unknown): boolean =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1e12;
  if (limit === 'all_channels') {
    if (!positive(credits)) return null;
  } else if (limit === 'channel_specific') {
    if (typeof credits !== 'object' || credits === null || Array.isArray(credits)) return null;
    const entries = Object.entries(credits);
    if (
      entries.length === 0 ||
      entries.some(([ch, v]) => !CHANNEL_NAMES.includes(ch) || !positive(v))
    )
      return null;
  } else return null;
  if (renew !== null && !RENEW_NAMES.includes(renew as string)) return null;
  if (typeof rollover !== 'boolean' || (typeof overage !== 'boolean' && overage !== 'metered')) return null;
  if (rollover && renew === null) return null;
  if (typeof activation !== 'object' || activation === null) return null;
  const { date, timeZone } = activation as { date?: unknown; timeZone?: unknown };
  if (typeof date !== 'string' || parseYmd(date) === null || typeof timeZone !== 'string')
    return null;
  try {
    formatterFor(timeZone);
  } catch {
    return null;
  }
  return merged as unknown as PlanConfig;
}

/** SPEC §9's plan parts of an edited plan: shapes, one currency kept, a rate for metered overage. */
function policiesValid(merged: Record<string, unknown>, before: PlanConfig): boolean {
  const positive = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1e12;
  const channelMap = (v: unknown): boolean =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(v).every(([ch, n]) => CHANNEL_NAMES.includes(ch) && positive(n));
  const { costs, dailyLimit, limit } = merged;
  if (costs !== undefined && !channelMap(costs)) return false;
  if (dailyLimit !== undefined) {
    if (limit === 'all_channels' ? !positive(dailyLimit) : !channelMap(dailyLimit) || Object.keys(dailyLimit as object).length === 0) return false;
  }
  const currencies = new Set<string>();
  for (const key of ['price', 'minimumCharge', 'overageRate']) {
    const m = merged[key] as { amount?: unknown; currency?: unknown } | undefined;
    if (m === undefined) continue;
    if (typeof m !== 'object' || typeof m.amount !== 'string' || !/^\d+(\.\d+)?$/.test(m.amount) || typeof m.currency !== 'string') return false;
    currencies.add(m.currency);
  }
  if (currencies.size > 1) return false;
  const old = currencyOf(before);
  if (old !== null && currencies.size === 1 && !currencies.has(old)) return false;
  if (merged.overage === 'metered' && merged.overageRate === undefined) return false;
  return true;
}

function applyEditRef(plan: RefPlan, patch: PlanPatch, ms: number): boolean {
  if (plan.status === 'deleted') return false;
  const next = mergeEdit(plan.config, patch);
  if (next === null) return false;
  advanceTo(plan, ms);
  const previous = plan.config;
  plan.config = next;
  if (plan.status === 'scheduled' || plan.period === null) {
    plan.calendar = calendarOf(next);
    advanceTo(plan, ms);
    return true;
  }
  const calendarMoves =
    previous.renew !== next.renew ||
    previous.activation.date !== next.activation.date ||
    previous.activation.timeZone !== next.activation.timeZone;
  if (calendarMoves) plan.calendar = calendarOf(next);
  if (calendarMoves && ms > plan.period.start) {
    // A new period starts at the edit; unused credits carry into it as at a boundary, and
    // period_end top-ups left stay until the new period ends.
    for (const bucket of plan.buckets.values())
      for (const top of bucket.tops) if (top.until === plan.period.index) top.until = plan.period.index + 1;
    rollBuckets(plan, plan.period.index, next);
    plan.period = {
      index: plan.period.index + 1,
      start: ms,
      end: nextBoundaryAfter(plan.calendar, ms),
    };
    return true;
  }
  if (calendarMoves) plan.period = { ...plan.period, end: nextBoundaryAfter(plan.calendar, ms) };
  // Same period: the new credits are its total allocation, consumption included.
  const buckets = new Map<BucketName, RefBucket>();
  for (const name of namesOf(next)) {
    const old = plan.buckets.get(name);
    if (!old) {
      const bucket = freshBucket(next, name, plan.period.index);
      bucket.tops = restore(plan, name);
      buckets.set(name, bucket);
      continue;
    }
    const consumed = total(old.lots, (lot) => lot.spent);
    const lots = old.lots.map((lot) => ({
      ...lot,
      spent: 0,
      size: lot.kind === 'allocation' ? allocationFor(next, name) : lot.size,
    }));
    const bucket = { ...old, lots };
    pour(bucket, consumed);
    buckets.set(name, bucket);
  }
  park(plan, buckets);
  plan.buckets = buckets;
  return true;
}

type Outcome = { accepted: true } | { accepted: false; reason: string };

function applyUsageRef(
  plan: RefPlan,
  usage: { channel: Channel; credits?: number; direction: string },
  ms: number,
): Outcome {
  advanceTo(plan, ms);
  if (plan.status !== 'active') return { accepted: true };
  const name: BucketName = plan.config.limit === 'all_channels' ? 'ALL' : usage.channel;
  const bucket = plan.buckets.get(name);
  if (!bucket || usage.direction === 'MO') return { accepted: true };
  const credits = usage.credits ?? plan.config.costs?.[usage.channel] ?? 1;
  const limit = limitFor(plan.config, name);
  if (limit !== null) {
    const [from, to] = dayBounds(plan.config.activation.timeZone, ms);
    const today = plan.accepted.filter((e) => e.bucket === name && e.ms >= from && e.ms < to).reduce((sum, e) => sum + e.credits, 0);
    if (today + credits > limit) return { accepted: false, reason: 'daily_limit' };
  }
  const planLots = bucket.lots;
  const free = (lots: Lot[]): number => total(lots, (lot) => lot.size) - total(lots, (lot) => lot.spent);
  const baseFree = Math.max(0, free(planLots.filter((lot) => lot.kind !== 'overage')));
  let planFree = Math.max(0, free(planLots));
  // Spending order among top-ups: period_end ones (oldest first), then never ones (oldest first).
  const tops = [...bucket.tops.filter((t) => t.expires === 'period_end'), ...bucket.tops.filter((t) => t.expires === 'never')];
  const topFree = tops.reduce((sum, t) => sum + t.size - t.spent, 0);
  let metered = 0;
  if (credits > planFree + topFree) {
    const allocation = planLots.find((lot) => lot.kind === 'allocation')?.size ?? 0;
    if (isMetered(plan.config)) {
      metered = credits - planFree - topFree;
    } else if (plan.config.overage === true && bucket.overageAtMs === null && credits <= Math.max(0, free(planLots) + allocation) + topFree) {
      planLots.push({ kind: 'overage', origin: plan.period?.index ?? 0, size: allocation, spent: 0 });
      bucket.overageAtMs = ms;
      planFree = Math.max(0, free(planLots));
    } else {
      return { accepted: false, reason: 'exhausted' };
    }
  }
  let rest = credits - metered;
  const fromBase = Math.min(rest, baseFree);
  pour(bucket, fromBase);
  rest -= fromBase;
  for (const top of tops) {
    const take = Math.min(rest, top.size - top.spent);
    top.spent += take;
    rest -= take;
  }
  pour(bucket, rest);
  if (metered > 0) {
    bucket.metered += metered;
    bucket.meteredAtMs ??= ms;
    bucket.charge += BigInt(metered) * units12(plan.config.overageRate?.amount ?? '0');
  }
  plan.accepted.push({ ms, bucket: name, credits });
  return { accepted: true };
}

type Extra = { credits?: Partial<Record<BucketName, number>>; price?: { amount: string; currency: string } | null };
type GrantOutcome = ({ accepted: true } & Extra) | { accepted: false; reason: string };

function liveReason(plan: RefPlan, ms: number): string | null {
  if (plan.status === 'deleted') return 'deleted';
  advanceTo(plan, ms);
  return plan.status === 'active' ? null : 'before_activation';
}

function applyTopUpRef(plan: RefPlan, raw: Record<string, unknown>, ms: number): GrantOutcome {
  const refuse = (reason: string): GrantOutcome => ({ accepted: false, reason });
  if (Object.keys(raw).some((k) => !['id', 'bucket', 'credits', 'expires', 'price'].includes(k))) return refuse('unknown_field');
  const { credits, expires, price, bucket: name } = raw;
  if (typeof credits !== 'number' || !Number.isInteger(credits) || credits < 1 || credits > 1e12) return refuse('invalid_credits');
  if (expires !== 'period_end' && expires !== 'never') return refuse('invalid_expires');
  let shown: Extra['price'] = null;
  if (price !== undefined && price !== null) {
    const p = price as { amount?: unknown; currency?: unknown };
    const currencies: readonly string[] = Intl.supportedValuesOf('currency');
    if (typeof p !== 'object' || Object.keys(p).length !== 2 || typeof p.amount !== 'string' || !/^\d{1,18}(\.\d{1,12})?$/.test(p.amount) || typeof p.currency !== 'string' || !currencies.includes(p.currency))
      return refuse('invalid_price');
    shown = money12(units12(p.amount), p.currency);
  }
  const live = liveReason(plan, ms);
  if (live !== null) return refuse(live);
  const bucket = typeof name === 'string' ? plan.buckets.get(name as BucketName) : undefined;
  if (bucket === undefined || !namesOf(plan.config).includes(name as BucketName)) return refuse('unknown_bucket');
  bucket.tops.push({ id: raw.id as string, expires, size: credits, spent: 0, until: expires === 'never' ? null : (plan.period?.index ?? 0) });
  plan.hadTopUps = true;
  return { accepted: true, price: shown };
}

function applyChargeNowRef(plan: RefPlan, id: string, ms: number): GrantOutcome {
  const refuse = (reason: string): GrantOutcome => ({ accepted: false, reason });
  const live = liveReason(plan, ms);
  if (live !== null) return refuse(live);
  const { config, period } = plan;
  if (config.renew === null || period === null || period.end === null) return refuse('no_renewal');
  if (config.price === undefined) return refuse('no_price');
  const zone = config.activation.timeZone;
  const first = localDay(zone, period.start);
  let d = 0;
  let p = 0;
  for (let day = first; day <= localDay(zone, period.end - 1); day += 1) {
    if (!dayExists(zone, day)) continue;
    p += 1;
    if (day <= localDay(zone, ms)) d += 1;
  }
  const weeks = Math.max(1, Math.floor(p / 7));
  const week = Math.min(Math.ceil(d / 7), weeks);
  const credits: Partial<Record<BucketName, number>> = {};
  for (const name of namesOf(config)) credits[name] = Math.floor(allocationFor(config, name) / week);
  if (Object.values(credits).every((n) => n === 0)) return refuse('no_credits');
  const { currency } = config.price;
  const minimum = units12(config.minimumCharge?.amount ?? '10');
  // price ÷ w, rounded half-up at the minor unit (in 10^-12 units, exact: w divides after scaling).
  const share = units12(config.price.amount);
  const digits = digitsOf(currency);
  const step = 10n ** BigInt(SCALE - digits);
  const roundedShare = ((share * 2n) / BigInt(week) + step) / (2n * step) * step;
  const exactBelowMinimum = share < minimum * BigInt(week);
  const price = exactBelowMinimum ? money12(minimum, currency) : money12(roundedShare, currency);
  for (const [name, amount] of Object.entries(credits) as [BucketName, number][]) {
    if (amount > 0) plan.buckets.get(name)?.tops.push({ id, expires: 'period_end', size: amount, spent: 0, until: period.index });
  }
  plan.hadTopUps = true;
  return { accepted: true, credits, price };
}

function describe(plan: RefPlan, ms: number): ScenarioQueryResult {
  const at = referenceIso(ms);
  if (plan.status === 'deleted') return { at, deleted: true, period: null, buckets: {} };
  advanceTo(plan, ms);
  if (plan.period === null) return { at, period: null, buckets: {} };
  const buckets: Partial<Record<BucketName, ScenarioBucket>> = {};
  for (const name of namesOf(plan.config)) {
    const bucket = plan.buckets.get(name);
    if (!bucket) continue;
    const allocated = total(bucket.lots, (lot) => lot.size);
    const used = total(bucket.lots, (lot) => lot.spent);
    const added = total(bucket.lots, (lot) => (lot.kind === 'overage' ? lot.size : 0));
    const currency = currencyOf(plan.config);
    const described: ScenarioBucket = {
      allocated,
      used,
      remaining: Math.max(0, allocated - used),
      carriedIn: total(bucket.lots, (lot) => (lot.kind === 'vintage' ? lot.size : 0)),
      overage:
        isMetered(plan.config) && currency !== null
          ? {
              added,
              at: bucket.meteredAtMs === null ? null : referenceIso(bucket.meteredAtMs),
              metered: bucket.metered,
              charge: money12(bucket.charge, currency),
            }
          : { added, at: bucket.overageAtMs === null ? null : referenceIso(bucket.overageAtMs) },
    };
    if (plan.hadTopUps) {
      const available = bucket.tops.reduce((sum, t) => sum + t.size, 0);
      const spent = bucket.tops.reduce((sum, t) => sum + t.spent, 0);
      described.topUps = { available, used: spent, remaining: available - spent };
    }
    if (plan.config.dailyLimit !== undefined) {
      const [from, to] = dayBounds(plan.config.activation.timeZone, ms);
      const today = plan.accepted.filter((e) => e.bucket === name && e.ms >= from && e.ms < to).reduce((sum, e) => sum + e.credits, 0);
      described.daily = { limit: limitFor(plan.config, name), used: today };
    }
    buckets[name] = described;
  }
  const { period } = plan;
  return {
    at,
    period: {
      index: period.index,
      start: referenceIso(period.start),
      end: period.end === null ? null : referenceIso(period.end),
    },
    buckets,
  };
}

/** Replay the events (in time order, ties in file order) whose time is at most `untilMs`. */
function replay(
  scenario: Scenario,
  untilMs: number,
): { plan: RefPlan; outcomes: Map<number, Outcome> } {
  const plan: RefPlan = {
    config: scenario.plan,
    status: 'scheduled',
    calendar: calendarOf(scenario.plan),
    period: null,
    buckets: new Map(),
    accepted: [],
    parked: new Map(),
    hadTopUps: false,
  };
  const firstDecision = new Map<string, Outcome>();
  const firstGrant = new Map<string, GrantOutcome>();
  const outcomes = new Map<number, GrantOutcome>();
  const order = scenario.events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.atMs - b.event.atMs || a.index - b.index);
  for (const { event, index } of order) {
    if (event.atMs > untilMs) break;
    let outcome: GrantOutcome;
    if (event.kind === 'topUp' || event.kind === 'chargeNow') {
      const id = event.kind === 'topUp' ? event.topUp.id : event.id;
      const prior = firstGrant.get(id);
      outcome =
        prior ??
        (event.kind === 'topUp'
          ? applyTopUpRef(plan, event.topUp as unknown as Record<string, unknown>, event.atMs)
          : event.fields.length > 0
            ? { accepted: false, reason: 'unknown_field' }
            : applyChargeNowRef(plan, event.id, event.atMs));
      if (!prior) firstGrant.set(id, outcome);
    } else if (event.kind === 'usage') {
      const prior = firstDecision.get(event.usage.id);
      outcome = prior ?? applyUsageRef(plan, event.usage, event.atMs);
      if (!prior) firstDecision.set(event.usage.id, outcome);
    } else if (event.kind === 'edit') {
      outcome = applyEditRef(plan, event.patch, event.atMs)
        ? { accepted: true }
        : { accepted: false, reason: 'edit refused' };
    } else if (plan.status === 'deleted') {
      outcome = { accepted: false, reason: 'already deleted' };
    } else {
      advanceTo(plan, event.atMs);
      plan.status = 'deleted';
      outcome = { accepted: true };
    }
    outcomes.set(index, outcome);
  }
  return { plan, outcomes };
}

/** What the scenario command should print for a parsed scenario, computed the slow way. */
export function referenceRunScenario(scenario: Scenario): ScenarioOutput {
  const { outcomes } = replay(scenario, Infinity);
  const events = scenario.events.map((_, index) => {
    const outcome: GrantOutcome = outcomes.get(index) ?? { accepted: false, reason: 'not applied' };
    if (!outcome.accepted) return { index, accepted: false as const, reason: outcome.reason };
    const { credits, price } = outcome as Extra;
    return {
      index,
      accepted: true as const,
      ...(credits !== undefined ? { credits } : {}),
      ...(price !== undefined ? { price } : {}),
    };
  });
  const queries = scenario.queries.map((query) =>
    describe(replay(scenario, query.atMs).plan, query.atMs),
  );
  return { events, queries };
}
