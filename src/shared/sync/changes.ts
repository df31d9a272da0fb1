import { z } from 'zod';
import { MAX_TOP_UP_CREDITS } from '../api/constants';
import { moneySchema, topUpExpirySchema } from '../api/credits';
import { bucketNameSchema, channelSchema, idSchema, instantSchema, planConfigSchema } from '../domain/schemas';
import { changeIdSchema } from './ids';
import { accountManagerRecordSchema, planCreditRecordSchema, planRecordSchema } from './records';

/**
 * A change from a console's outbox. Every change has the id the console generated, the time
 * and the actor. Plan changes name the version they were based on (0 for a new plan): the
 * central service applies a change only onto that version and otherwise answers with a
 * conflict carrying the current plan. Environment, space and channel changes are upserts
 * (the last one wins); they give the central service the names and the Account Manager the
 * e-mails need, so a console pushes them before the plans that refer to them.
 */
const common = {
  id: changeIdSchema,
  at: instantSchema,
  actor: z.string().min(1, 'must name who made the change').max(200),
};

export const planCreateChangeSchema = z
  .object({
    ...common,
    kind: z.literal('plan.create'),
    planId: idSchema,
    spaceId: idSchema,
    baseVersion: z.literal(0),
    config: planConfigSchema,
  })
  .strict();

export const planEditChangeSchema = z
  .object({
    ...common,
    kind: z.literal('plan.edit'),
    planId: idSchema,
    baseVersion: z.number().int().min(1),
    /** The complete configuration after the edit. */
    config: planConfigSchema,
  })
  .strict();

export const planDeleteChangeSchema = z
  .object({
    ...common,
    kind: z.literal('plan.delete'),
    planId: idSchema,
    baseVersion: z.number().int().min(1),
  })
  .strict();

/**
 * Add-on credits (SPEC §9.2–9.3). The change's id is the top-up's or charge's id — its
 * idempotency key (§9.8). No base version: credits never conflict with an edit (the engine
 * applies them at their instant, and an edit never takes them away), so they apply onto
 * whatever version is in force when they take effect; the engine refuses them there when that
 * version has no such bucket, or the plan is deleted or not active yet.
 */
export const planTopUpChangeSchema = z
  .object({
    ...common,
    kind: z.literal('plan.top_up'),
    planId: idSchema,
    topUp: z
      .object({
        bucket: bucketNameSchema,
        credits: z.number().int().min(1).max(MAX_TOP_UP_CREDITS),
        expires: topUpExpirySchema,
        price: moneySchema.optional(),
      })
      .strict(),
  })
  .strict();

export const planChargeNowChangeSchema = z
  .object({
    ...common,
    kind: z.literal('plan.charge_now'),
    planId: idSchema,
    /** The billing week whose price the admin confirmed: charged only if it is still that week. */
    week: z.number().int().min(1).max(53),
  })
  .strict();

export const environmentUpsertChangeSchema = z
  .object({
    ...common,
    kind: z.literal('environment.upsert'),
    environment: z.object({ id: idSchema, name: z.string().min(1).max(200) }).strict(),
  })
  .strict();

export const spaceUpsertChangeSchema = z
  .object({
    ...common,
    kind: z.literal('space.upsert'),
    space: z
      .object({
        id: idSchema,
        environmentId: idSchema,
        name: z.string().min(1).max(200),
        accountManager: accountManagerRecordSchema.strict(),
      })
      .strict(),
  })
  .strict();

export const channelUpsertChangeSchema = z
  .object({
    ...common,
    kind: z.literal('channel.upsert'),
    spaceId: idSchema,
    channel: channelSchema,
    bidirectional: z.boolean(),
  })
  .strict();

export const changeSchema = z.discriminatedUnion('kind', [
  planCreateChangeSchema,
  planEditChangeSchema,
  planDeleteChangeSchema,
  planTopUpChangeSchema,
  planChargeNowChangeSchema,
  environmentUpsertChangeSchema,
  spaceUpsertChangeSchema,
  channelUpsertChangeSchema,
]);
export type Change = z.infer<typeof changeSchema>;
export type ChangeInput = z.input<typeof changeSchema>;
/** Changes of a plan's configuration: they make a version and apply onto a base version. */
export type PlanChange = Extract<Change, { kind: 'plan.create' | 'plan.edit' | 'plan.delete' }>;
/** Add-on credits given to a plan (no version of their own). */
export type CreditChange = Extract<Change, { kind: 'plan.top_up' | 'plan.charge_now' }>;
export const CREDIT_CHANGE_KINDS = ['plan.top_up', 'plan.charge_now'] as const;

export const MAX_PUSH_CHANGES = 500;

export const pushRequestSchema = z
  .object({
    changes: z
      .array(changeSchema)
      .min(1, 'must hold at least one change')
      .max(MAX_PUSH_CHANGES, `holds at most ${MAX_PUSH_CHANGES} changes; send the rest in another push`),
  })
  .strict();
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const issueRecordSchema = z.object({ path: z.string(), message: z.string() });

/**
 * What became of one change, in the order of the request:
 * - applied: accepted now (`plan` is the plan after it, for plan changes);
 * - already_applied: this id was applied before with the same payload; nothing happened again;
 * - conflict: the change was based on an outdated version; `current` is the plan as it stands
 *   (null when a plan it refers to does not exist); nothing was applied;
 * - rejected: the change is invalid here (coexistence rules, unknown space, deleted plan…);
 *   nothing was applied. A conflicted or rejected change may be sent again with the same id —
 *   except credits the engine refused (SPEC §9.8: the same id gets the first answer, even a
 *   refusal), which are answered with the same rejection again.
 */
export const changeResultSchema = z.discriminatedUnion('status', [
  z.object({
    id: z.string(),
    status: z.literal('applied'),
    plan: planRecordSchema.nullable(),
    /** Credit changes: what the engine added, at which instant. */
    credit: planCreditRecordSchema.optional(),
  }),
  z.object({
    id: z.string(),
    status: z.literal('already_applied'),
    plan: planRecordSchema.nullable(),
    appliedAt: instantSchema,
    credit: planCreditRecordSchema.optional(),
  }),
  z.object({ id: z.string(), status: z.literal('conflict'), message: z.string(), current: planRecordSchema.nullable() }),
  z.object({ id: z.string(), status: z.literal('rejected'), message: z.string(), issues: z.array(issueRecordSchema) }),
]);
export type ChangeResult = z.infer<typeof changeResultSchema>;

export const pushResponseSchema = z.object({ results: z.array(changeResultSchema) });
export type PushResponse = z.infer<typeof pushResponseSchema>;
