import { z } from 'zod';
import { cursorSchema } from './ids';
import {
  channelRecordSchema,
  environmentRecordSchema,
  historyRecordSchema,
  notificationRecordSchema,
  planCreditRecordSchema,
  planRecordSchema,
  planStateRecordSchema,
  spaceRecordSchema,
  usageLabelSlotRecordSchema,
  usageSlotRecordSchema,
} from './records';

/**
 * A pull returns what changed after a cursor, oldest first, as the latest state of each
 * record (a record changed twice since the cursor comes once). History records never change.
 */
export const pullItemSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('environment'), environment: environmentRecordSchema }),
  z.object({ kind: z.literal('space'), space: spaceRecordSchema }),
  z.object({ kind: z.literal('channel'), channel: channelRecordSchema }),
  z.object({ kind: z.literal('plan'), plan: planRecordSchema }),
  z.object({ kind: z.literal('history'), history: historyRecordSchema }),
  z.object({ kind: z.literal('planState'), planState: planStateRecordSchema }),
  z.object({ kind: z.literal('usageSlot'), usageSlot: usageSlotRecordSchema }),
  z.object({ kind: z.literal('usageLabelSlot'), usageLabelSlot: usageLabelSlotRecordSchema }),
  z.object({ kind: z.literal('notification'), notification: notificationRecordSchema }),
  z.object({ kind: z.literal('credit'), credit: planCreditRecordSchema }),
]);
export type PullItem = z.infer<typeof pullItemSchema>;
export type PullItemKind = PullItem['kind'];

export const DEFAULT_PULL_LIMIT = 500;
export const MAX_PULL_LIMIT = 5000;

export const pullQuerySchema = z
  .object({
    cursor: cursorSchema.default('0.0'),
    limit: z.coerce
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_PULL_LIMIT, `must be at most ${MAX_PULL_LIMIT}`)
      .default(DEFAULT_PULL_LIMIT),
    /** 1: also count what is left after the page (`remaining`); a client asks on its first page. */
    count: z.enum(['0', '1'], 'must be 0 or 1').default('0').transform((v) => v === '1'),
    /**
     * 1: the client reads add-on credits — `credit` items and "Credits Added" e-mails. A client
     * that does not ask (a console from before they synced, whose reader refuses an item it does
     * not know) never receives them.
     */
    credits: z.enum(['0', '1'], 'must be 0 or 1').default('0').transform((v) => v === '1'),
    /**
     * 1: also hand out usage per identity and campaign (`usageLabelSlot` items). Consoles that
     * know these items ask for them; older ones, whose pull would refuse an unknown item, do not.
     */
    labels: z.enum(['0', '1'], 'must be 0 or 1').default('0').transform((v) => v === '1'),
  })
  .strict();
export type PullQuery = z.infer<typeof pullQuerySchema>;

export const pullResponseSchema = z.object({
  items: z.array(pullItemSchema),
  /** Pass it to the next pull; equal to the request's cursor when nothing was new. */
  nextCursor: cursorSchema,
  /** More items wait after nextCursor: pull again at once. */
  hasMore: z.boolean(),
  /**
   * Records after nextCursor when the pull was taken, present when the request asked (count=1):
   * the size of the rest of a large pull, for its progress. An estimate — records written
   * meanwhile come on top, and a record rewritten before it is pulled comes once.
   */
  remaining: z.number().int().min(0).optional(),
});
export type PullResponse = z.infer<typeof pullResponseSchema>;
