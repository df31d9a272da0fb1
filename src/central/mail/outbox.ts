import { randomUUID } from 'node:crypto';
import type { Channel, PlanConfig } from '../../shared/domain';
import type { FieldChange, NotificationRecord } from '../../shared/sync';
import { NOTIFICATION_COLUMNS, notificationRecord, type NotificationRow } from '../records';
import type { Queryable } from '../store';
import { composeCreditsEmail, composeEmail, type ComposedEmail, type CreditGrant, type NotificationKind } from '../../shared/mail';

/**
 * The e-mail outbox. A notification is written in the same transaction as the plan change
 * that causes it, so a change is never accepted without its e-mail, and the e-mail is never
 * sent for a change that was rolled back. The worker delivers it later.
 */
export interface PlanEmailInput {
  kind: NotificationKind;
  planId: string;
  version: number;
  spaceId: string;
  config: PlanConfig;
  changes: FieldChange[];
  actor: string;
  atMs: number;
}

interface Recipient {
  name: string;
  am_name: string;
  am_email: string;
  environment_id: string;
  environment_name: string;
  channels: { channel: Channel; bidirectional: boolean }[];
}

/** The space's names, Account Manager and channels, as the e-mails show them. */
async function recipientOf(tx: Queryable, spaceId: string): Promise<Recipient> {
  const space = await tx.query<Omit<Recipient, 'channels'>>(
    `SELECT s.name, s.am_name, s.am_email, s.environment_id, e.name AS environment_name
       FROM spaces s JOIN environments e ON e.id = s.environment_id WHERE s.id = $1`,
    [spaceId],
  );
  const row = space.rows[0];
  if (!row) throw new Error(`space ${spaceId} vanished inside its own transaction`);
  const channels = await tx.query<{ channel: Channel; bidirectional: boolean }>(
    'SELECT channel, bidirectional FROM space_channels WHERE space_id = $1',
    [spaceId],
  );
  return { ...row, channels: channels.rows };
}

async function insertEmail(
  tx: Queryable,
  input: { planId: string; version: number; spaceId: string; kind: NotificationRecord['kind']; creditId: string | null },
  to: Recipient,
  email: ComposedEmail,
  nowMs: number,
): Promise<string> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO notifications (id, plan_id, plan_version, space_id, environment_id, kind, to_address, to_name,
       subject, text_body, html_body, status, attempts, next_attempt_ms, created_ms, updated_ms, credit_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'queued', 0, $12, $12, $12, $13)`,
    [id, input.planId, input.version, input.spaceId, to.environment_id, input.kind, to.am_email, to.am_name,
      email.subject, email.text, email.html, nowMs, input.creditId],
  );
  return id;
}

export async function enqueuePlanEmail(tx: Queryable, input: PlanEmailInput, nowMs: number): Promise<string> {
  const to = await recipientOf(tx, input.spaceId);
  const email = composeEmail({
    kind: input.kind,
    environmentName: to.environment_name,
    spaceName: to.name,
    planId: input.planId,
    version: input.version,
    config: input.config,
    changes: input.changes,
    spaceChannels: to.channels,
    actor: input.actor,
    atMs: input.atMs,
  });
  return insertEmail(tx, { ...input, creditId: null }, to, email, nowMs);
}

export interface CreditEmailInput {
  planId: string;
  /** The plan version the credits were given on. */
  version: number;
  spaceId: string;
  config: PlanConfig;
  grant: CreditGrant & { id: string };
  actor: string;
  atMs: number;
}

/** "Credits Added" for a top-up or a charge-now, composed as the console composes it. */
export async function enqueueCreditEmail(tx: Queryable, input: CreditEmailInput, nowMs: number): Promise<string> {
  const to = await recipientOf(tx, input.spaceId);
  const email = composeCreditsEmail({
    environmentName: to.environment_name,
    spaceName: to.name,
    planId: input.planId,
    version: input.version,
    config: input.config,
    grant: input.grant,
    spaceChannels: to.channels,
    actor: input.actor,
    atMs: input.atMs,
  });
  return insertEmail(tx, { ...input, kind: 'credits_added', creditId: input.grant.id }, to, email, nowMs);
}

export interface NotificationFilter {
  planId?: string;
  status?: NotificationRecord['status'];
  /** null: every environment. */
  environments: string[] | null;
  limit: number;
}

export async function listNotifications(db: Queryable, filter: NotificationFilter): Promise<NotificationRecord[]> {
  const result = await db.query<NotificationRow>(
    `SELECT ${NOTIFICATION_COLUMNS} FROM notifications
      WHERE ($1::text IS NULL OR plan_id = $1) AND ($2::text IS NULL OR status = $2)
        AND ($3::text[] IS NULL OR environment_id = ANY($3))
      ORDER BY created_ms DESC, id LIMIT $4`,
    [filter.planId ?? null, filter.status ?? null, filter.environments, filter.limit],
  );
  return result.rows.map(notificationRecord);
}

export async function getNotification(db: Queryable, id: string): Promise<NotificationRecord | null> {
  const result = await db.query<NotificationRow>(`SELECT ${NOTIFICATION_COLUMNS} FROM notifications WHERE id = $1`, [id]);
  const row = result.rows[0];
  return row ? notificationRecord(row) : null;
}

/** Send a notification again now (after a permanent failure was fixed, e.g. a wrong address). */
export async function requeueNotification(db: Queryable, id: string, nowMs: number): Promise<NotificationRecord | null> {
  const result = await db.query<NotificationRow>(
    `UPDATE notifications SET next_attempt_ms = $2, updated_ms = $2
      WHERE id = $1 AND status <> 'sent' RETURNING ${NOTIFICATION_COLUMNS}`,
    [id, nowMs],
  );
  const row = result.rows[0];
  return row ? notificationRecord(row) : getNotification(db, id);
}
