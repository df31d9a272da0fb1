import { z } from 'zod';
import { parsePlanConfig, parsePlanPatch, type Issue } from '../engine';
import { CHANNELS, DIRECTIONS } from './channels';
import { HISTORY_ACTIONS } from './history';
import { LIMITS, RENEWALS, type PlanConfig, type PlanPatch } from './plan';

/**
 * The schemas of the domain's entities and values, used alike by the screens' contract
 * (src/shared/api) and the central service's wire format (src/shared/sync). Not exported from
 * the domain's index, which stays free of zod for the screens' first script: import this
 * module by its path.
 */

export const channelSchema = z.enum(CHANNELS);
export const directionSchema = z.enum(DIRECTIONS);
export const limitSchema = z.enum(LIMITS);
export const renewSchema = z.enum(RENEWALS);
export const bucketNameSchema = z.union([channelSchema, z.literal('ALL')]);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
export const instantSchema = z.string().regex(ISO_INSTANT, 'must be an ISO-8601 instant such as 2026-01-10T09:00:00Z');
export const localDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD');
export const idSchema = z.string().min(1, 'must not be empty').max(200, 'is too long');

function addIssues(ctx: z.core.$RefinementCtx, issues: Issue[]): void {
  for (const issue of issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path === '' ? [] : issue.path.split('.') });
  }
}

/** A complete plan configuration, checked by the engine (field paths are relative to it). */
export const planConfigSchema = z.unknown().transform((value, ctx): PlanConfig => {
  const parsed = parsePlanConfig(value, '');
  if (!parsed.ok) {
    addIssues(ctx, parsed.issues);
    return z.NEVER;
  }
  return parsed.value;
});

/** The fields an edit changes. */
export const planPatchSchema = z.unknown().transform((value, ctx): PlanPatch => {
  const parsed = parsePlanPatch(value, '');
  if (!parsed.ok) {
    addIssues(ctx, parsed.issues);
    return z.NEVER;
  }
  return parsed.value;
});

export const accountManagerSchema = z.object({ name: z.string(), email: z.string() });

export const PLAN_STATUSES = ['scheduled', 'active', 'deleted'] as const;
export const planStatusSchema = z.enum(PLAN_STATUSES);

/*
 * The entities as every party knows them. The screens' contract and the wire format each add
 * what they alone carry (`.extend` appends, so the keys keep this order: it is the order of the
 * wire's JSON, which src/shared/sync/records.test.ts pins).
 */

/** A space: its id, its environment, its name. */
export const spaceBaseSchema = z.object({
  id: idSchema,
  environmentId: idSchema,
  name: z.string(),
});

/** A delivery channel of a space, and since when it has it. */
export const spaceChannelSchema = z.object({
  channel: channelSchema,
  bidirectional: z.boolean(),
  addedAt: instantSchema,
});
export type SpaceChannel = z.infer<typeof spaceChannelSchema>;

/** A credit plan: where it belongs, its version and configuration, and where it stands. */
export const planBaseSchema = z.object({
  id: idSchema,
  spaceId: idSchema,
  environmentId: idSchema,
  version: z.number().int().min(1),
  config: planConfigSchema,
  status: planStatusSchema,
});

/** Who created a plan and who changed it last, and when. */
export const planAuthorshipSchema = z.object({
  createdAt: instantSchema,
  createdBy: z.string(),
  updatedAt: instantSchema,
  updatedBy: z.string(),
});

/** One field of a plan changed by a version: its path (`credits.SMS`, `renew`), old and new value. */
export const fieldChangeSchema = z.object({ field: z.string(), old: z.unknown(), new: z.unknown() });

export const historyActionSchema = z.enum(HISTORY_ACTIONS);
export type HistoryAction = z.infer<typeof historyActionSchema>;

/**
 * A version of a plan as the credit history log keeps it: which plan, what was done to it, by
 * whom and when, and the plan as it stood after. The screens' history entries and the wire's
 * history records are this and what each alone carries; the wire's keys keep its own order.
 */
export const historyVersionSchema = z.object({
  planId: idSchema,
  spaceId: idSchema,
  version: z.number().int().min(1),
  action: historyActionSchema,
  actor: z.string(),
  /** When the admin made the change (the console's clock). */
  at: instantSchema,
  /** The full plan as it was after the change. */
  config: planConfigSchema,
  changes: z.array(fieldChangeSchema),
});

/** A period of a plan: its index from the activation, its start, its end (null when the plan does not renew). */
export const periodSchema = z.object({
  index: z.number().int(),
  start: instantSchema,
  /** null when the plan does not renew. */
  end: instantSchema.nullable(),
});

/**
 * A bucket's credits at one instant, as the console's engine and the central service both report
 * them: allocated to the period, used, remaining, carried in from earlier periods, and the
 * overage added (and when).
 */
export const bucketBalanceSchema = z.object({
  allocated: z.number().int(),
  used: z.number().int(),
  remaining: z.number().int(),
  carriedIn: z.number().int(),
  overage: z.object({ added: z.number().int(), at: instantSchema.nullable() }),
});

export const NOTIFICATION_KINDS = ['activated', 'updated', 'deleted'] as const;
export const NOTIFICATION_STATUSES = ['queued', 'sent', 'failed'] as const;

/** An e-mail about a plan to a space's Account Manager: what happened, to whom, what it says, where it stands. */
export const notificationMessageSchema = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  status: z.enum(NOTIFICATION_STATUSES),
});

export const usageEventSchema = z.object({
  id: idSchema,
  spaceId: idSchema,
  channel: channelSchema,
  direction: directionSchema.default('MT'),
  credits: z.number().int().min(1).default(1),
  occurredAt: instantSchema,
  identity: z.string().optional(),
  campaign: z.string().optional(),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;
