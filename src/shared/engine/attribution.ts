import { bucketNames, type BucketName, type Channel, type PlanConfig } from '../domain';
import { localMidnightMs } from './calendar';

/**
 * Which plan and bucket a usage event counts against — the one rule, for the console's ledger
 * and the central service alike.
 *
 * A plan's life follows its versions: version i is in force from its time on (version 1 also
 * before: usage older than the plan's creation is judged by its first configuration) until the
 * next; a delete version ends the plan. The plan counts usage from its activation instant under
 * the configuration in force then, until deleted — exactly what the engine does when the same
 * versions are applied to a plan state in time order. Among a space's plans covering the
 * event's channel at its instant the first in creation order wins: live plans never overlap
 * (the coexistence rules), so a tie only arises between a deleted plan and one created after it
 * with an earlier activation, and the deleted plan was the one in force then.
 */

export interface PlanVersionInput {
  version: number;
  action: 'created' | 'updated' | 'deleted';
  config: PlanConfig;
  /** When the version was written (epoch ms). */
  at: number;
}

export interface EffectiveVersion extends PlanVersionInput {
  /** When the engine applies this version: its time, never earlier than the version before. */
  effectiveAt: number;
}

export interface CoverageSegment {
  fromMs: number;
  toMs: number;
  /** The configuration in force limits all channels together (bucket ALL). */
  all: boolean;
  channels: ReadonlySet<string>;
}

/** A plan's coverage over time, derived once from its versions (`planCoverage`). */
export interface PlanCoverage {
  versions: EffectiveVersion[];
  /** When the plan first counts usage (null: never, e.g. deleted before its activation). */
  activeFrom: number | null;
  deletedAt: number | null;
  segments: CoverageSegment[];
}

/** The coverage of a plan with these versions (oldest first). */
export function planCoverage(rows: readonly PlanVersionInput[]): PlanCoverage {
  const versions: EffectiveVersion[] = [];
  let last = -Infinity;
  for (const row of rows) {
    last = Math.max(last, row.at);
    versions.push({ version: row.version, action: row.action, config: row.config, at: row.at, effectiveAt: last });
  }
  const live = versions.filter((v) => v.action !== 'deleted');
  const deletion = versions.find((v) => v.action === 'deleted');
  const deletedAt = deletion ? deletion.effectiveAt : null;
  const end = deletedAt ?? Infinity;

  let activeFrom: number | null = null;
  const intervals = live.map((v, i) => ({
    config: v.config,
    start: i === 0 ? -Infinity : v.effectiveAt,
    end: Math.min(live[i + 1]?.effectiveAt ?? Infinity, end),
  }));
  for (const interval of intervals) {
    if (interval.start >= interval.end) continue;
    const activation = localMidnightMs(interval.config.activation.date, interval.config.activation.timeZone);
    const from = Math.max(activation, interval.start);
    if (from < interval.end) {
      activeFrom = from;
      break;
    }
  }
  const segments: CoverageSegment[] = [];
  if (activeFrom !== null) {
    for (const interval of intervals) {
      const fromMs = Math.max(interval.start, activeFrom);
      if (fromMs >= interval.end) continue;
      const all = interval.config.limit === 'all_channels';
      segments.push({ fromMs, toMs: interval.end, all, channels: new Set(all ? [] : bucketNames(interval.config)) });
    }
  }
  return { versions, activeFrom, deletedAt, segments };
}

/** The bucket of `coverage` that an event on `channel` at `ms` counts against, or null if the plan does not cover it. */
export function bucketAt(coverage: PlanCoverage, channel: Channel, ms: number): BucketName | null {
  for (const segment of coverage.segments) {
    if (ms >= segment.fromMs && ms < segment.toMs) {
      if (segment.all) return 'ALL';
      return segment.channels.has(channel) ? channel : null;
    }
  }
  return null;
}

/** Whether the plan counts an event on `channel` at `ms`. */
export function covers(coverage: PlanCoverage, channel: Channel, ms: number): boolean {
  return bucketAt(coverage, channel, ms) !== null;
}

/**
 * The plan an event on `channel` at `ms` counts against: the first of the space's `plans`
 * (given in creation order) that covers it, or null (uncovered).
 */
export function planCovering<P extends PlanCoverage>(plans: readonly P[], channel: Channel, ms: number): P | null {
  for (const plan of plans) if (covers(plan, channel, ms)) return plan;
  return null;
}

/**
 * Which plan and bucket an event counts against: the space's plans in creation order (each
 * with its coverage, `planCoverage(versions)`, computed once per plan), the event's channel and
 * instant → the plan's id and the bucket, or null when no plan covers it.
 */
export function attributeEvent(
  plans: readonly (PlanCoverage & { id: string })[],
  event: { channel: Channel; atMs: number },
): { planId: string; bucket: BucketName } | null {
  for (const plan of plans) {
    const bucket = bucketAt(plan, event.channel, event.atMs);
    if (bucket !== null) return { planId: plan.id, bucket };
  }
  return null;
}
