import { Temporal } from 'temporal-polyfill';
import { POOL, type BucketName, type PlanConfig } from '../domain';
import { localMidnightMs } from './calendar';

/**
 * Local calendar days (SPEC §9.4): the daily sending limit counts the MT credits a bucket
 * accepted between two local midnights of the plan's zone, midnights resolved as period starts
 * are (SPEC §3). A day the zone skipped (Apia's 2011-12-30) has no instant, so it never appears.
 */

/** The local day containing `ms`: [its local midnight, the next existing local midnight). */
export interface DayWindow {
  startMs: number;
  endMs: number;
  /** The local date, YYYY-MM-DD. */
  date: string;
}

export function localDateOf(ms: number, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone).toPlainDate();
}

export function dayWindowAt(ms: number, timeZone: string): DayWindow {
  const date = localDateOf(ms, timeZone);
  return {
    startMs: localMidnightMs(date, timeZone),
    endMs: localMidnightMs(date.add({ days: 1 }), timeZone),
    date: date.toString(),
  };
}

/** Does the local date exist in the zone (some instant shows it)? */
export function dateExists(date: Temporal.PlainDate, timeZone: string): boolean {
  return localDateOf(localMidnightMs(date, timeZone), timeZone).equals(date);
}

/**
 * Existing local dates from `first` to `last`, both included: the calendar days between them,
 * less the dates that an offset change skipped whole (found from the zone's transitions in the
 * range, so a month costs a few zone look-ups, not one per day).
 */
export function countLocalDays(first: Temporal.PlainDate, last: Temporal.PlainDate, timeZone: string): number {
  if (Temporal.PlainDate.compare(first, last) > 0) return 0;
  let count = first.until(last, { largestUnit: 'days' }).days + 1;
  const endMs = localMidnightMs(last.add({ days: 1 }), timeZone);
  let cursor = first.toZonedDateTime({ timeZone, plainTime: new Temporal.PlainTime(0, 0) });
  for (;;) {
    const next = cursor.getTimeZoneTransition('next');
    if (next === null || next.epochMilliseconds >= endMs) break;
    // Local dates strictly between the wall clock just before the change and the one after it never existed.
    const before = next.subtract({ nanoseconds: 1 }).toPlainDate();
    const after = next.toPlainDate();
    for (let date = before.add({ days: 1 }); Temporal.PlainDate.compare(date, after) < 0; date = date.add({ days: 1 })) {
      if (Temporal.PlainDate.compare(date, first) >= 0 && Temporal.PlainDate.compare(date, last) <= 0) count -= 1;
    }
    cursor = next;
  }
  return count;
}

const DAY_NS = 86_400_000_000_000;

/**
 * Existing local dates from the local date of `fromMs` to that of `toMs`, both included (SPEC
 * §9.8's d and P for charge-now). Only an offset change of a whole day or more skips a date
 * (Apia's +24 h in 2011, Kiritimati's in 1994), and no zone has undone one within weeks, so when
 * the offsets at both instants differ by less than a day the calendar count is exact, without
 * the costly search of the zone's transitions that `countLocalDays` makes.
 */
export function localDaysBetween(fromMs: number, toMs: number, timeZone: string): number {
  const from = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone);
  const to = Temporal.Instant.fromEpochMilliseconds(toMs).toZonedDateTimeISO(timeZone);
  const first = from.toPlainDate();
  const last = to.toPlainDate();
  if (Math.abs(to.offsetNanoseconds - from.offsetNanoseconds) >= DAY_NS) return countLocalDays(first, last, timeZone);
  return Temporal.PlainDate.compare(first, last) > 0 ? 0 : first.until(last, { largestUnit: 'days' }).days + 1;
}

/** A bucket's daily limit, or null when it has none (no limit, or a channel the map does not list). */
export function dailyLimitOf(config: PlanConfig, bucket: BucketName): number | null {
  const limit = config.dailyLimit;
  if (limit === undefined) return null;
  if (typeof limit === 'number') return config.limit === 'all_channels' && bucket === POOL ? limit : null;
  return bucket === POOL ? null : (limit[bucket] ?? null);
}

/**
 * Slots of accepted MT credits, kept for a little more than a day so that an edit changing the
 * zone can count what was accepted since the new zone's midnight (SPEC §9.8). A slot is a
 * quarter hour: since Kiritimati left −10:40 in 1979 every zone's offset, and so every local
 * midnight, is a whole quarter hour (checked against the runtime's zone data over every
 * transition up to 2100), so quarter slots count from any midnight exactly; before 1980 slots
 * stay minutes, as they always were. Quarter slots take one entry per
 * ~quarter hour of traffic instead of one per busy minute, which keeps the per-event cost low.
 */
export const MINUTE_MS = 60_000;
export const QUARTER_HOUR_MS = 900_000;
/** 1980-01-01T00:00:00Z: from here on, slots are quarter hours. */
export const QUARTER_SLOTS_FROM_MS = 315_532_800_000;
/** How far back the slots reach: a local day is at most 25 hours, with an hour to spare. */
export const DAY_LOG_SPAN_MS = 26 * 3_600_000;

/** The start of the slot containing `ms`. */
export function slotOf(ms: number): number {
  const span = ms < QUARTER_SLOTS_FROM_MS ? MINUTE_MS : QUARTER_HOUR_MS;
  return Math.floor(ms / span) * span;
}

/** The end of the slot that starts at `slotStartMs`. */
export function slotEndOf(slotStartMs: number): number {
  return slotStartMs + (slotStartMs < QUARTER_SLOTS_FROM_MS ? MINUTE_MS : QUARTER_HOUR_MS);
}

/** Credits of a flat [slot, credits, slot, credits, …] log at or after `fromMs`. */
export function loggedSince(log: readonly number[], fromMs: number): number {
  let sum = 0;
  for (let i = log.length - 2; i >= 0 && (log[i] as number) >= fromMs; i -= 2) sum += log[i + 1] as number;
  return sum;
}
