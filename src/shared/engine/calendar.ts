import { Temporal } from 'temporal-polyfill';
import type { Renew } from '../domain';

/**
 * The period calendar (SPEC §3). Every boundary is computed from the anchor date itself
 * (anchor + k × step), never from the previous boundary, so month-end clamping never drifts:
 * Jan 31 monthly gives Feb 28/29, Mar 31, Apr 30, …
 */

const STEP: Record<Renew, { days?: number; months?: number }> = {
  weekly: { days: 7 },
  monthly: { months: 1 },
  quarterly: { months: 3 },
  half_year: { months: 6 },
  annually: { months: 12 },
};

/** Rough step lengths in ms, only used to guess which period an instant falls in. */
const APPROX_STEP_MS: Record<Renew, number> = {
  weekly: 7 * 86_400_000,
  monthly: 30.436875 * 86_400_000,
  quarterly: 91.310625 * 86_400_000,
  half_year: 182.62125 * 86_400_000,
  annually: 365.2425 * 86_400_000,
};

/** The local calendar date of boundary k (anchor + k steps, clamped to the month's last day). */
export function boundaryDate(anchorDate: string, renew: Renew, k: number): Temporal.PlainDate {
  const anchor = Temporal.PlainDate.from(anchorDate);
  const step = STEP[renew];
  if (step.days !== undefined) return anchor.add({ days: step.days * k });
  return anchor.add({ months: (step.months ?? 0) * k }, { overflow: 'constrain' });
}

/**
 * The instant of local midnight of a date in a zone. A midnight that does not exist (a
 * daylight-saving gap) resolves to the first instant after the gap; one that exists twice
 * resolves to the earlier instant. That is exactly Temporal's 'compatible' disambiguation.
 */
export function localMidnightMs(date: Temporal.PlainDate | string, timeZone: string): number {
  const plain = typeof date === 'string' ? Temporal.PlainDate.from(date) : date;
  return plain.toZonedDateTime({ timeZone, plainTime: new Temporal.PlainTime(0, 0) }).epochMilliseconds;
}

/** Boundary k of a renewing calendar, as epoch milliseconds. */
export function boundaryMs(anchorDate: string, timeZone: string, renew: Renew, k: number): number {
  return localMidnightMs(boundaryDate(anchorDate, renew, k), timeZone);
}

/**
 * A stretch of the calendar with one anchor. A plan starts with one segment beginning at its
 * activation; an edit that changes the activation date, zone or renewal starts a new segment
 * at the edit's time (SPEC §5), whose first period runs until the new calendar's next boundary.
 */
export interface CalendarSegment {
  /** Start of the segment's first period (epoch ms). */
  startMs: number;
  anchorDate: string;
  timeZone: string;
  renew: Renew | null;
  /** Global index of the segment's first period. */
  firstIndex: number;
  /** k of the first anchor boundary strictly after startMs (unused without renewal). */
  firstK: number;
}

export interface Period {
  index: number;
  startMs: number;
  /** Exclusive end; null when the plan does not renew (null, not Infinity, so states survive JSON). */
  endMs: number | null;
}

/** The segment that begins at the activation itself: period 0 is [activation, boundary 1). */
export function initialSegment(anchorDate: string, timeZone: string, renew: Renew | null): CalendarSegment {
  return { startMs: localMidnightMs(anchorDate, timeZone), anchorDate, timeZone, renew, firstIndex: 0, firstK: 1 };
}

/** A segment starting at an arbitrary instant (an edit that moves the calendar). */
export function segmentFrom(
  startMs: number,
  firstIndex: number,
  anchorDate: string,
  timeZone: string,
  renew: Renew | null,
): CalendarSegment {
  if (renew === null) return { startMs, anchorDate, timeZone, renew, firstIndex, firstK: 0 };
  return { startMs, anchorDate, timeZone, renew, firstIndex, firstK: firstKAfter(anchorDate, timeZone, renew, startMs) };
}

/** Smallest k ≥ 0 whose boundary is strictly after `ms`. */
function firstKAfter(anchorDate: string, timeZone: string, renew: Renew, ms: number): number {
  const k = lastKAtOrBefore(anchorDate, timeZone, renew, ms);
  return k + 1;
}

/** Largest k (≥ -1) whose boundary is at or before `ms`; -1 when even boundary 0 is later. */
function lastKAtOrBefore(anchorDate: string, timeZone: string, renew: Renew, ms: number): number {
  const b0 = boundaryMs(anchorDate, timeZone, renew, 0);
  if (ms < b0) return -1;
  let k = Math.max(0, Math.floor((ms - b0) / APPROX_STEP_MS[renew]));
  while (k > 0 && boundaryMs(anchorDate, timeZone, renew, k) > ms) k -= 1;
  while (boundaryMs(anchorDate, timeZone, renew, k + 1) <= ms) k += 1;
  return k;
}

/**
 * The start of a non-renewing segment's own calendar when it lies after the segment's start
 * (the segment began at an edit that moved the activation ahead), else null.
 */
function pendingAnchorMs(segment: CalendarSegment): number | null {
  const anchorMs = localMidnightMs(segment.anchorDate, segment.timeZone);
  return anchorMs > segment.startMs ? anchorMs : null;
}

/** Period with a given global index inside a segment (index ≥ segment.firstIndex). */
export function periodOfSegment(segment: CalendarSegment, index: number): Period {
  const { renew } = segment;
  if (renew === null) {
    // An edit that moved the activation of a non-renewing plan to a date still ahead cuts the
    // current period at that date; from there one period runs with no end (SPEC §5).
    const anchorMs = pendingAnchorMs(segment);
    if (anchorMs === null) return { index, startMs: segment.startMs, endMs: null };
    return index === segment.firstIndex
      ? { index, startMs: segment.startMs, endMs: anchorMs }
      : { index, startMs: anchorMs, endMs: null };
  }
  const j = index - segment.firstIndex;
  const startMs =
    j === 0 ? segment.startMs : boundaryMs(segment.anchorDate, segment.timeZone, renew, segment.firstK + j - 1);
  const endMs = boundaryMs(segment.anchorDate, segment.timeZone, renew, segment.firstK + j);
  return { index, startMs, endMs };
}

/** The period of a segment containing `ms` (ms ≥ segment.startMs). */
export function periodAt(segment: CalendarSegment, ms: number): Period {
  const { renew } = segment;
  if (renew === null) {
    const anchorMs = pendingAnchorMs(segment);
    const later = anchorMs !== null && ms >= anchorMs;
    return periodOfSegment(segment, segment.firstIndex + (later ? 1 : 0));
  }
  if (ms < segment.startMs) return periodOfSegment(segment, segment.firstIndex);
  const k = lastKAtOrBefore(segment.anchorDate, segment.timeZone, renew, ms);
  // Boundaries at or before the segment's start belong to no period of this segment.
  const j = Math.max(0, k - segment.firstK + 1);
  return periodOfSegment(segment, segment.firstIndex + j);
}

/** One renewal boundary as a preview shows it. */
export interface BoundaryPreview {
  index: number;
  /** Local calendar date the period starts on. */
  localDate: string;
  /** Local wall time at the start (00:00 unless a daylight-saving gap moved it). */
  localTime: string;
  /** UTC offset at the start, e.g. "+01:00". */
  offset: string;
  startMs: number;
  /** The anchor day does not exist in the target month and was clamped to its last day. */
  clamped: boolean;
  /** Local midnight fell in a daylight-saving gap and was moved to the end of the gap. */
  shiftedByDst: boolean;
  /** The UTC offset differs from the previous boundary's (a daylight-saving change between them). */
  offsetChanged: boolean;
}

/** The first `count` period starts of a calendar from its activation (index 0 on). */
export function previewBoundaries(
  anchorDate: string,
  timeZone: string,
  renew: Renew | null,
  count: number,
  fromIndex = 0,
): BoundaryPreview[] {
  const anchor = Temporal.PlainDate.from(anchorDate);
  const result: BoundaryPreview[] = [];
  const last = renew === null ? Math.min(fromIndex, 0) : fromIndex + count - 1;
  let previousOffset: string | null = null;
  for (let k = fromIndex; k <= last; k += 1) {
    const date = renew === null ? anchor : boundaryDate(anchorDate, renew, k);
    const zoned = date.toZonedDateTime({ timeZone, plainTime: new Temporal.PlainTime(0, 0) });
    const clamped = renew !== null && STEP[renew].months !== undefined && date.day !== anchor.day;
    result.push({
      index: k,
      localDate: date.toString(),
      localTime: zoned.toPlainTime().toString({ smallestUnit: 'minute' }),
      offset: zoned.offset,
      startMs: zoned.epochMilliseconds,
      clamped,
      shiftedByDst: zoned.hour !== 0 || zoned.minute !== 0 || !zoned.toPlainDate().equals(date),
      offsetChanged: previousOffset !== null && previousOffset !== zoned.offset,
    });
    previousOffset = zoned.offset;
  }
  return result;
}

/** Is `date` a real ISO calendar date written YYYY-MM-DD? */
export function isIsoDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  try {
    return Temporal.PlainDate.from(date, { overflow: 'reject' }).toString() === date;
  } catch {
    return false;
  }
}

/** Is `zone` a named IANA time zone that this runtime knows? (UTC offsets are not zones.) */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * ISO-8601 UTC to the second, with Z (SPEC §8). Written as Temporal.Instant writes it (the
 * extended ±YYYYYY year outside 0000–9999 included) but through Date, which costs a tenth as
 * much: a large sync pull formats tens of thousands of instants. Date throws the same
 * RangeError outside Temporal's range (±8.64e15 ms).
 */
export function isoSecond(ms: number): string {
  // Date here only formats the instant it is given; it never reads the clock.
  // eslint-disable-next-line no-restricted-globals
  const text = new Date(Math.floor(ms / 1000) * 1000).toISOString(); // …T09:00:00.000Z
  return `${text.slice(0, -5)}Z`;
}

/** Parse an ISO-8601 instant with an offset or Z; null when it is not one. */
export function parseInstant(text: string): number | null {
  try {
    return Temporal.Instant.from(text).epochMilliseconds;
  } catch {
    return null;
  }
}
