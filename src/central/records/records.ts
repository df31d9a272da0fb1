import type { BucketName, Money, PlanConfig } from '../../shared/domain';
import { describeSnapshot, isoSecond, type PlanState } from '../../shared/engine';
import type {
  ChannelRecord,
  EnvironmentRecord,
  FieldChange,
  HistoryRecord,
  NotificationRecord,
  PlanCreditRecord,
  PlanRecord,
  PlanStateRecord,
  SpaceRecord,
  UsageLabelSlotRecord,
  UsageSlotRecord,
} from '../../shared/sync';

/**
 * Rows as the database stores them, and the records the wire carries. bigint columns arrive
 * as strings from pg and as numbers from PGlite; Number() reads both (every value here is a
 * millisecond instant or a credit count, far below 2^53).
 */
const ms = (value: unknown): number => Number(value);
const optionalMs = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const instant = (value: unknown): string => isoSecond(ms(value));
const optionalInstant = (value: unknown): string | null => {
  const v = optionalMs(value);
  return v === null ? null : isoSecond(v);
};

export interface EnvironmentRow {
  [key: string]: unknown;
  id: string;
  name: string;
  updated_ms: unknown;
}
export const ENVIRONMENT_COLUMNS = 'id, name, updated_ms';
export function environmentRecord(row: EnvironmentRow): EnvironmentRecord {
  return { id: row.id, name: row.name, updatedAt: instant(row.updated_ms) };
}

export interface SpaceRow {
  [key: string]: unknown;
  id: string;
  environment_id: string;
  name: string;
  am_name: string;
  am_email: string;
  updated_ms: unknown;
}
export const SPACE_COLUMNS = 'id, environment_id, name, am_name, am_email, updated_ms';
export function spaceRecord(row: SpaceRow): SpaceRecord {
  return {
    id: row.id,
    environmentId: row.environment_id,
    name: row.name,
    accountManager: { name: row.am_name, email: row.am_email },
    updatedAt: instant(row.updated_ms),
  };
}

export interface ChannelRow {
  [key: string]: unknown;
  space_id: string;
  environment_id: string;
  channel: ChannelRecord['channel'];
  bidirectional: boolean;
  added_ms: unknown;
}
export const CHANNEL_COLUMNS = 'space_id, environment_id, channel, bidirectional, added_ms';
export function channelRecord(row: ChannelRow): ChannelRecord {
  return {
    spaceId: row.space_id,
    environmentId: row.environment_id,
    channel: row.channel,
    bidirectional: row.bidirectional,
    addedAt: instant(row.added_ms),
  };
}

export interface PlanRow {
  [key: string]: unknown;
  id: string;
  space_id: string;
  environment_id: string;
  version: number;
  config: PlanConfig;
  activates_ms: unknown;
  created_ms: unknown;
  created_by: string;
  updated_ms: unknown;
  updated_by: string;
  deleted_ms: unknown;
}
export const PLAN_COLUMNS =
  'id, space_id, environment_id, version, config, activates_ms, created_ms, created_by, updated_ms, updated_by, deleted_ms';

/** The status is derived at `nowMs`: scheduled before the activation instant, then active. */
export function planRecord(row: PlanRow, nowMs: number): PlanRecord {
  const deletedMs = optionalMs(row.deleted_ms);
  const activatesMs = ms(row.activates_ms);
  return {
    id: row.id,
    spaceId: row.space_id,
    environmentId: row.environment_id,
    version: Number(row.version),
    config: row.config,
    status: deletedMs !== null ? 'deleted' : nowMs < activatesMs ? 'scheduled' : 'active',
    activatesAt: isoSecond(activatesMs),
    createdAt: instant(row.created_ms),
    createdBy: row.created_by,
    updatedAt: instant(row.updated_ms),
    updatedBy: row.updated_by,
    deletedAt: deletedMs === null ? null : isoSecond(deletedMs),
  };
}

/** A top-up's engine input, or a charge-now's confirmed week (plan_credits.request). */
export type CreditRequest =
  | { bucket: BucketName; credits: number; expires: 'period_end' | 'never'; price?: Money }
  | { week: number };

export interface PlanCreditRow {
  [key: string]: unknown;
  id: string;
  plan_id: string;
  space_id: string;
  environment_id: string;
  plan_version: number;
  kind: PlanCreditRecord['kind'];
  request: CreditRequest;
  answer: Pick<PlanCreditRecord, 'credits' | 'expires' | 'price' | 'week'>;
  actor: string;
  at_ms: unknown;
  effective_ms: unknown;
}
export const PLAN_CREDIT_COLUMNS = 'id, plan_id, space_id, environment_id, plan_version, kind, request, answer, actor, at_ms, effective_ms';
export function planCreditRecord(row: PlanCreditRow): PlanCreditRecord {
  return {
    id: row.id,
    planId: row.plan_id,
    spaceId: row.space_id,
    environmentId: row.environment_id,
    planVersion: Number(row.plan_version),
    kind: row.kind,
    credits: row.answer.credits,
    expires: row.answer.expires,
    price: row.answer.price,
    week: row.answer.week,
    actor: row.actor,
    // To the millisecond, as the console gave them: both consoles then apply them at one instant.
    at: new Date(ms(row.at_ms)).toISOString(),
    effectiveAt: new Date(ms(row.effective_ms)).toISOString(),
  };
}

export interface HistoryRow {
  [key: string]: unknown;
  plan_id: string;
  space_id: string;
  environment_id: string;
  version: number;
  action: HistoryRecord['action'];
  actor: string;
  at_ms: unknown;
  effective_ms: unknown;
  config: PlanConfig;
  changes: FieldChange[];
  change_id: string;
}
export const HISTORY_COLUMNS =
  'plan_id, space_id, environment_id, version, action, actor, at_ms, effective_ms, config, changes, change_id';
export function historyRecord(row: HistoryRow): HistoryRecord {
  return {
    planId: row.plan_id,
    spaceId: row.space_id,
    environmentId: row.environment_id,
    version: Number(row.version),
    action: row.action,
    actor: row.actor,
    at: instant(row.at_ms),
    effectiveAt: instant(row.effective_ms),
    config: row.config,
    changes: row.changes,
    changeId: row.change_id,
  };
}

export interface UsageSlotRow {
  [key: string]: unknown;
  space_id: string;
  plan_key: string;
  channel: UsageSlotRecord['channel'];
  slot_ms: unknown;
  environment_id: string;
  mt_credits: unknown;
  mt_events: unknown;
  mo_events: unknown;
  rejected_events: unknown;
  rejected_credits: unknown;
}
export const USAGE_SLOT_COLUMNS =
  'space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events, rejected_events, rejected_credits';
export function usageSlotRecord(row: UsageSlotRow): UsageSlotRecord {
  return {
    spaceId: row.space_id,
    environmentId: row.environment_id,
    planId: row.plan_key === '' ? null : row.plan_key,
    channel: row.channel,
    slotStart: instant(row.slot_ms),
    mtCredits: Number(row.mt_credits),
    mtEvents: Number(row.mt_events),
    moEvents: Number(row.mo_events),
    rejectedEvents: Number(row.rejected_events),
    rejectedCredits: Number(row.rejected_credits),
  };
}

export interface UsageLabelSlotRow {
  [key: string]: unknown;
  space_id: string;
  environment_id: string;
  dim: UsageLabelSlotRecord['dim'];
  label: string;
  slot_ms: unknown;
  mt_credits: unknown;
  mt_events: unknown;
  mo_events: unknown;
  rejected_events: unknown;
  rejected_credits: unknown;
}
export function usageLabelSlotRecord(row: UsageLabelSlotRow): UsageLabelSlotRecord {
  return {
    spaceId: row.space_id,
    environmentId: row.environment_id,
    dim: row.dim,
    label: row.label,
    slotStart: instant(row.slot_ms),
    mtCredits: Number(row.mt_credits),
    mtEvents: Number(row.mt_events),
    moEvents: Number(row.mo_events),
    rejectedEvents: Number(row.rejected_events),
    rejectedCredits: Number(row.rejected_credits),
  };
}

export interface NotificationRow {
  [key: string]: unknown;
  id: string;
  plan_id: string;
  plan_version: number;
  space_id: string;
  environment_id: string;
  kind: NotificationRecord['kind'];
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: NotificationRecord['status'];
  attempts: number;
  last_error: string | null;
  next_attempt_ms: unknown;
  created_ms: unknown;
  updated_ms: unknown;
  sent_ms: unknown;
  credit_id: string | null;
}
export const NOTIFICATION_COLUMNS =
  'id, plan_id, plan_version, space_id, environment_id, kind, to_address, subject, text_body, html_body, status, attempts, last_error, next_attempt_ms, created_ms, updated_ms, sent_ms, credit_id';
export function notificationRecord(row: NotificationRow): NotificationRecord {
  return {
    id: row.id,
    planId: row.plan_id,
    planVersion: Number(row.plan_version),
    spaceId: row.space_id,
    environmentId: row.environment_id,
    kind: row.kind,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    status: row.status,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    nextAttemptAt: optionalInstant(row.next_attempt_ms),
    createdAt: instant(row.created_ms),
    updatedAt: instant(row.updated_ms),
    sentAt: optionalInstant(row.sent_ms),
    ...(row.credit_id === null || row.credit_id === undefined ? {} : { creditId: row.credit_id }),
  };
}

/** The state of a plan's buckets at `atMs`, in the shape of a SPEC §8 query (the engine's mapping). */
export function planStateRecord(planId: string, version: number, state: PlanState, atMs: number): PlanStateRecord {
  return { planId, version, ...describeSnapshot(state, atMs) };
}
