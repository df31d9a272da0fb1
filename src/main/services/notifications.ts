import type { Channel, PlanConfig } from '../../shared/domain';
import type { Notification } from '../../shared/api';
import {
  listNotifications,
  setNotificationStatus,
  type FieldChange,
  type Ledger,
  type NotificationKind,
  type NotificationRow,
  type NotificationStatus,
} from '../ledger';
import { iso } from '../ledger';
import { creditsLabel, describeValue, fieldLabel, formatCredits, limitLabel, renewLabel, yesNo } from './format';

/**
 * The e-mails to a space's Account Manager (SPEC §6): composed and queued locally in the same
 * transaction as the plan change; the central service sends them once it accepts the change,
 * and the sync client records what became of each.
 */

export const SUBJECTS: Record<NotificationKind, string> = {
  activated: 'Credit Plan Activated',
  updated: 'Credit Plan Updated',
  deleted: 'Credit Plan Deleted',
};

export interface NotificationContext {
  kind: NotificationKind;
  environmentName: string;
  spaceName: string;
  accountManagerName: string;
  planId: string;
  config: PlanConfig;
  /** Channels of the space, to show which are bidirectional. */
  channels: { channel: Channel; bidirectional: boolean }[];
  changes: FieldChange[];
  actor: string;
  at: number;
}

function summaryLines(ctx: NotificationContext): [string, string][] {
  const { config } = ctx;
  const lines: [string, string][] = [
    ['Environment', ctx.environmentName],
    ['Space', ctx.spaceName],
    ['Credit Plan ID', ctx.planId],
    ['Credit limit', limitLabel(config)],
  ];
  if (config.limit === 'all_channels') {
    lines.push(['Credits', `${formatCredits(config.credits)} shared by all channels`]);
    lines.push(['Channels', ctx.channels.map((c) => `${c.channel}${c.bidirectional ? ' (MO - MT)' : ''}`).join(', ') || '—']);
  } else {
    for (const [channel, credits] of Object.entries(config.credits) as [Channel, number][]) {
      const bidi = ctx.channels.find((c) => c.channel === channel)?.bidirectional ?? false;
      lines.push([`${channel}${bidi ? ' (MO - MT)' : ''}`, `${formatCredits(credits)} credits`]);
    }
  }
  lines.push(['Renew credits', renewLabel(config.renew)]);
  lines.push(['Roll over credits', yesNo(config.rollover)]);
  lines.push(['Overage', yesNo(config.overage)]);
  lines.push(['Activation date', `${config.activation.date} (${config.activation.timeZone})`]);
  return lines;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const INTROS: Record<NotificationKind, string> = {
  activated: 'A credit plan was saved for your space.',
  updated: 'A credit plan of your space was changed.',
  deleted: 'A credit plan of your space was deleted; its history is kept.',
};

export function composeNotification(ctx: NotificationContext): { subject: string; text: string; html: string } {
  const subject = `${SUBJECTS[ctx.kind]}: ${ctx.planId} (${ctx.spaceName})`;
  const summary = summaryLines(ctx);
  const changed = ctx.kind === 'updated' ? ctx.changes : [];
  const when = `${iso(ctx.at).replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')} by ${ctx.actor}`;
  const text = [
    `Hello ${ctx.accountManagerName},`,
    '',
    INTROS[ctx.kind],
    '',
    ...summary.map(([k, v]) => `${k}: ${v}`),
    ...(changed.length > 0
      ? ['', 'What changed:', ...changed.map((c) => `- ${fieldLabel(c.field)}: ${describeValue(c.field, c.old)} → ${describeValue(c.field, c.new)}`)]
      : []),
    '',
    `Changed ${when}.`,
    '',
    `Credits summary: ${creditsLabel(ctx.config)}`,
  ].join('\n');
  const rows = summary.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const changeRows = changed
    .map(
      (c) =>
        `<tr><th align="left">${escapeHtml(fieldLabel(c.field))}</th><td>${escapeHtml(describeValue(c.field, c.old))}</td><td>→</td><td>${escapeHtml(describeValue(c.field, c.new))}</td></tr>`,
    )
    .join('');
  const html = [
    `<!doctype html><html><body>`,
    `<h1>${escapeHtml(SUBJECTS[ctx.kind])}</h1>`,
    `<p>Hello ${escapeHtml(ctx.accountManagerName)},</p>`,
    `<p>${escapeHtml(INTROS[ctx.kind])}</p>`,
    `<table>${rows}</table>`,
    changed.length > 0 ? `<h2>What changed</h2><table>${changeRows}</table>` : '',
    `<p>Changed ${escapeHtml(when)}.</p>`,
    `</body></html>`,
  ].join('');
  return { subject, text, html };
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
