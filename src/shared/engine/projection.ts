import { Temporal } from 'temporal-polyfill';
import { allocationOf, type BucketName, type Channel, type PlanConfig } from '../domain';
import { cloneState, recordUsage, snapshotAt, type PlanState } from './account';
import { initialSegment, localMidnightMs, periodAt, previewBoundaries } from './calendar';

/**
 * What a plan preview shows ahead of now (SPEC §3–5): the next renewals, and each bucket's
 * balance day by day if the space's recent daily traffic continues. Pure: the caller gives the
 * instant and the daily rate it measured.
 */

const DAY_MS = 86_400_000;
/** Without renewal the plan's one period never ends: the projection looks a year ahead. */
const UNRENEWED_HORIZON_DAYS = 366;
/** Points per bucket on the chart at most: longer projections are sampled, keeping each period's edges. */
const MAX_PROJECTION_POINTS = 200;

export type Boundary = ReturnType<typeof previewBoundaries>[number];

/** The next period starts from `now` on: six for a renewing plan, its one period's start otherwise. */
export function nextBoundaries(config: PlanConfig, now: number): Boundary[] {
  const { date, timeZone } = config.activation;
  if (config.renew === null) return previewBoundaries(date, timeZone, null, 1);
  const segment = initialSegment(date, timeZone, config.renew);
  const from = now < segment.startMs ? 0 : periodAt(segment, now).index + 1;
  return previewBoundaries(date, timeZone, config.renew, 6, from);
}

export interface ProjectionWindow {
  fromMs: number;
  toMs: number;
}

/**
 * The projection covers the periods whose starts the preview lists: from now (or from the
 * activation, if later) to the end of the last listed period.
 */
export function projectionWindow(config: PlanConfig, shown: readonly Boundary[], now: number): ProjectionWindow {
  const { date, timeZone } = config.activation;
  const fromMs = Math.max(now, localMidnightMs(date, timeZone));
  const last = shown.at(-1);
  if (config.renew === null || last === undefined) {
    const toMs = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone).add({ days: UNRENEWED_HORIZON_DAYS }).epochMilliseconds;
    return { fromMs, toMs };
  }
  const [end] = previewBoundaries(date, timeZone, config.renew, 1, last.index + 1);
  return { fromMs, toMs: end?.startMs ?? fromMs };
}

export interface BucketProjection {
  bucket: BucketName;
  dailyRate: number;
  /** Remaining credits at sampled instants (at most ~200, each period's edges kept). */
  points: { atMs: number; remaining: number }[];
  /** The local date the bucket first runs out, if it does. */
  runsOutOn: string | null;
  periods: number;
  runOutPeriods: number;
}

/**
 * Balances of one bucket day by day (days of the plan's zone) from `start`, if `dailyRate`
 * credits a day keep arriving on `channel` (for a pool: any channel of the space; undefined:
 * the space has none, so nothing is used).
 */
export function projectBucket(
  config: PlanConfig,
  start: PlanState,
  bucket: BucketName,
  dailyRate: number,
  channel: Channel | undefined,
  window: ProjectionWindow,
): BucketProjection {
  const perDay = Math.round(dailyRate);
  const timeZone = config.activation.timeZone;
  const sim = cloneState(start);
  const days: { t: number; remaining: number; period: number | null }[] = [];
  let runsOutOn: string | null = null;
  const periods = new Set<number>();
  const runOut = new Set<number>();
  // One sample a local day: the first at the window's start, then at local noon of each next
  // day, stepped in 24 h from the first noon. A daylight-saving change moves a sample an hour
  // or so off noon, never to another date, and the polyfill's zoned arithmetic (~25 µs a day,
  // over 2,000 days for a yearly plan) stays out of the loop.
  const first = Temporal.Instant.fromEpochMilliseconds(window.fromMs).toZonedDateTimeISO(timeZone);
  const firstNoon = first.toPlainDate().toZonedDateTime({ timeZone, plainTime: new Temporal.PlainTime(12) }).epochMilliseconds;
  const localDate = (t: number): string => Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(timeZone).toPlainDate().toString();
  for (let k = 0; ; k += 1) {
    const t = k === 0 ? window.fromMs : firstNoon + k * DAY_MS;
    if (t >= window.toMs) break;
    if (perDay > 0 && channel !== undefined) {
      const decision = recordUsage(sim, { id: '', channel, credits: perDay, direction: 'MT' }, t);
      if (!decision.accepted) {
        const left = snapshotAt(sim, t).buckets[bucket]?.remaining ?? 0;
        if (left > 0) recordUsage(sim, { id: '', channel, credits: left, direction: 'MT' }, t);
      }
    }
    const snapshot = snapshotAt(sim, t);
    const remaining = snapshot.buckets[bucket]?.remaining ?? (snapshot.period === null ? allocationOf(config, bucket) : 0);
    const period = snapshot.period?.index ?? null;
    days.push({ t, remaining, period });
    if (period === null) continue;
    periods.add(period);
    if (perDay > 0 && remaining === 0) {
      runOut.add(period);
      runsOutOn ??= localDate(t);
    }
  }
  const step = Math.ceil(days.length / MAX_PROJECTION_POINTS);
  const points = days
    .filter((d, i) => i % step === 0 || i === days.length - 1 || d.period !== days[i - 1]?.period || d.period !== days[i + 1]?.period)
    .map((d) => ({ atMs: d.t, remaining: d.remaining }));
  return { bucket, dailyRate, points, runsOutOn, periods: periods.size, runOutPeriods: runOut.size };
}
