import type { PlanConfig } from '../../shared/domain';
import type { Notification } from '../../shared/api';
import { composeCreditsEmail, composeEmail, type ComposedEmail, type CreditGrant } from '../../shared/mail';
import type { FieldChange } from '../../shared/sync';
import {
  listNotifications,
  setNotificationStatus,
  type Ledger,
  type NotificationKind,
  type NotificationRow,
  type NotificationStatus,
  type SpaceRow,
} from '../ledger';
import { iso } from '../ledger';

/**
 * The e-mails to a space's Account Manager (SPEC §6): composed and queued locally in the same
 * transaction as the plan change; the central service sends them once it accepts the change,
 * and the sync client records what became of each.
 *
 * The content is composed by the central service's own composer (src/shared/mail) from the same
 * facts it uses — the space and its environment and channels as this ledger has them (and as it
 * pushed them), the plan's id, new version, config, what changed, who and when — so the console
 * shows the very e-mail that is sent. A pull then puts the central service's copy in its place
 * (src/main/sync/pull.ts), for when the central service knew more of the space.
 */
export function composeNotification(change: {
  kind: Exclude<NotificationKind, 'credits_added'>;
  space: SpaceRow;
  planId: string;
  version: number;
  config: PlanConfig;
  changes: FieldChange[];
  actor: string;
  at: number;
}): ComposedEmail {
  return composeEmail({
    kind: change.kind,
    environmentName: change.space.environmentName,
    spaceName: change.space.name,
    planId: change.planId,
    version: change.version,
    config: change.config,
    changes: change.changes,
    spaceChannels: change.space.channels.map(({ channel, bidirectional }) => ({ channel, bidirectional })),
    actor: change.actor,
    atMs: change.at,
  });
}

/**
 * "Credits Added" for a top-up or a charge-now, by the same composer. Kept with the other
 * e-mails (queued) and shown on the Sync screen; the central service sends e-mails of the
 * changes it takes in, and top-ups do not sync yet, so this one stays queued on this console.
 */
export function composeCreditsNotification(grant: {
  space: SpaceRow;
  planId: string;
  version: number;
  config: PlanConfig;
  credit: CreditGrant & { id: string };
  actor: string;
  at: number;
}): ComposedEmail {
  return composeCreditsEmail({
    environmentName: grant.space.environmentName,
    spaceName: grant.space.name,
    planId: grant.planId,
    version: grant.version,
    config: grant.config,
    grant: grant.credit,
    spaceChannels: grant.space.channels.map(({ channel, bidirectional }) => ({ channel, bidirectional })),
    actor: grant.actor,
    atMs: grant.at,
  });
}

export function toNotificationView(row: NotificationRow): Notification {
  return {
    id: row.id,
    planId: row.planId,
    kind: row.kind,
    to: row.recipient,
    subject: row.subject,
    text: row.text,
    html: row.html,
    status: row.status,
    updatedAt: iso(row.updatedAt),
    error: row.error,
    demo: row.demo,
  };
}

export class NotificationsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
  ) {}

  list(filter: { planId?: string; spaceId?: string } = {}): Notification[] {
    return listNotifications(this.ledger, filter).map(toNotificationView);
  }

  /** What the central service reported for the e-mail of one change. */
  recordDelivery(changeId: string, status: NotificationStatus, error: string | null = null): number {
    return this.ledger.transaction(() => setNotificationStatus(this.ledger, { changeId }, status, this.clock(), error));
  }
}
