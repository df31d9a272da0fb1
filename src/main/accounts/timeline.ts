import { bucketNames, type Channel, type PlanConfig } from '../../shared/domain';
import { localMidnightMs } from '../../shared/engine';
import { type Ledger, allPlanVersions, getPlanByRef, listAllPlans, planVersions, type PlanVersionRow } from '../ledger';

/**
 * A plan's life as the engine sees it, derived from its versions: which configuration is in
 * force at each instant, from when it is active (activation reached), and when it ends.
 *
 * Version i is in force from its time on (version 1 also before: usage older than the plan's
 * creation is judged by its first configuration), until the next version; a delete version
 * ends the plan. A plan becomes active at its activation instant under the configuration in
 * force then, and stays active until deleted — exactly what the engine does when the same
 * versions are applied to it in time order.
 */

export interface TimelineVersion {
  version: number;
  action: PlanVersionRow['action'];
  config: PlanConfig;
  /** When the engine applies this version: its time, never earlier than the version before. */
  effectiveAt: number;
}

interface CoverageSegment {
  fromMs: number;
  toMs: number;
  all: boolean;
  channels: ReadonlySet<string>;
}

export interface PlanTimeline {
  ref: number;
  id: string;
  spaceId: string;
  versions: TimelineVersion[];
  /** When the plan first counts usage (null: never, e.g. deleted before its activation). */
  activeFrom: number | null;
  deletedAt: number | null;
  segments: CoverageSegment[];
}

export function buildTimeline(ref: number, id: string, spaceId: string, rows: readonly PlanVersionRow[]): PlanTimeline {
  const versions: TimelineVersion[] = [];
  let last = -Infinity;
  for (const row of rows) {
    last = Math.max(last, row.at);
    versions.push({ version: row.version, action: row.action, config: row.config, effectiveAt: last });
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
  return { ref, id, spaceId, versions, activeFrom, deletedAt, segments };
}

export function covers(timeline: PlanTimeline, channel: Channel, ms: number): boolean {
  for (const segment of timeline.segments) {
    if (ms >= segment.fromMs && ms < segment.toMs) return segment.all || segment.channels.has(channel);
  }
  return false;
}

/**
 * Which plan an event counts against: among the space's plans covering the channel at that
 * instant, the one created first. Live plans never overlap (the coexistence rules), so a tie
 * only arises between a deleted plan and one created after it with an earlier activation;
 * the deleted plan was the one in force then.
 */
export class Attribution {
  private readonly bySpace = new Map<string, PlanTimeline[]>();
  private readonly byRef = new Map<number, PlanTimeline>();

  constructor(timelines: readonly PlanTimeline[]) {
    for (const t of timelines) this.byRef.set(t.ref, t);
    for (const t of [...timelines].sort((a, b) => a.ref - b.ref)) this.index(t);
  }

  private index(t: PlanTimeline): void {
    if (t.activeFrom === null) return;
    let list = this.bySpace.get(t.spaceId);
    if (!list) this.bySpace.set(t.spaceId, (list = []));
    list.push(t);
  }

  /** Put in (or replace) one plan's timeline, keeping its space's plans in creation order. */
  replace(timeline: PlanTimeline): void {
    const previous = this.byRef.get(timeline.ref);
    this.byRef.set(timeline.ref, timeline);
    const spaceId = previous?.spaceId ?? timeline.spaceId;
    const list = (this.bySpace.get(spaceId) ?? []).filter((t) => t.ref !== timeline.ref);
    if (timeline.activeFrom !== null) list.push(timeline);
    list.sort((a, b) => a.ref - b.ref);
    this.bySpace.set(spaceId, list);
  }

  planFor(spaceId: string, channel: Channel, ms: number): PlanTimeline | null {
    const list = this.bySpace.get(spaceId);
    if (list === undefined) return null;
    for (const timeline of list) if (covers(timeline, channel, ms)) return timeline;
    return null;
  }

  timeline(ref: number): PlanTimeline | undefined {
    return this.byRef.get(ref);
  }

  plansOfSpace(spaceId: string): readonly PlanTimeline[] {
    return this.bySpace.get(spaceId) ?? [];
  }
}

export function loadTimelines(ledger: Ledger): PlanTimeline[] {
  const versions = allPlanVersions(ledger);
  return listAllPlans(ledger).map((p) => buildTimeline(p.ref, p.id, p.spaceId, versions.get(p.ref) ?? []));
}

const cache = new WeakMap<Ledger, { generation: number; attribution: Attribution }>();

/**
 * After one plan's versions changed (inside the transaction that changed them): rebuild only
 * its timeline. A rolled-back transaction bumps the ledger's generation, which rebuilds all.
 */
export function refreshPlanTimeline(ledger: Ledger, ref: number): Attribution {
  const attribution = currentAttribution(ledger);
  const plan = getPlanByRef(ledger, ref);
  if (plan !== null) attribution.replace(buildTimeline(plan.ref, plan.id, plan.spaceId, planVersions(ledger, ref)));
  return attribution;
}

/** The attribution for the ledger's current plans (rebuilt only after a plan changed). */
export function currentAttribution(ledger: Ledger): Attribution {
  const hit = cache.get(ledger);
  if (hit !== undefined && hit.generation === ledger.plansGeneration) return hit.attribution;
  const attribution = new Attribution(loadTimelines(ledger));
  cache.set(ledger, { generation: ledger.plansGeneration, attribution });
  return attribution;
}
