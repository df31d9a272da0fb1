import { z } from 'zod';
import { bucketNameSchema, idSchema, instantSchema, periodSchema } from '../domain/schemas';
import { moneySchema } from './credits';

/**
 * A plan's statement per period (SPEC §9.6) as it crosses the contract: the period's price, each
 * charge-now with its price, the previous period's metered overage charge, and their total —
 * money exact as decimal strings with their currency, never floats.
 */

export const statementInputSchema = z
  .object({
    planId: idSchema,
    /** A period's index from the activation (as the picker lists them), or the period in force now. */
    period: z.union([z.number().int().min(0), z.literal('current')]),
  })
  .strict();

export const statementChargeSchema = z.object({
  id: z.string(),
  at: instantSchema,
  /** Credits the charge added per bucket. */
  credits: z.partialRecord(bucketNameSchema, z.number().int()),
  price: moneySchema,
});

export const statementSchema = z.object({
  price: moneySchema,
  charges: z.array(statementChargeSchema),
  previousMeteredCharge: moneySchema,
  total: moneySchema,
  /** The same statement as CSV (one line per item, then the total), for the export. */
  csv: z.string(),
  fileName: z.string(),
});

export const planStatementSchema = z.object({
  planId: idSchema,
  /** The plan's zone: the picker and the table show instants in it. */
  timeZone: z.string(),
  /** The plan's periods from its activation up to the one in force now (or its deletion), oldest first. */
  periods: z.array(periodSchema),
  /** The period asked for; null before activation. */
  period: periodSchema.nullable(),
  /** Null when the plan had no price in that period (or was not live then): there is nothing to bill. */
  statement: statementSchema.nullable(),
});
export type PlanStatementView = z.infer<typeof planStatementSchema>;
export type StatementView = z.infer<typeof statementSchema>;
