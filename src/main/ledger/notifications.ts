import type { Ledger } from './ledger';

/** E-mails to Account Managers about plan changes, with their delivery status. */

/** A plan's e-mails (SPEC §6), and "Credits Added" for a top-up or a charge-now (migration 9). */
export type NotificationKind = 'activated' | 'updated' | 'deleted' | 'credits_added';
export type NotificationStatus = 'queued' | 'sent' | 'failed';

export interface NotificationRow {
  id: string;
  planRef: number;
  planId: string;
  spaceId: string;
  changeId: string | null;
  kind: NotificationKind;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  status: NotificationStatus;
  createdAt: number;
  updatedAt: number;
  error: string | null;
  /** For a demo space: the e-mail stays on this console and is never sent. */
  demo: boolean;
}

interface RawNotification {
  id: string;
  plan_ref: number;
  plan_id: string;
  space_id: string;
  change_id: string | null;
  kind: NotificationKind;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: NotificationStatus;
  created_at: number;
  updated_at: number;
  error: string | null;
  demo: 0 | 1;
}

const toRow = (r: RawNotification): NotificationRow => ({
  id: r.id,
  planRef: r.plan_ref,
  planId: r.plan_id,
  spaceId: r.space_id,
  changeId: r.change_id,
  kind: r.kind,
  recipient: r.recipient,
  subject: r.subject,
  text: r.text_body,
  html: r.html_body,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  error: r.error,
  demo: r.demo === 1,
});

/** A notification with whether its space's environment is demo data (whose changes never leave this console). */
const SELECT_NOTIFICATIONS = `SELECT n.*, coalesce(e.demo, 0) AS demo FROM notifications n
  LEFT JOIN spaces s ON s.id = n.space_id LEFT JOIN environments e ON e.id = s.environment_id`;

export function insertNotification(ledger: Ledger, n: Omit<NotificationRow, 'updatedAt' | 'error' | 'status' | 'demo'>): void {
  ledger
    .stmt(
      `INSERT INTO notifications (id, plan_ref, plan_id, space_id, change_id, kind, recipient, subject, text_body, html_body, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
    )
    .run(n.id, n.planRef, n.planId, n.spaceId, n.changeId, n.kind, n.recipient, n.subject, n.text, n.html, n.createdAt, n.createdAt);
}

export function listNotifications(ledger: Ledger, filter: { planId?: string; spaceId?: string; limit?: number }): NotificationRow[] {
  const limit = filter.limit ?? 500;
  let rows: RawNotification[];
  if (filter.planId !== undefined && filter.spaceId !== undefined) {
    rows = ledger
      .stmt(`${SELECT_NOTIFICATIONS} WHERE n.plan_id = ? AND n.space_id = ? ORDER BY n.created_at DESC, n.rowid DESC LIMIT ?`)
      .all(filter.planId, filter.spaceId, limit) as RawNotification[];
  } else if (filter.planId !== undefined) {
    rows = ledger
      .stmt(`${SELECT_NOTIFICATIONS} WHERE n.plan_id = ? ORDER BY n.created_at DESC, n.rowid DESC LIMIT ?`)
      .all(filter.planId, limit) as RawNotification[];
  } else if (filter.spaceId !== undefined) {
    rows = ledger
      .stmt(`${SELECT_NOTIFICATIONS} WHERE n.space_id = ? ORDER BY n.created_at DESC, n.rowid DESC LIMIT ?`)
      .all(filter.spaceId, limit) as RawNotification[];
  } else {
    rows = ledger.stmt(`${SELECT_NOTIFICATIONS} ORDER BY n.created_at DESC, n.rowid DESC LIMIT ?`).all(limit) as RawNotification[];
  }
  return rows.map(toRow);
}

export function getNotification(ledger: Ledger, id: string): NotificationRow | null {
  const row = ledger.stmt(`${SELECT_NOTIFICATIONS} WHERE n.id = ?`).get(id) as RawNotification | undefined;
  return row ? toRow(row) : null;
}

/** Record what became of an e-mail (reported by the central service through sync). */
export function setNotificationStatus(
  ledger: Ledger,
  where: { id: string } | { changeId: string },
  status: NotificationStatus,
  at: number,
  error: string | null = null,
): number {
  const info =
    'id' in where
      ? ledger.stmt('UPDATE notifications SET status = ?, updated_at = ?, error = ? WHERE id = ?').run(status, at, error, where.id)
      : ledger
          .stmt('UPDATE notifications SET status = ?, updated_at = ?, error = ? WHERE change_id = ?')
          .run(status, at, error, where.changeId);
  return info.changes;
}
