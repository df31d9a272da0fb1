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

/** Existing local dates from `first` to `last`, both included. */
export function countLocalDays(first: Temporal.PlainDate, last: Temporal.PlainDate, timeZone: string): number {
  let count = 0;
  for (let date = first; Temporal.PlainDate.compare(date, last) <= 0; date = date.add({ days: 1 })) {
    if (dateExists(date, timeZone)) count += 1;
  }
  return count;
}

/** A bucket's daily limit, or null when it has none (no limit, or a channel the map does not list). */
export function dailyLimitOf(config: PlanConfig, bucket: BucketName): number | null {
  const limit = config.dailyLimit;
  if (limit === undefined) return null;
  if (typeof limit === 'number') return config.limit === 'all_channels' && bucket === POOL ? limit : null;
  return bucket === POOL ? null : (limit[bucket] ?? null);
}

/**
 * Minute-sized slots of accepted MT credits, kept for a little more than a day so that an edit
 * changing the zone can count what was accepted since the new zone's midnight (SPEC §9.8). Every
 * zone's midnight in use is a whole minute, so minute slots count it exactly.
 */
export const MINUTE_MS = 60_000;
/** How far back the slots reach: a local day is at most 25 hours, with an hour to spare. */
export const DAY_LOG_SPAN_MS = 26 * 3_600_000;

export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** Credits of a flat [minute, credits, minute, credits, …] log at or after `fromMs`. */
export function loggedSince(log: readonly number[], fromMs: number): number {
  let sum = 0;
  for (let i = log.length - 2; i >= 0 && (log[i] as number) >= fromMs; i -= 2) sum += log[i + 1] as number;
  return sum;
}
