import type { Channel } from '../../shared/domain';
import { planCoverage, planCovering, type EffectiveVersion, type PlanCoverage } from '../../shared/engine';
import { type Ledger, allPlanVersions, getPlanByRef, listAllPlans, planVersions, type PlanVersionRow } from '../ledger';

/**
 * A plan's life as the engine sees it (which configuration is in force when, from when it is
 * active, when it ends), derived from its versions by the engine's attribution rule
 * (src/shared/engine/attribution.ts), with the ledger's numbers for the plan.
 */
export type TimelineVersion = EffectiveVersion;

export interface PlanTimeline extends PlanCoverage {
  ref: number;
  id: string;
  spaceId: string;
}

export function buildTimeline(ref: number, id: string, spaceId: string, rows: readonly PlanVersionRow[]): PlanTimeline {
  return { ref, id, spaceId, ...planCoverage(rows) };
}

/**
 * Which plan an event counts against (the engine's rule, `planCovering`), over every plan in
 * the ledger: each space's timelines kept in creation order.
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
    return list === undefined ? null : planCovering(list, channel, ms);
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
