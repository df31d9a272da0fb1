import type { Channel, Direction } from '../../shared/domain';
import { createPlanState } from '../../shared/engine';
import { applyNewVersion, markDirty, saveAccount, settle } from './accounts';
import { AggregateDelta } from './aggregates';
import { type Ledger, channelSql, directionSql } from '../ledger';
import { currentAttribution, refreshPlanTimeline, type Attribution } from './timeline';

/**
 * Keeping usage and engine states right after a plan version is written (inside the same
 * transaction as the version): which plan each event counts against can change from the
 * version's instant on (or, for a new plan activated in the past, from its activation for
 * traffic no plan covered), and every affected plan is re-decided.
 */

interface MovableEvent {
  seq: number;
  channel: Channel;
  direction: Direction;
  credits: number;
  occurred_at: number;
  plan_ref: number | null;
  rejected: number;
}

function reattribute(
  ledger: Ledger,
  attribution: Attribution,
  spaceId: string,
  fromMs: number,
  onlyUnattributed: boolean,
  delta: AggregateDelta,
): Set<number> {
  const touched = new Set<number>();
  const candidates: MovableEvent[] = [];
  candidates.push(
    ...(ledger
      .stmt(
        `SELECT seq, ${channelSql('kind')} AS channel, ${directionSql('kind')} AS direction, credits, occurred_at, plan_ref, 0 AS rejected
         FROM usage_events WHERE space_ref = (SELECT ref FROM space_refs WHERE space_id = ?) AND plan_ref IS NULL AND occurred_at >= ?`,
      )
      .all(spaceId, fromMs) as MovableEvent[]),
  );
  if (!onlyUnattributed) {
    const refs = ledger.stmt('SELECT ref FROM plans WHERE space_id = ?').all(spaceId) as { ref: number }[];
    for (const { ref } of refs) {
      candidates.push(
        ...(ledger
          .stmt(
            `SELECT e.seq, ${channelSql('e.kind')} AS channel, ${directionSql('e.kind')} AS direction, e.credits, e.occurred_at, e.plan_ref,
               r.event_seq IS NOT NULL AS rejected
             FROM usage_events e LEFT JOIN usage_rejections r ON r.event_seq = e.seq
             WHERE e.plan_ref = ? AND e.occurred_at >= ?`,
          )
          .all(ref, fromMs) as MovableEvent[]),
      );
    }
  }
  const move = ledger.stmt('UPDATE usage_events SET plan_ref = ? WHERE seq = ?');
  const unreject = ledger.stmt('DELETE FROM usage_rejections WHERE event_seq = ?');
  const dirtyFrom = new Map<number, number>();
  const note = (ref: number, t: number): void => {
    dirtyFrom.set(ref, Math.min(dirtyFrom.get(ref) ?? Infinity, t));
  };
  for (const e of candidates) {
    const target = attribution.planFor(spaceId, e.channel, e.occurred_at);
    const next = target === null ? null : target.ref;
    if (next === e.plan_ref) continue;
    move.run(next, e.seq);
    const mt = e.direction === 'MT' ? e.credits : 0;
    const mo = e.direction === 'MO' ? 1 : 0;
    if (e.plan_ref !== null) {
      if (e.rejected) unreject.run(e.seq);
      delta.add(e.plan_ref, e.channel, e.occurred_at, -mt, -mo, e.rejected ? -e.credits : 0);
      note(e.plan_ref, e.occurred_at);
    }
    if (next !== null) {
      delta.add(next, e.channel, e.occurred_at, mt, mo, 0);
      note(next, e.occurred_at);
    }
  }
  for (const [ref, t] of dirtyFrom) {
    const timeline = attribution.timeline(ref);
    if (timeline) {
      markDirty(ledger, timeline, t);
      touched.add(ref);
    }
  }
  return touched;
}

/**
 * After a plan version was written: start the plan's engine state (a new plan) or apply the
 * version to it, move events whose plan changed, and settle every plan that needs it.
 */
export function afterPlanVersion(ledger: Ledger, planRef: number, decidedAt: number): void {
  const attribution = refreshPlanTimeline(ledger, planRef);
  const timeline = attribution.timeline(planRef);
  if (timeline === undefined) throw new Error(`plan ${planRef} has no timeline`);
  const delta = new AggregateDelta();
  const latest = timeline.versions[timeline.versions.length - 1]!;
  const touched = new Set<number>([planRef]);
  if (timeline.versions.length === 1) {
    saveAccount(ledger, planRef, { state: createPlanState(latest.config), dirtyFrom: null });
    if (timeline.activeFrom !== null) {
      for (const ref of reattribute(ledger, attribution, timeline.spaceId, timeline.activeFrom, true, delta)) touched.add(ref);
    }
  } else {
    applyNewVersion(ledger, timeline, latest);
    for (const ref of reattribute(ledger, attribution, timeline.spaceId, latest.effectiveAt, false, delta)) touched.add(ref);
  }
  for (const ref of touched) {
    const t = attribution.timeline(ref);
    if (t) settle(ledger, t, delta, decidedAt);
  }
  delta.flush(ledger);
}

/**
 * After versions of plans changed other than through a plan change here (a sync pull wrote the
 * central service's versions): rebuild the timelines, move the events whose plan changed from
 * `fromMs` on (BEGINNING when the earliest affected instant is not known), and settle every
 * plan affected — in the caller's transaction.
 */
export function refreshPlans(ledger: Ledger, refs: Iterable<number>, fromMs: number, decidedAt: number): void {
  ledger.plansGeneration += 1;
  const attribution = currentAttribution(ledger);
  const delta = new AggregateDelta();
  const touched = new Set<number>();
  const spaces = new Set<string>();
  for (const ref of refs) {
    const timeline = attribution.timeline(ref);
    if (timeline === undefined) continue;
    spaces.add(timeline.spaceId);
    markDirty(ledger, timeline, fromMs);
    touched.add(ref);
  }
  for (const spaceId of spaces) for (const ref of reattribute(ledger, attribution, spaceId, fromMs, false, delta)) touched.add(ref);
  for (const ref of touched) {
    const timeline = attribution.timeline(ref);
    if (timeline) settle(ledger, timeline, delta, decidedAt);
  }
  delta.flush(ledger);
}
