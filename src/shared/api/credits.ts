import { z } from 'zod';
import { bucketNameSchema, idSchema, instantSchema } from '../domain/schemas';
import { MAX_TOP_UP_CREDITS } from './constants';

/**
 * Add-on credits given to a live plan (SPEC §9.2 top-ups, §9.3 charge-now) as they cross the
 * contract. Money is `{ amount, currency }`, the amount a decimal string (never a float).
 */

export const moneySchema = z
  .object({
    amount: z.string().regex(/^\d{1,18}(\.\d{1,12})?$/, 'must be a non-negative decimal such as 37.50'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as USD'),
  })
  .strict();

export const topUpExpirySchema = z.enum(['period_end', 'never']);

/**
 * A top-up's or charge-now's id (SPEC §9.8: their idempotency key), chosen by the caller when
 * the dialog opens, so that a request sent twice adds the credits once: "TU-"/"CN-" and 10
 * Crockford base32 characters.
 */
export const creditIdSchema = z.string().regex(/^(TU|CN)-[0-9A-HJKMNP-TV-Z]{10}$/, 'must be TU- or CN- and 10 base32 characters');

export const addCreditsInputSchema = z
  .object({
    planId: idSchema,
    id: creditIdSchema.optional(),
    bucket: bucketNameSchema,
    credits: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_TOP_UP_CREDITS, 'must be at most 1,000,000,000,000'),
    expires: topUpExpirySchema,
    price: moneySchema.optional(),
  })
  .strict();

/** Charge-now's billing week (SPEC §9.3): local day d of the period's P days, week w of W. */
export const billingWeekSchema = z.object({
  day: z.number().int(),
  days: z.number().int(),
  week: z.number().int(),
  weeks: z.number().int(),
});

/** One grant of add-on credits as the plan's record shows it (who, when, what, price). */
export const planCreditSchema = z.object({
  id: z.string(),
  planId: idSchema,
  kind: z.enum(['top_up', 'charge_now']),
  /** Credits added per bucket (a top-up: its one bucket). */
  credits: z.partialRecord(bucketNameSchema, z.number().int()),
  /** Top-ups: their expiry; a charge-now's credits expire at the period's end. */
  expires: topUpExpirySchema,
  price: moneySchema.nullable(),
  week: billingWeekSchema.nullable(),
  at: instantSchema,
  actor: z.string(),
});
export type PlanCreditView = z.infer<typeof planCreditSchema>;

export const chargeNowQuoteSchema = billingWeekSchema.extend({
  credits: z.partialRecord(bucketNameSchema, z.number().int()),
  price: moneySchema,
  periodPrice: moneySchema,
  minimum: moneySchema,
});
export type ChargeNowQuoteView = z.infer<typeof chargeNowQuoteSchema>;

export const chargeNowInputSchema = z
  .object({
    planId: idSchema,
    /** Absent: a preview only. Present: apply it, unless the billing week is no longer the one previewed. */
    confirm: z.object({ week: z.number().int().min(1), id: creditIdSchema.optional() }).strict().optional(),
  })
  .strict();

export const chargeNowOutputSchema = z.object({
  quote: chargeNowQuoteSchema,
  /** The charge as recorded, once confirmed. */
  applied: planCreditSchema.nullable(),
});
export type ChargeNowOutput = z.infer<typeof chargeNowOutputSchema>;

/** A bucket's add-on credits this period (SPEC §9.7's `topUps`) and the lots still usable. */
export const bucketTopUpsSchema = z.object({
  available: z.number().int(),
  used: z.number().int(),
  remaining: z.number().int(),
  lots: z.array(
    z.object({
      id: z.string(),
      credits: z.number().int(),
      left: z.number().int(),
      expires: topUpExpirySchema,
      addedAt: instantSchema,
    }),
  ),
});
export type BucketTopUpsView = z.infer<typeof bucketTopUpsSchema>;
