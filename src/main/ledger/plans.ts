import type { PlanConfig } from '../../shared/domain';
import { decodeConfig } from './codec';
import type { Ledger } from './ledger';

/** Credit plans: the current row of each plan and every version of it. */

export type PlanAction = 'created' | 'updated' | 'deleted';

export interface PlanRow {
  ref: number;
  id: string;
  spaceId: string;
  version: number;
  config: PlanConfig;
  deletedAt: number | null;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

export interface PlanVersionRow {
  version: number;
  action: PlanAction;
  config: PlanConfig;
  at: number;
  actor: string;
}

interface RawPlan {
  ref: number;
  id: string;
  space_id: string;
  version: number;
  config: string;
  deleted_at: number | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

const toPlan = (r: RawPlan): PlanRow => ({
  ref: r.ref,
  id: r.id,
  spaceId: r.space_id,
  version: r.version,
  config: decodeConfig(r.config),
  deletedAt: r.deleted_at,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

export function getPlan(ledger: Ledger, id: string): PlanRow | null {
  const row = ledger.stmt('SELECT * FROM plans WHERE id = ?').get(id) as RawPlan | undefined;
  return row ? toPlan(row) : null;
}

export function getPlanByRef(ledger: Ledger, ref: number): PlanRow | null {
  const row = ledger.stmt('SELECT * FROM plans WHERE ref = ?').get(ref) as RawPlan | undefined;
  return row ? toPlan(row) : null;
}

export function listPlans(ledger: Ledger, spaceId: string, includeDeleted: boolean): PlanRow[] {
  const sql = includeDeleted
    ? 'SELECT * FROM plans WHERE space_id = ? ORDER BY ref'
    : 'SELECT * FROM plans WHERE space_id = ? AND deleted_at IS NULL ORDER BY ref';
  return (ledger.stmt(sql).all(spaceId) as RawPlan[]).map(toPlan);
}

export function listAllPlans(ledger: Ledger): PlanRow[] {
  return (ledger.stmt('SELECT * FROM plans ORDER BY ref').all() as RawPlan[]).map(toPlan);
}

export function planExists(ledger: Ledger, id: string): boolean {
  return ledger.stmt('SELECT 1 FROM plans WHERE id = ?').get(id) !== undefined;
}

export function insertPlan(
  ledger: Ledger,
  plan: { id: string; spaceId: string; config: PlanConfig; at: number; actor: string },
): number {
  const info = ledger
    .stmt(
      `INSERT INTO plans (id, space_id, version, config, deleted_at, created_at, created_by, updated_at, updated_by)
       VALUES (?, ?, 1, ?, NULL, ?, ?, ?, ?)`,
    )
    .run(plan.id, plan.spaceId, JSON.stringify(plan.config), plan.at, plan.actor, plan.at, plan.actor);
  return Number(info.lastInsertRowid);
}

/** Move a plan's current row to a new version; refused (0 rows) unless `fromVersion` is current. */
export function advancePlanRow(
  ledger: Ledger,
  ref: number,
  fromVersion: number,
  change: { config: PlanConfig; deletedAt: number | null; at: number; actor: string },
): boolean {
  const info = ledger
    .stmt(
      `UPDATE plans SET version = version + 1, config = ?, deleted_at = ?, updated_at = ?, updated_by = ?
       WHERE ref = ? AND version = ? AND deleted_at IS NULL`,
    )
    .run(JSON.stringify(change.config), change.deletedAt, change.at, change.actor, ref, fromVersion);
  return info.changes === 1;
}

export function insertPlanVersion(ledger: Ledger, ref: number, v: PlanVersionRow): void {
  ledger
    .stmt('INSERT INTO plan_versions (plan_ref, version, action, config, at, actor) VALUES (?, ?, ?, ?, ?, ?)')
    .run(ref, v.version, v.action, JSON.stringify(v.config), v.at, v.actor);
}

export function planVersions(ledger: Ledger, ref: number): PlanVersionRow[] {
  const rows = ledger
    .stmt('SELECT version, action, config, at, actor FROM plan_versions WHERE plan_ref = ? ORDER BY version')
    .all(ref) as { version: number; action: PlanAction; config: string; at: number; actor: string }[];
  return rows.map((r) => ({ version: r.version, action: r.action, config: decodeConfig(r.config), at: r.at, actor: r.actor }));
}

/** Every plan's versions, for building attribution timelines (plan ref → versions). */
export function allPlanVersions(ledger: Ledger): Map<number, PlanVersionRow[]> {
  const result = new Map<number, PlanVersionRow[]>();
  const rows = ledger
    .stmt('SELECT plan_ref, version, action, config, at, actor FROM plan_versions ORDER BY plan_ref, version')
    .all() as { plan_ref: number; version: number; action: PlanAction; config: string; at: number; actor: string }[];
  for (const r of rows) {
    let list = result.get(r.plan_ref);
    if (!list) result.set(r.plan_ref, (list = []));
    list.push({ version: r.version, action: r.action, config: decodeConfig(r.config), at: r.at, actor: r.actor });
  }
  return result;
}

/** Plans with changes the central service has not accepted yet. */
export function plansPendingSync(ledger: Ledger, refs: number[]): Set<number> {
  const pending = new Set<number>();
  const stmt = ledger.stmt("SELECT 1 FROM outbox WHERE plan_ref = ? AND status IN ('pending', 'sent') LIMIT 1");
  for (const ref of refs) if (stmt.get(ref) !== undefined) pending.add(ref);
  return pending;
}
