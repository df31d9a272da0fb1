import { z } from 'zod';
import type { ExplanationText } from '../engine/explain';
import { bucketNameSchema, channelSchema, directionSchema, idSchema, instantSchema } from '../domain/schemas';
import { usageReportInputSchema } from './usage-report';

/**
 * "Look up a usage event" (the event explorer): why the ledger charged or refused one event of a
 * space or environment. `explain` is the engine's explanation as docs/credit-rules.md describes
 * it ("Explaining a decision"); the rest says which event and which plan version decided it.
 */

export const usageExplainInputSchema = z
  .object({
    scope: usageReportInputSchema.shape.scope,
    eventId: idSchema,
  })
  .strict();
export type UsageExplainInput = z.infer<typeof usageExplainInputSchema>;

const periodTextSchema = z.object({ index: z.number().int(), start: instantSchema, end: instantSchema.nullable() });
const credits = z.number().int().nonnegative();

const bucketBalanceSchema = z.object({
  vintages: z.array(z.object({ origin: z.number().int(), credits, period: periodTextSchema.nullable() })),
  allocation: credits,
  allocationLeft: credits,
  overageAdded: credits,
  overageLeft: credits,
  remaining: credits,
  used: credits,
  topUpsLeft: credits,
  metered: credits.optional(),
  daily: z.object({ limit: credits.nullable(), used: credits }).optional(),
});

const trancheSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('rollover'), origin: z.number().int(), period: periodTextSchema.nullable(), credits }),
  z.object({ source: z.literal('allocation'), origin: z.number().int(), credits }),
  z.object({ source: z.literal('top_up'), lot: z.string(), expires: z.enum(['period_end', 'never']), credits }),
  z.object({ source: z.literal('overage'), credits, triggered: z.boolean() }),
  z.object({ source: z.literal('metered'), credits }),
]);

export const explanationTextSchema = z.object({
  accepted: z.boolean(),
  reason: z.enum(['exhausted', 'out_of_order', 'daily_limit']).nullable(),
  bucket: bucketNameSchema.nullable(),
  credits,
  period: periodTextSchema.nullable(),
  paidBy: z.array(trancheSchema),
  before: bucketBalanceSchema.nullable(),
  after: bucketBalanceSchema.nullable(),
  planClock: instantSchema.optional(),
});

// The schema and the engine's type must describe one shape (a compile-time check both ways).
const sameShape: [z.infer<typeof explanationTextSchema>, ExplanationText] extends [ExplanationText, z.infer<typeof explanationTextSchema>] ? true : never = true;
void sameShape;

export const usageExplanationSchema = z.object({
  event: z.object({
    id: z.string(),
    spaceId: z.string(),
    spaceName: z.string(),
    channel: channelSchema,
    direction: directionSchema,
    /** Credits the event stated (the rate card applies when the plan has one, SPEC §9.1). */
    credits: z.number().int(),
    occurredAt: instantSchema,
    /** When the central service decided it (occurredAt, or later for an event that arrived late); absent for this console's. */
    decidedAt: instantSchema.optional(),
    identity: z.string().nullable(),
    campaign: z.string().nullable(),
  }),
  /** The plan and version that decided it; null when no plan covered the event (it counted against none). */
  plan: z
    .object({
      id: z.string(),
      version: z.number().int(),
      timeZone: z.string(),
      deleted: z.boolean(),
    })
    .nullable(),
  explain: explanationTextSchema.nullable(),
  /**
   * Who decided it: this console's ledger (an event imported or recorded here), or the central
   * service (an event the messaging platform sent it, known here only as 15-minute totals).
   */
  decidedBy: z.enum(['console', 'central']),
});
export type UsageExplanationView = z.infer<typeof usageExplanationSchema>;
