import type { PlanConfig } from '../../shared/domain';
import type { Change } from '../../shared/sync';
import { decodeConfig, type Ledger, getPlanByRef } from '../ledger';

/**
 * Conflicts: a plan's local changes that the central service could not take (it had moved on
 * to another version, or refused them). They are set aside whole — the outbox payloads and my
 * resulting plan — and the plan goes back to its last version the central service confirmed,
 * so that the central versions can follow. Nothing is deleted from the history log: my entries
 * are marked `conflicted`, and later `dropped` or `rebased` when the admin decides.
 */

export interface MinePlan {
  config: PlanConfig;
  deleted: boolean;
  actor: string;
  at: number;
}

export type ConflictReason = 'outdated' | 'rejected';

export interface ConflictRow {
  id: string;
  planRef: number;
  planId: string;
  spaceId: string;
  reason: ConflictReason;
  message: string;
  baseVersion: number;
  mine: MinePlan;
  changes: Change[];
  detectedAt: number;
  resolvedAt: number | null;
  resolution: 'central' | 'mine' | null;
  resolvedBy: string | null;
  rebasedChangeId: string | null;
}

interface RawConflict {
  id: string;
  plan_ref: number;
  plan_id: string;
  space_id: string;
  reason: ConflictReason;
  message: string;
  base_version: number;
  mine: string;
  changes: string;
  detected_at: number;
  resolved_at: number | null;
  resolution: 'central' | 'mine' | null;
  resolved_by: string | null;
  rebased_change_id: string | null;
}

const toConflict = (r: RawConflict): ConflictRow => {
  const mine = JSON.parse(r.mine) as Omit<MinePlan, 'config'> & { config: unknown };
  return {
    id: r.id,
    planRef: r.plan_ref,
    planId: r.plan_id,
    spaceId: r.space_id,
    reason: r.reason,
    message: r.message,
    baseVersion: r.base_version,
    mine: { ...mine, config: decodeConfig(JSON.stringify(mine.config)) },
    changes: JSON.parse(r.changes) as Change[],
    detectedAt: r.detected_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
    resolvedBy: r.resolved_by,
    rebasedChangeId: r.rebased_change_id,
  };
};

export function listConflicts(ledger: Ledger, includeResolved: boolean, limit = 200): ConflictRow[] {
  const sql = includeResolved
    ? 'SELECT * FROM sync_conflicts ORDER BY resolved_at IS NOT NULL, detected_at DESC LIMIT ?'
    : 'SELECT * FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY detected_at DESC LIMIT ?';
  return (ledger.stmt(sql).all(limit) as RawConflict[]).map(toConflict);
}

export function getConflict(ledger: Ledger, id: string): ConflictRow | null {
  const row = ledger.stmt('SELECT * FROM sync_conflicts WHERE id = ?').get(id) as RawConflict | undefined;
  return row ? toConflict(row) : null;
}

export function openConflictCount(ledger: Ledger): number {
  return (ledger.stmt('SELECT count(*) AS n FROM sync_conflicts WHERE resolved_at IS NULL').get() as { n: number }).n;
}

/** Outbox changes of a plan not yet taken by the central service. */
export function planHasUnsentChanges(ledger: Ledger, planRef: number): boolean {
  // Versions only: credits waiting to go out (version NULL) never hold the plan's own record back.
  return ledger.stmt("SELECT 1 FROM outbox WHERE plan_ref = ? AND status IN ('pending', 'sent') AND version IS NOT NULL LIMIT 1").get(planRef) !== undefined;
}

/**
 * Set aside every unsent change of a plan made on a version after `baseVersion`, and take the
 * plan back to `baseVersion` (the last version the central service and this console share).
 * Returns the conflict's id, or null when nothing was waiting (already set aside).
 */
export function setAsideConflict(
  ledger: Ledger,
  input: { planRef: number; baseVersion: number; reason: ConflictReason; message: string; at: number; newId: () => string },
): string | null {
  return ledger.transaction(() => {
    const plan = getPlanByRef(ledger, input.planRef);
    if (plan === null) return null;
    const rows = ledger
      .stmt("SELECT change_id, payload FROM outbox WHERE plan_ref = ? AND status IN ('pending', 'sent') AND version > ? ORDER BY seq")
      .all(input.planRef, input.baseVersion) as { change_id: string; payload: string }[];
    if (rows.length === 0) return null;
    const mine: MinePlan = { config: plan.config, deleted: plan.deletedAt !== null, actor: plan.updatedBy, at: plan.updatedAt };
    const changes = rows.map((r) => JSON.parse(r.payload) as Change);

    // The e-mails of these changes will not go out as they were: say so, and let go of the outbox rows.
    for (const row of rows) {
      ledger
        .stmt("UPDATE notifications SET change_id = NULL, status = 'failed', error = ?, updated_at = ? WHERE change_id = ?")
        .run(`Not sent: the central service did not take this change (${input.message}). See Sync → Conflicts.`, input.at, row.change_id);
      ledger.stmt('DELETE FROM outbox WHERE change_id = ?').run(row.change_id);
    }
    ledger
      .stmt("UPDATE history_log SET sync = 'conflicted' WHERE plan_ref = ? AND version > ? AND sync = 'local' AND credit IS NULL")
      .run(input.planRef, input.baseVersion);

    if (input.baseVersion === 0) {
      // Created here and refused there: the plan stays on record, out of force, until the admin decides.
      ledger.stmt('UPDATE plans SET deleted_at = coalesce(deleted_at, ?) WHERE ref = ?').run(input.at, input.planRef);
    } else {
      ledger.stmt('DELETE FROM plan_versions WHERE plan_ref = ? AND version > ?').run(input.planRef, input.baseVersion);
      const base = ledger
        .stmt('SELECT action, config, at, actor FROM plan_versions WHERE plan_ref = ? AND version = ?')
        .get(input.planRef, input.baseVersion) as { action: string; config: string; at: number; actor: string } | undefined;
      if (base !== undefined) {
        ledger
          .stmt('UPDATE plans SET version = ?, config = ?, deleted_at = ?, updated_at = ?, updated_by = ? WHERE ref = ?')
          .run(input.baseVersion, base.config, base.action === 'deleted' ? base.at : null, base.at, base.actor, input.planRef);
      }
    }
    ledger.plansGeneration += 1;

    const open = ledger.stmt('SELECT * FROM sync_conflicts WHERE plan_id = ? AND resolved_at IS NULL').get(plan.id) as RawConflict | undefined;
    if (open !== undefined) {
      // A second round of changes on the same plan before the admin decided: one conflict, all changes kept.
      const merged = [...(JSON.parse(open.changes) as Change[]), ...changes];
      ledger
        .stmt('UPDATE sync_conflicts SET mine = ?, changes = ?, message = ?, reason = ?, detected_at = ? WHERE id = ?')
        .run(JSON.stringify(mine), JSON.stringify(merged), input.message, input.reason, input.at, open.id);
      return open.id;
    }
    const id = input.newId();
    ledger
      .stmt(
        `INSERT INTO sync_conflicts (id, plan_ref, plan_id, space_id, reason, message, base_version, mine, changes, detected_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.planRef, plan.id, plan.spaceId, input.reason, input.message, input.baseVersion, JSON.stringify(mine), JSON.stringify(changes), input.at);
    return id;
  });
}

/** Close a conflict: my set-aside history entries become dropped (kept central) or rebased. */
export function closeConflict(
  ledger: Ledger,
  id: string,
  outcome: { resolution: 'central' | 'mine'; by: string; at: number; rebasedChangeId: string | null },
): boolean {
  return ledger.transaction(() => {
    const conflict = getConflict(ledger, id);
    if (conflict === null || conflict.resolvedAt !== null) return false;
    ledger
      .stmt("UPDATE history_log SET sync = ? WHERE plan_ref = ? AND sync = 'conflicted'")
      .run(outcome.resolution === 'central' ? 'dropped' : 'rebased', conflict.planRef);
    ledger
      .stmt('UPDATE sync_conflicts SET resolved_at = ?, resolution = ?, resolved_by = ?, rebased_change_id = ? WHERE id = ?')
      .run(outcome.at, outcome.resolution, outcome.by, outcome.rebasedChangeId, id);
    return true;
  });
}
