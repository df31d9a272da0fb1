import { z } from 'zod';
import { CHANNELS } from '../../shared/domain';
import type { ParsedBatch, UsageColumns } from './usage-parse';

/** What the import's parser thread is given (checked on arrival: a thread boundary is an edge too). */
export const workerJobSchema = z.object({
  path: z.string().min(1),
  /** Where to start reading: the writer's thread parsed the file up to here itself. */
  resume: z
    .object({
      format: z.enum(['csv', 'jsonl']),
      header: z.string().nullable(),
      linesBefore: z.number().int().min(1),
      bytesBefore: z.number().int().min(1),
    })
    .nullable(),
  /** Bytes read at a time; each piece becomes one batch and one ledger transaction. */
  pieceBytes: z.number().int().min(1024),
  /** Batches sent ahead of the writer's acknowledgements. */
  window: z.number().int().min(1).max(16),
  context: z.object({
    sourceName: z.string(),
    spaces: z.array(z.object({ id: z.string(), channels: z.array(z.enum(CHANNELS)) })),
    nowMs: z.number(),
    maxBadRows: z.number().int().min(0),
  }),
});
export type WorkerJob = z.infer<typeof workerJobSchema>;

export type FromParser =
  | { kind: 'batch'; batch: ParsedBatch }
  | { kind: 'end' }
  | { kind: 'error'; formatError: boolean; message: string; code: string | null };

export type ToParser = { kind: 'ack' };

/** The columns' buffers, moved to the receiving thread instead of copied. */
export function transferablesOf(rows: UsageColumns): ArrayBuffer[] {
  return [rows.space.buffer, rows.channel.buffer, rows.mo.buffer, rows.credits.buffer, rows.t.buffer] as ArrayBuffer[];
}
