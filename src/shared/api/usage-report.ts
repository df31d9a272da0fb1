import { z } from 'zod';
import { channelSchema, groupingSchema, idSchema, instantSchema, localDateSchema } from './schemas';

/**
 * The Usage screen's report: a space's (or an environment's) usage over a calendar range in one
 * zone, grouped by day, week or month; per channel, per identity and per campaign. Read from the
 * ledger's per-space aggregates (migration 7), whatever plan the traffic counted against.
 */

export const USAGE_RANGES = ['today', 'yesterday', 'this_week', 'last_week', 'this_month', 'last_month', 'this_year', 'custom'] as const;
export const usageRangeSchema = z.enum(USAGE_RANGES);

export const usageReportInputSchema = z
  .object({
    scope: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('space'), spaceId: idSchema }).strict(),
      z.object({ kind: z.literal('environment'), environmentId: idSchema }).strict(),
    ]),
    range: usageRangeSchema,
    /** For `custom`: local dates, both included. */
    custom: z.object({ from: localDateSchema, to: localDateSchema }).strict().optional(),
    groupBy: groupingSchema,
    /** Read the range in this IANA zone instead of the plans' (the screen offers the plans' zones). */
    timeZone: z.string().min(1).max(100).optional(),
    /** How many identities and campaigns are named before "others" (default 10). */
    top: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type UsageReportInput = z.infer<typeof usageReportInputSchema>;

const amountsSchema = z.object({
  /** MT credits charged (MT credits minus those of rejected events). */
  used: z.number().int(),
  /** MO messages (free). */
  mo: z.number().int(),
  /** MT credits of events a plan rejected (not charged). */
  rejected: z.number().int(),
});

export const usageShareSchema = amountsSchema.extend({
  /** The identity or campaign; null for events without one ("others" and "none" rows say so in `kind`). */
  name: z.string().nullable(),
  kind: z.enum(['named', 'others', 'none']),
  /** For "others": how many identities or campaigns it holds. */
  count: z.number().int(),
});
export type UsageShare = z.infer<typeof usageShareSchema>;

export const usageReportSchema = z.object({
  scope: z.object({ kind: z.enum(['space', 'environment']), id: z.string(), name: z.string() }),
  timeZone: z.string(),
  /** Why this zone: the plans' zone, the zone most plans use where they differ, or UTC without plans. */
  zoneSource: z.enum(['plans', 'plans_differ', 'no_plan', 'chosen']),
  /** Every zone the scope's plans use, most used first. */
  planZones: z.array(z.string()),
  groupBy: groupingSchema,
  fromDate: localDateSchema,
  toDateExclusive: localDateSchema,
  from: instantSchema,
  to: instantSchema,
  channels: z.array(channelSchema),
  total: amountsSchema,
  byChannel: z.array(amountsSchema.extend({ channel: channelSchema })),
  /** One point per day / week / month (clipped to the range), credits used per channel. */
  series: z.array(
    z.object({
      start: localDateSchema,
      byChannel: z.partialRecord(channelSchema, z.number().int()),
      total: z.number().int(),
      mo: z.number().int(),
    }),
  ),
  /** The total per local day, whatever the grouping: the chart's line, one dot a day. */
  daily: z.array(z.object({ date: localDateSchema, total: z.number().int() })),
  byIdentity: z.array(usageShareSchema),
  byCampaign: z.array(usageShareSchema),
});
export type UsageReport = z.infer<typeof usageReportSchema>;
