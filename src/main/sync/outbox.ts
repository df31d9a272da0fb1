import type { Ledger } from '../ledger';

/**
 * The outbox of plan changes waiting for the central service, and the sync state. This is
 * data only: the network client that drains the outbox reads and settles it through these.
 */

import type { Change } from '../../shared/sync';

export type OutboxKind = Change['kind'];
export type OutboxStatus = 'pending' | 'sent' | 'accepted' | 'rejected' | 'held';

export interface OutboxRow {
  seq: number;
  changeId: string;
  planRef: number | null;
  planId: string | null;
  kind: OutboxKind;
  version: number | null;
  baseVersion: number | null;
  payload: Change;
  createdAt: number;
  status: OutboxStatus;
  attempts: number;
  lastAttemptAt: number | null;
  lastError: string | null;
  settledAt: number | null;
}

interface RawOutbox {
  seq: number;
  change_id: string;
  plan_ref: number | null;
  plan_id: string | null;
  kind: OutboxKind;
  version: number | null;
  base_version: number | null;
  payload: string;
  created_at: number;
  status: OutboxStatus;
  attempts: number;
  last_attempt_at: number | null;
  last_error: string | null;
  settled_at: number | null;
}

const toOutbox = (r: RawOutbox): OutboxRow => ({
  seq: r.seq,
  changeId: r.change_id,
  planRef: r.plan_ref,
  planId: r.plan_id,
  kind: r.kind,
  version: r.version,
  baseVersion: r.base_version,
  payload: JSON.parse(r.payload) as Change,
  createdAt: r.created_at,
  status: r.status,
  attempts: r.attempts,
  lastAttemptAt: r.last_attempt_at,
  lastError: r.last_error,
  settledAt: r.settled_at,
});

/** Append a change; `plan` names the plan and the version it carries (plan changes; credits carry none). */
export function insertOutbox(
  ledger: Ledger,
  change: Change,
  createdAt: number,
  plan: { ref: number; version: number | null } | null,
  held = false,
): void {
  ledger
    .stmt(
      `INSERT INTO outbox (change_id, kind, plan_ref, plan_id, version, base_version, payload, created_at, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      change.id,
      change.kind,
      plan?.ref ?? null,
      'planId' in change ? change.planId : null,
      plan?.version ?? null,
      'baseVersion' in change ? change.baseVersion : null,
      JSON.stringify(change),
      createdAt,
      held ? 'held' : 'pending',
    );
}

/** Changes still to deliver (pending, or sent without an answer), oldest first. */
export function outboxToSend(ledger: Ledger, limit = 100): OutboxRow[] {
  return (
    ledger.stmt("SELECT * FROM outbox WHERE status IN ('pending', 'sent') ORDER BY seq LIMIT ?").all(limit) as RawOutbox[]
  ).map(toOutbox);
}

export function getOutbox(ledger: Ledger, changeId: string): OutboxRow | null {
  const row = ledger.stmt('SELECT * FROM outbox WHERE change_id = ?').get(changeId) as RawOutbox | undefined;
  return row ? toOutbox(row) : null;
}

export function outboxForPlan(ledger: Ledger, planId: string): OutboxRow[] {
  return (ledger.stmt('SELECT * FROM outbox WHERE plan_id = ? ORDER BY seq').all(planId) as RawOutbox[]).map(toOutbox);
}

export function markOutboxSent(ledger: Ledger, changeId: string, at: number, error: string | null = null): void {
  ledger
    .stmt(
      `UPDATE outbox SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END,
         attempts = attempts + 1, last_attempt_at = ?, last_error = ? WHERE change_id = ? AND status IN ('pending', 'sent')`,
    )
    .run(at, error, changeId);
}

export function settleOutbox(ledger: Ledger, changeId: string, outcome: 'accepted' | 'rejected', at: number, error: string | null = null): boolean {
  const info = ledger
    .stmt("UPDATE outbox SET status = ?, settled_at = ?, last_error = ? WHERE change_id = ? AND status IN ('pending', 'sent')")
    .run(outcome, at, error, changeId);
  return info.changes === 1;
}

export function outboxCounts(ledger: Ledger): { pending: number; rejected: number } {
  const row = ledger
    .stmt(
      `SELECT sum(status IN ('pending', 'sent')) AS pending, sum(status = 'rejected') AS rejected FROM outbox`,
    )
    .get() as { pending: number | null; rejected: number | null };
  return { pending: row.pending ?? 0, rejected: row.rejected ?? 0 };
}

export interface SyncStateRow {
  centralUrl: string | null;
  token: string | null;
  cursor: string | null;
  state: 'connected' | 'offline' | 'syncing';
  lastSyncAt: number | null;
  lastError: string | null;
  pull: { done: number; total: number | null } | null;
}

export function getSyncState(ledger: Ledger): SyncStateRow {
  const r = ledger.stmt('SELECT * FROM sync_state WHERE id = 1').get() as {
    central_url: string | null;
    token: string | null;
    cursor: string | null;
    state: SyncStateRow['state'];
    last_sync_at: number | null;
    last_error: string | null;
    pull_done: number | null;
    pull_total: number | null;
  };
  return {
    centralUrl: r.central_url,
    token: r.token,
    cursor: r.cursor,
    state: r.state,
    lastSyncAt: r.last_sync_at,
    lastError: r.last_error,
    pull: r.pull_done === null ? null : { done: r.pull_done, total: r.pull_total },
  };
}

export function setSyncSettings(ledger: Ledger, centralUrl: string | null, token: string | null | undefined): void {
  if (token === undefined) ledger.stmt('UPDATE sync_state SET central_url = ? WHERE id = 1').run(centralUrl);
  else ledger.stmt('UPDATE sync_state SET central_url = ?, token = ? WHERE id = 1').run(centralUrl, token);
}

/** What a sync round reports: any field left out keeps its value. */
export function updateSyncState(
  ledger: Ledger,
  patch: Partial<Pick<SyncStateRow, 'cursor' | 'state' | 'lastSyncAt' | 'lastError' | 'pull'>>,
): void {
  const current = getSyncState(ledger);
  const next = { ...current, ...patch };
  ledger
    .stmt(
      `UPDATE sync_state SET cursor = ?, state = ?, last_sync_at = ?, last_error = ?, pull_done = ?, pull_total = ? WHERE id = 1`,
    )
    .run(next.cursor, next.state, next.lastSyncAt, next.lastError, next.pull?.done ?? null, next.pull?.total ?? null);
}

