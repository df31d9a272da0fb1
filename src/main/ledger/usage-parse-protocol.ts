import { z } from 'zod';
import { CHANNELS } from '../../shared/domain';
import type { ParseResume, ParsedBatch, UsageColumns } from './usage-parse';

/** Where the parser thread starts reading: the ledger's thread read the file up to there itself. */
export const parseResumeSchema = z.object({
  format: z.enum(['csv', 'jsonl']),
  header: z.string().nullable(),
  linesBefore: z.number().int().min(1),
  bytesBefore: z.number().int().min(1),
});

/** What the import's parser thread is given (checked on arrival: a thread boundary is an edge too). */
export const workerJobSchema = z.object({
  path: z.string().min(1),
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

/** The thread says 'ready' once loaded, is told where to start, then sends batches. */
export type FromParser =
  | { kind: 'ready' }
  | { kind: 'batch'; batch: ParsedBatch }
  | { kind: 'end' }
  | { kind: 'error'; formatError: boolean; message: string; code: string | null };

export type ToParser = { kind: 'start'; resume: ParseResume } | { kind: 'ack' };

/** The columns' buffers, moved to the receiving thread instead of copied. */
export function transferablesOf(rows: UsageColumns): ArrayBuffer[] {
  return [rows.space.buffer, rows.channel.buffer, rows.mo.buffer, rows.credits.buffer, rows.t.buffer] as ArrayBuffer[];
}
