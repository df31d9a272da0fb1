import { z } from 'zod';
import { explanationTextSchema } from '../api/usage-explain';
import { bucketNameSchema, channelSchema, directionSchema, idSchema, instantSchema } from '../domain/schemas';

/**
 * "Why was this event charged or refused", asked of the central service for an event it decided
 * (`GET /v1/usage/events/:eventId/explanation?environmentId=`). Usage ids are unique within an
 * environment, so the environment is part of the question. `explain` is the engine's
 * explanation (docs/credit-rules.md, "Explaining a decision"), replayed by the central service.
 */
export const usageExplanationParamsSchema = z.object({ eventId: idSchema }).strict();
export const usageExplanationQuerySchema = z.object({ environmentId: idSchema }).strict();

export const centralUsageExplanationSchema = z.object({
  event: z.object({
    id: z.string(),
    environmentId: z.string(),
    spaceId: z.string(),
    channel: channelSchema,
    direction: directionSchema,
    credits: z.number().int(),
    occurredAt: instantSchema,
    /** When it was decided: occurredAt, or the plan's clock for an event that arrived late. */
    decidedAt: instantSchema,
  }),
  /** The decision as the central service stored and answered it. */
  decision: z.object({
    accepted: z.boolean(),
    reason: z.string().nullable(),
    bucket: bucketNameSchema.nullable(),
    consumed: z.number().int().nonnegative(),
    overageTriggered: z.boolean(),
  }),
  /** The plan and version that decided it; null when no plan covered the event. */
  plan: z.object({ id: z.string(), version: z.number().int(), timeZone: z.string(), deleted: z.boolean() }).nullable(),
  explain: explanationTextSchema.nullable(),
});
export type CentralUsageExplanation = z.infer<typeof centralUsageExplanationSchema>;
