import { CHANNELS, type Channel } from '../../shared/domain';
import type { ParseContext, ParseResume, ParsedBatch, UsageColumns } from './parse';

/** What the import's parser thread is given. */
export interface WorkerJob {
  path: string;
  /** Bytes read at a time; each piece becomes one batch and one ledger transaction. */
  pieceBytes: number;
  /** Batches sent ahead of the writer's acknowledgements. */
  window: number;
  context: ParseContext;
}

// What the thread receives is checked on arrival (a thread boundary is an edge too), by hand
// rather than with zod: loading zod cost the thread a quarter of a second at each start, as long
// as parsing several MiB of the file.

type Fields = Record<string, unknown>;

function fields(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`the usage parser thread's ${what} is not an object`);
  return value as Fields;
}

function text(o: Fields, key: string, what: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw new TypeError(`the usage parser thread's ${what}.${key} is not a string`);
  return value;
}

function whole(o: Fields, key: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`the usage parser thread's ${what}.${key} is not a whole number from ${min} to ${max}`);
  }
  return value;
}

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);

export function checkWorkerJob(value: unknown): WorkerJob {
  const job = fields(value, 'job');
  const context = fields(job.context, 'job.context');
  const spaces = context.spaces;
  if (!Array.isArray(spaces)) throw new TypeError("the usage parser thread's job.context.spaces is not a list");
  const nowMs = context.nowMs;
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new TypeError("the usage parser thread's job.context.nowMs is not a number");
  const path = text(job, 'path', 'job');
  if (path.length === 0) throw new TypeError("the usage parser thread's job.path is empty");
  return {
    path,
    pieceBytes: whole(job, 'pieceBytes', 'job', 1024),
    window: whole(job, 'window', 'job', 1, 16),
    context: {
      sourceName: text(context, 'sourceName', 'job.context'),
      spaces: spaces.map((item: unknown) => {
        const space = fields(item, 'space');
        const channels = space.channels;
        if (!Array.isArray(channels) || !channels.every((c: unknown) => typeof c === 'string' && CHANNEL_SET.has(c))) {
          throw new TypeError("the usage parser thread's space.channels are not channels");
        }
        return { id: text(space, 'id', 'space'), channels: channels as Channel[] };
      }),
      nowMs,
      maxBadRows: whole(context, 'maxBadRows', 'job.context', 0),
    },
  };
}

/** Where the parser thread starts reading: the ledger's thread read the file up to there itself. */
export function checkResume(value: unknown): ParseResume {
  const resume = fields(value, 'resume');
  const format = resume.format;
  if (format !== 'csv' && format !== 'jsonl') throw new TypeError("the usage parser thread's resume.format is not csv or jsonl");
  const header = resume.header === null ? null : text(resume, 'header', 'resume');
  return { format, header, linesBefore: whole(resume, 'linesBefore', 'resume', 1), bytesBefore: whole(resume, 'bytesBefore', 'resume', 1) };
}

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
