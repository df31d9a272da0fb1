import { z } from 'zod';
import { idSchema, syncStatusSchema } from './schemas';

/** Events the main process pushes to the screens (over IPC or server-sent events). */
export const events = {
  /** Something in the ledger changed; screens refetch what they show of that scope. */
  'ledger.changed': z.object({
    scope: z.enum(['plans', 'spaces', 'usage', 'history', 'notifications', 'drafts']),
    spaceId: idSchema.optional(),
    planId: idSchema.optional(),
  }),
  'import.progress': z.object({
    importId: idSchema,
    rowsRead: z.number().int(),
    bytesRead: z.number().int(),
    bytesTotal: z.number().int().nullable(),
    done: z.boolean(),
  }),
  'sync.status': syncStatusSchema,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}
