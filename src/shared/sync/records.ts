import { z } from 'zod';
import { billingWeekSchema, moneySchema, topUpExpirySchema } from '../api/credits';
import {
  bucketBalanceSchema,
  bucketNameSchema,
  channelSchema,
  fieldChangeSchema,
  historyVersionSchema,
  idSchema,
  instantSchema,
  NOTIFICATION_KINDS,
  notificationMessageSchema,
  periodSchema,
  planAuthorshipSchema,
  planBaseSchema,
  spaceBaseSchema,
  spaceChannelSchema,
} from '../domain/schemas';

/**
 * The records the central service hands out, in pushes' answers and in pulls. Instants are UTC
 * ISO-8601 strings; credits are integers.
 */

export const environmentRecordSchema = z.object({
  id: idSchema,
  name: z.string(),
  updatedAt: instantSchema,
});
export type EnvironmentRecord = z.infer<typeof environmentRecordSchema>;

export const accountManagerRecordSchema = z.object({ name: z.string().min(1).max(200), email: z.email() });

export const spaceRecordSchema = spaceBaseSchema.extend({
  accountManager: accountManagerRecordSchema,
  updatedAt: instantSchema,
});
export type SpaceRecord = z.infer<typeof spaceRecordSchema>;

export const channelRecordSchema = z.object({
  spaceId: idSchema,
  environmentId: idSchema,
  ...spaceChannelSchema.shape,
});
export type ChannelRecord = z.infer<typeof channelRecordSchema>;

/** `status` is as of when the record was produced: scheduled before the activation instant. */
export const planRecordSchema = planBaseSchema
  .extend({
    /** The activation instant (00:00 of the activation date in its zone). */
    activatesAt: instantSchema,
  })
  .extend(planAuthorshipSchema.shape)
  .extend({ deletedAt: instantSchema.nullable() });
export type PlanRecord = z.infer<typeof planRecordSchema>;

export const fieldChangeRecordSchema = fieldChangeSchema;

const { planId, spaceId, version, action, actor, at, config, changes } = historyVersionSchema.shape;

/**
 * One row of the credit history log: a version of a plan, created, updated or deleted. The
 * domain's history version, in the wire's key order, with the plan's environment, when the change
 * took effect and the change's id.
 */
export const historyRecordSchema = z.object({
  planId,
  spaceId,
  environmentId: idSchema,
  version,
  action,
  actor,
  at,
  /** When the central service applied it to the plan's credits (never before earlier usage). */
  effectiveAt: instantSchema,
  config,
  changes,
  changeId: z.string(),
});
export type HistoryRecord = z.infer<typeof historyRecordSchema>;

/**
 * A bucket as a SPEC §8/§9.7 query reports it: with metered overage, `overage` also carries the
 * period's metered credits and their charge; with top-ups, `topUps`; with a daily limit, `daily`
 * (the local day of the state's instant).
 */
export const bucketRecordSchema = bucketBalanceSchema.extend({
  overage: z.object({
    added: z.number().int(),
    at: instantSchema.nullable(),
    metered: z.number().int().optional(),
    charge: z.object({ amount: z.string(), currency: z.string() }).optional(),
  }),
  topUps: z.object({ available: z.number().int(), used: z.number().int(), remaining: z.number().int() }).optional(),
  daily: z.object({ limit: z.number().int().nullable(), used: z.number().int() }).optional(),
});

/** The state of a plan's buckets at one instant, as SPEC §8 reports a query. */
export const planStateRecordSchema = z.object({
  planId: idSchema,
  version: z.number().int(),
  at: instantSchema,
  deleted: z.literal(true).optional(),
  period: periodSchema.nullable(),
  buckets: z.partialRecord(bucketNameSchema, bucketRecordSchema),
});
export type PlanStateRecord = z.infer<typeof planStateRecordSchema>;

/** Usage of one channel in one 15-minute slot, under one plan (or none: planId null). */
export const usageSlotRecordSchema = z.object({
  spaceId: idSchema,
  environmentId: z.string(),
  planId: idSchema.nullable(),
  channel: channelSchema,
  slotStart: instantSchema,
  /** Credits of accepted MT events. */
  mtCredits: z.number().int(),
  mtEvents: z.number().int(),
  /** MO messages (free). */
  moEvents: z.number().int(),
  rejectedEvents: z.number().int(),
  rejectedCredits: z.number().int(),
});
export type UsageSlotRecord = z.infer<typeof usageSlotRecordSchema>;

/**
 * Usage of one identity or campaign of a space in one 15-minute slot, whatever plan it counted
 * against (pulled only by consoles that ask for them: `labels=1`).
 */
export const usageLabelSlotRecordSchema = z.object({
  spaceId: idSchema,
  environmentId: z.string(),
  dim: z.enum(['identity', 'campaign']),
  label: z.string(),
  slotStart: instantSchema,
  mtCredits: z.number().int(),
  mtEvents: z.number().int(),
  moEvents: z.number().int(),
  rejectedEvents: z.number().int(),
  rejectedCredits: z.number().int(),
});
export type UsageLabelSlotRecord = z.infer<typeof usageLabelSlotRecordSchema>;

/** An e-mail to a space's Account Manager and where its delivery stands. */
export const notificationRecordSchema = z.object({
  id: idSchema,
  planId: idSchema,
  planVersion: z.number().int(),
  spaceId: idSchema,
  environmentId: idSchema,
  /** status queued: not sent yet; failed: the last attempt failed (retried at nextAttemptAt unless null). */
  ...notificationMessageSchema.shape,
  /** The plan's e-mails, and "Credits Added" for a top-up or a charge-now (its `creditId`). */
  kind: z.enum([...NOTIFICATION_KINDS, 'credits_added']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: instantSchema.nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  sentAt: instantSchema.nullable(),
  /** "Credits Added" only: the top-up's or charge's id (absent for the plan's e-mails). */
  creditId: z.string().optional(),
});
export type NotificationRecord = z.infer<typeof notificationRecordSchema>;

/**
 * Add-on credits the central service gave a plan (SPEC §9.2–9.3): a top-up (one bucket) or a
 * charge-now (every bucket's share). `at` is when the admin gave them, `effectiveAt` the instant
 * the engine applied them (the time of an edit: never before usage already decided, never in the
 * future); `planVersion` the version then in force.
 */
export const planCreditRecordSchema = z.object({
  id: z.string(),
  planId: idSchema,
  spaceId: idSchema,
  environmentId: idSchema,
  planVersion: z.number().int(),
  kind: z.enum(['top_up', 'charge_now']),
  credits: z.partialRecord(bucketNameSchema, z.number().int()),
  expires: topUpExpirySchema,
  price: moneySchema.nullable(),
  week: billingWeekSchema.nullable(),
  actor: z.string(),
  at: instantSchema,
  effectiveAt: instantSchema,
});
export type PlanCreditRecord = z.infer<typeof planCreditRecordSchema>;

/** The decision on one usage event. */
export const usageDecisionSchema = z.object({
  id: idSchema,
  accepted: z.boolean(),
  /** Why it was rejected: exhausted (did not fit), daily_limit (SPEC §9.4), in_future (occurredAt ahead of the service's clock). */
  reason: z.enum(['exhausted', 'daily_limit', 'in_future']).optional(),
  /** The plan that decided it, or null when no plan covers the channel (not limited). */
  planId: idSchema.nullable(),
  bucket: bucketNameSchema.nullable(),
  consumed: z.number().int(),
  overageTriggered: z.boolean(),
  /** True when this event id had been decided before: the first decision is repeated. */
  duplicate: z.boolean(),
});
export type UsageDecisionRecord = z.infer<typeof usageDecisionSchema>;

/**
 * Who may call the central service. The three people roles of the console, and `platform`:
 * the messaging platform, which posts usage and reads bucket states and nothing else.
 */
export const CENTRAL_ROLES = ['admin', 'account_manager', 'support', 'platform'] as const;
export const centralRoleSchema = z.enum(CENTRAL_ROLES);
export type CentralRole = z.infer<typeof centralRoleSchema>;

export const sessionRecordSchema = z.object({
  tokenId: z.string(),
  name: z.string(),
  role: centralRoleSchema,
  /** The environments the token may see; null for every environment. */
  environments: z.array(z.string()).nullable(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;
