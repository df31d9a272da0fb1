import type { Channel, Direction, PlanConfig } from '../../shared/domain';
import { applyChargeNow, applyDelete, applyEdit, applyTopUp, createPlanState, recordUsage, type PlanState } from '../../shared/engine';
import type { PlanStateRecord } from '../../shared/sync';
import { planStateRecord, type CreditRequest } from '../records';
import { decodePlanState, type Queryable } from '../store';
import { overlayCounters } from './counters';

type CounterOverlay = Parameters<typeof overlayCounters>[1] extends readonly (infer R)[] | null ? R : never;

/**
 * The buckets of a plan at any instant. At or after the last decision the stored state is
 * simply projected forward. Before it, the plan is replayed from its first version: versions
 * and usage events carry their position (`ord`) and decision instant, and the engine is
 * deterministic, so the replay retraces exactly the decisions that were taken.
 */
export interface PlanStateLookup {
  planId: string;
  environmentId: string;
  record: PlanStateRecord;
}

export async function planStateAt(db: Queryable, planId: string, atMs: number): Promise<PlanStateLookup | null> {
  // The state and its counters in one statement: one snapshot.
  const current = await db.query<{ state: string; version: number; environment_id: string; counters: CounterOverlay[] | null }>(
    `SELECT s.state::text AS state, p.version, p.environment_id,
            (SELECT json_agg(json_build_object('bucket', c.bucket, 'used', c.used, 'clock_ms', c.clock_ms, 'fast_events', c.fast_events))
               FROM usage_counters c WHERE c.plan_id = s.plan_id) AS counters
       FROM plan_states s JOIN plans p ON p.id = s.plan_id
      WHERE s.plan_id = $1`,
    [planId],
  );
  const row = current.rows[0];
  if (!row) return null;
  const state = overlayCounters(decodePlanState(row.state), row.counters);
  if (atMs >= state.clockMs) {
    return { planId, environmentId: row.environment_id, record: planStateRecord(planId, Number(row.version), state, atMs) };
  }
  const replayed = await replay(db, planId, atMs);
  return { planId, environmentId: row.environment_id, record: planStateRecord(planId, replayed.version, replayed.state, atMs) };
}

export type ReplayOp =
  | { ord: number; ms: number; kind: 'version'; version: number; action: string; config: PlanConfig }
  | { ord: number; ms: number; kind: 'usage'; id: string; channel: Channel; direction: Direction; credits: number }
  | { ord: number; ms: number; kind: 'credit'; id: string; credit: 'top_up' | 'charge_now'; request: CreditRequest };
type Op = ReplayOp;

/** A plan's add-on credits with ord in (fromOrd, toOrd], as replay operations. */
export async function readCreditOps(db: Queryable, planId: string, fromOrd: number, toOrd: number): Promise<ReplayOp[]> {
  const rows = await db.query<{ id: string; kind: 'top_up' | 'charge_now'; request: CreditRequest; effective_ms: unknown; ord: number }>(
    'SELECT id, kind, request, effective_ms, ord FROM plan_credits WHERE plan_id = $1 AND ord > $2 AND ord <= $3 ORDER BY ord',
    [planId, fromOrd, toOrd],
  );
  return rows.rows.map((c): ReplayOp => ({ ord: Number(c.ord), ms: Number(c.effective_ms), kind: 'credit', id: c.id, credit: c.kind, request: c.request }));
}

/**
 * Apply stored credits to a state again, as push applied them (credits/push). The engine is
 * deterministic: on the same state at the same instant it adds exactly what it added then.
 */
export function applyCredit(state: PlanState, op: Extract<ReplayOp, { kind: 'credit' }>): void {
  if (op.credit === 'charge_now') applyChargeNow(state, op.id, op.ms);
  else if (!('week' in op.request)) applyTopUp(state, { id: op.id, ...op.request }, op.ms);
}

/**
 * The order in which a plan's operations were applied: by position; events charged by the fast
 * path between two seeds share an ord, and their decision instants (then ids) order them.
 */
export function compareReplayOps(a: ReplayOp, b: ReplayOp): number {
  return a.ord - b.ord || a.ms - b.ms || (a.kind === 'usage' && b.kind === 'usage' ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : 0);
}

async function replay(db: Queryable, planId: string, atMs: number): Promise<{ state: PlanState; version: number }> {
  const versions = await db.query<{ version: number; action: string; config: PlanConfig; effective_ms: unknown; ord: number }>(
    'SELECT version, action, config, effective_ms, ord FROM plan_versions WHERE plan_id = $1 ORDER BY ord',
    [planId],
  );
  const usage = await db.query<{ id: string; channel: Channel; direction: Direction; credits: unknown; decided_ms: unknown; ord: number }>(
    `SELECT id, channel, direction, credits, decided_ms, ord FROM usage_events
      WHERE plan_id = $1 AND ord IS NOT NULL AND decided_ms <= $2 ORDER BY ord`,
    [planId, atMs],
  );
  const ops: Op[] = [
    ...versions.rows.map((v): Op => ({ ord: Number(v.ord), ms: Number(v.effective_ms), kind: 'version', version: Number(v.version), action: v.action, config: v.config })),
    ...usage.rows.map((u): Op => ({ ord: Number(u.ord), ms: Number(u.decided_ms), kind: 'usage', id: u.id, channel: u.channel, direction: u.direction, credits: Number(u.credits) })),
    ...(await readCreditOps(db, planId, -1, 2_147_483_647)),
  ].sort(compareReplayOps);

  const first = ops.find((op) => op.kind === 'version');
  if (!first || first.kind !== 'version') throw new Error(`plan ${planId} has no first version`);
  const state = createPlanState(first.config);
  let version = first.version;
  for (const op of ops) {
    if (op === first) continue;
    if (op.ms > atMs) break;
    if (op.kind === 'usage') recordUsage(state, op, op.ms);
    else if (op.kind === 'credit') applyCredit(state, op);
    else {
      if (op.action === 'deleted') applyDelete(state, op.ms);
      else applyEdit(state, op.config, op.ms);
      version = op.version;
    }
  }
  return { state, version };
}
