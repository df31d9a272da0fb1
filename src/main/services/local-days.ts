import { Temporal } from 'temporal-polyfill';
import { localMidnightMs } from '../../shared/engine';

/**
 * Local midnights of many consecutive dates in one zone, for usage series (a year by day is 366
 * of them). The engine's localMidnightMs asks the time-zone library for each date, which the
 * polyfill answers in ~0.1 ms. Here the library is asked once per stretch of constant UTC
 * offset (its own transitions bound the stretch); inside a stretch, more than two days from
 * either transition, local midnight is the date's UTC midnight shifted by that offset. Near a
 * transition, and for any date outside the stretch, the library answers as before — so gaps,
 * repeated hours and midnight transitions are decided by it, never here.
 */
const MARGIN_MS = 2 * 86_400_000;

export class LocalMidnights {
  private readonly zone: string;
  private offsetMs = 0;
  private validFrom = Infinity;
  private validTo = -Infinity;

  constructor(zone: string) {
    this.zone = zone;
  }

  of(date: Temporal.PlainDate): number {
    return this.ofEpochDay(Date.UTC(date.year, date.month - 1, date.day) / 86_400_000, date);
  }

  /** The same for a date given as days since 1970-01-01 (no Temporal object on the fast path). */
  ofEpochDay(epochDay: number, date?: Temporal.PlainDate): number {
    const candidate = epochDay * 86_400_000 - this.offsetMs;
    if (candidate >= this.validFrom && candidate < this.validTo) return candidate;
    const exact = localMidnightMs(date ?? Temporal.PlainDate.from(new Date(epochDay * 86_400_000).toISOString().slice(0, 10)), this.zone);
    this.learn(exact);
    return exact;
  }

  private learn(ms: number): void {
    const zoned = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(this.zone);
    // 'previous' is strictly before the instant it is asked from. A local midnight can sit exactly
    // on a transition (Santiago moves its clocks at midnight); the stretch then starts there, so
    // ask from one millisecond later, or the stretch would reach back over the transition.
    const previous = zoned.add({ milliseconds: 1 }).getTimeZoneTransition('previous');
    const next = zoned.getTimeZoneTransition('next');
    this.offsetMs = zoned.offsetNanoseconds / 1e6;
    this.validFrom = (previous === null ? -Infinity : previous.epochMilliseconds) + MARGIN_MS;
    this.validTo = (next === null ? Infinity : next.epochMilliseconds) - MARGIN_MS;
  }
}
