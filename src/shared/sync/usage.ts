import { z } from 'zod';
import { idSchema, instantSchema, usageEventSchema } from '../domain/schemas';
import { usageDecisionSchema } from './records';

/** What the messaging platform posts: one usage event, or a batch of them. */
export const usageEventRequestSchema = usageEventSchema.strict();
export type UsageEventRequest = z.infer<typeof usageEventRequestSchema>;

export const MAX_USAGE_BATCH = 10_000;

export const usageBatchRequestSchema = z
  .object({
    events: z
      .array(usageEventRequestSchema)
      .min(1, 'must hold at least one event')
      .max(MAX_USAGE_BATCH, `holds at most ${MAX_USAGE_BATCH} events`),
  })
  .strict();
export type UsageBatchRequest = z.infer<typeof usageBatchRequestSchema>;

/** One decision per event, in the order of the request. */
export const usageBatchResponseSchema = z.object({ decisions: z.array(usageDecisionSchema) });
export type UsageBatchResponse = z.infer<typeof usageBatchResponseSchema>;

export const planStateQuerySchema = z.object({ at: instantSchema.optional() }).strict();
export const planParamsSchema = z.object({ planId: idSchema }).strict();
