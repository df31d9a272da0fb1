import { z } from 'zod';
import {
  accountManagerSchema,
  bucketBalanceSchema,
  bucketNameSchema,
  channelSchema,
  historyVersionSchema,
  idSchema,
  instantSchema,
  localDateSchema,
  notificationMessageSchema,
  periodSchema,
  planAuthorshipSchema,
  planBaseSchema,
  planConfigSchema,
  spaceBaseSchema,
  spaceChannelSchema,
} from '../domain/schemas';
import { CONSOLE_NOTIFICATION_KINDS, HISTORY_ENTRY_ACTIONS, HISTORY_SYNC_STATES } from './constants';
import { billingWeekSchema, bucketTopUpsSchema, moneySchema, topUpExpirySchema } from './credits';

// The entities' schemas are the domain's; the contract carries them as they are.
export * from '../domain/schemas';
import { issueSchema } from './error-schema';
import { ROLES } from './roles';

/**
 * The shapes that cross the contract. Instants are UTC ISO-8601 strings; local calendar dates
 * are YYYY-MM-DD; credits are integers. Plan configurations are validated by the engine's own
 * parser so the contract and the engine can never disagree on what a valid plan is.
 */

export const roleSchema = z.enum(ROLES);

export const environmentSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** Generated demo data, shown as such. */
  demo: z.boolean(),
  spaceCount: z.number().int().nonnegative(),
  /** Spaces with a channel no live plan covers: traffic there is not limited (SPEC §2). */
  spacesWithUncoveredChannels: z.number().int().nonnegative(),
});
export type Environment = z.infer<typeof environmentSchema>;

export const spaceSchema = spaceBaseSchema.extend({
  environmentName: z.string(),
  accountManager: accountManagerSchema,
  channels: z.array(spaceChannelSchema),
  /** Channels of the space that no live plan covers ("not covered by any credit plan"). */
  uncoveredChannels: z.array(channelSchema),
  livePlanCount: z.number().int(),
  demo: z.boolean(),
});
export type Space = z.infer<typeof spaceSchema>;

export const creditPlanSchema = planBaseSchema.extend(planAuthorshipSchema.shape).extend({
  /** Not yet accepted by the central service. */
  pendingSync: z.boolean(),
});
export type CreditPlan = z.infer<typeof creditPlanSchema>;

/** Credits given to the plan, as a history entry records them (who and when are the entry's). */
export const historyCreditSchema = z.object({
  id: z.string(),
  kind: z.enum(['top_up', 'charge_now']),
  /** Credits added per bucket (a top-up: its one bucket). */
  credits: z.partialRecord(bucketNameSchema, z.number().int()),
  expires: topUpExpirySchema,
  price: moneySchema.nullable(),
  /** Charge-now only: the billing week it was charged in. */
  week: billingWeekSchema.nullable(),
});
export type HistoryCredit = z.infer<typeof historyCreditSchema>;

/** A history version as the screens list it, with its row's id and where it stands with the central service. */
export const historyEntrySchema = z.object({
  id: idSchema,
  ...historyVersionSchema.shape,
  /** The plan's versions, and credits given to it (on the version then in force). */
  action: z.enum(HISTORY_ENTRY_ACTIONS),
  /** Present for the actions credits_added and charged_now. */
  credit: historyCreditSchema.optional(),
  /** Where the change stands with the central service (constants.ts HISTORY_SYNC_STATES). */
  sync: z.enum(HISTORY_SYNC_STATES),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const historyFilterSchema = z.object({
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  spaceId: idSchema.optional(),
  planId: idSchema.optional(),
  action: z.enum(HISTORY_ENTRY_ACTIONS).optional(),
  actor: z.string().max(200).optional(),
});
export type HistoryFilter = z.infer<typeof historyFilterSchema>;

export const bucketStateSchema = z.object({
  bucket: bucketNameSchema,
  allocation: z.number().int(),
  ...bucketBalanceSchema.shape,
  /** Once the plan received add-on credits (SPEC §9.2): available = remaining + topUps.remaining. */
  topUps: bucketTopUpsSchema.optional(),
  /** With a daily limit (SPEC §9.4): the bucket's limit (null: this channel has none) and the local day's MT credits. */
  daily: z.object({ limit: z.number().int().nullable(), used: z.number().int() }).optional(),
  /** With metered overage (SPEC §9.5): the period's metered credits, the first metered instant, the charge so far. */
  metered: z
    .object({
      credits: z.number().int(),
      at: instantSchema.nullable(),
      charge: z.object({ amount: z.string(), currency: z.string() }),
    })
    .optional(),
});
export type BucketStateView = z.infer<typeof bucketStateSchema>;

/**
 * Where a plan's bucket state comes from: the console's own engine, or the central service's
 * state as of `at` (a pull brought it) with the local usage it has not counted
 * (`localUnreported`, credits per bucket, already in `used` and `remaining`; see the ledger's
 * README, "Bucket states the central service reported").
 */
export const planStateSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('central'),
    at: instantSchema,
    version: z.number().int(),
    localUnreported: z.partialRecord(bucketNameSchema, z.number().int()),
  }),
]);
export type PlanStateSource = z.infer<typeof planStateSourceSchema>;

export const planStateSchema = z.object({
  at: instantSchema,
  deleted: z.boolean(),
  period: periodSchema.nullable(),
  buckets: z.array(bucketStateSchema),
  source: planStateSourceSchema,
});
export type PlanStateView = z.infer<typeof planStateSchema>;

export const channelUsageSchema = z.object({
  channel: channelSchema,
  /** MT credits consumed in the window. */
  used: z.number().int(),
  /** MO messages received in the window (free). */
  moMessages: z.number().int(),
});

export const usedByChannelSchema = z.object({
  from: instantSchema,
  to: instantSchema,
  rows: z.array(channelUsageSchema),
  grandTotal: z.number().int(),
});
export type UsedByChannel = z.infer<typeof usedByChannelSchema>;

export const GROUPINGS = ['day', 'week', 'month'] as const;
export const groupingSchema = z.enum(GROUPINGS);

export const usageSeriesSchema = z.object({
  groupBy: groupingSchema,
  timeZone: z.string(),
  points: z.array(
    z.object({
      /** Local date the bucket of time starts on, in the plan's zone. */
      start: localDateSchema,
      byChannel: z.partialRecord(channelSchema, z.number().int()),
      total: z.number().int(),
    }),
  ),
});
export type UsageSeries = z.infer<typeof usageSeriesSchema>;

export const boundaryPreviewSchema = z.object({
  index: z.number().int(),
  localDate: localDateSchema,
  localTime: z.string(),
  offset: z.string(),
  start: instantSchema,
  clamped: z.boolean(),
  shiftedByDst: z.boolean(),
  offsetChanged: z.boolean(),
});

export const planPreviewSchema = z.object({
  /** Problems that would stop a save (engine validation and coexistence in the space). */
  issues: z.array(issueSchema),
  /** The next six period starts in the plan's zone and UTC. */
  boundaries: z.array(boundaryPreviewSchema),
  projection: z.array(
    z.object({
      bucket: bucketNameSchema,
      /** Recent MT credits per day on this bucket's channels. */
      dailyRate: z.number(),
      /** Remaining credits day by day (sampled on long projections, each period's first and last day kept). */
      points: z.array(z.object({ at: instantSchema, remaining: z.number().int() })),
      /** The first day (plan's zone) the bucket is projected to run out, or null if it lasts. */
      runsOutOn: localDateSchema.nullable(),
      /** How many periods the projection spans (from now or the activation to the end of the last listed period). */
      periods: z.number().int().nonnegative(),
      /** In how many of them the bucket is projected to run out. */
      runOutPeriods: z.number().int().nonnegative(),
    }),
  ),
  /** For an edit: what each bucket has consumed and what will remain after saving. */
  editImpact: z
    .array(z.object({ bucket: bucketNameSchema, consumed: z.number().int(), availableAfter: z.number().int() }))
    .nullable(),
});
export type PlanPreview = z.infer<typeof planPreviewSchema>;

export const draftSchema = z.object({
  id: idSchema,
  spaceId: idSchema,
  name: z.string(),
  config: planConfigSchema,
  author: z.string(),
  savedAt: instantSchema,
});
export type Draft = z.infer<typeof draftSchema>;

export const notificationSchema = z.object({
  id: idSchema,
  planId: idSchema,
  ...notificationMessageSchema.shape,
  kind: z.enum(CONSOLE_NOTIFICATION_KINDS),
  updatedAt: instantSchema,
  error: z.string().nullable(),
  /** Of a demo space: stays on this console and is never sent (demo data is not synced). */
  demo: z.boolean(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const syncStatusSchema = z.object({
  state: z.enum(['not_configured', 'connected', 'offline', 'syncing']),
  centralUrl: z.string().nullable(),
  lastSyncAt: instantSchema.nullable(),
  pendingChanges: z.number().int(),
  conflicts: z.number().int(),
  lastError: z.string().nullable(),
  pull: z.object({ done: z.number().int(), total: z.number().int().nullable() }).nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const importReportSchema = z.object({
  importId: idSchema,
  rowsRead: z.number().int(),
  inserted: z.number().int(),
  duplicates: z.number().int(),
  rejectedByPlan: z.number().int(),
  badRows: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  /** True when more bad rows existed than are listed. */
  badRowsTruncated: z.boolean(),
});
export type ImportReport = z.infer<typeof importReportSchema>;

