import { isAscii } from 'node:buffer';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ImportFormatError, detectFormat, type ParseContext, type ParseResume, type ParsedBatch } from './usage-parse';
import { parseFilePieces, parseTextPieces } from './usage-parse-file';
import type { FromParser, ToParser, WorkerJob } from './usage-parse-protocol';

/**
 * Where a usage file is parsed. On a large file the parser runs in a worker thread while this
 * thread writes the ledger, so the two overlap (on two cores the import then costs about what
 * its writes cost). Small files, text already in memory, and places where no worker can start
 * are parsed here, by the same parser.
 */
export type ParseIn = 'auto' | 'worker' | 'here';

/** Below this a worker's start costs more than parsing on this thread. */
const WORKER_MIN_BYTES = 4 << 20;
/** The part of a large file parsed on this thread while the worker starts. */
const HEAD_BYTES = 4 << 20;
/** One piece of the file is one batch and one ledger transaction (some 20,000 rows). */
const PIECE_BYTES = 1 << 20;
/** Pieces parsed ahead of the writer: enough to keep both threads busy, little memory. */
const WINDOW = 3;

interface WorkerEntry {
  /** A script file, or (from the TypeScript sources) a bootstrap to evaluate. */
  script: URL | string;
  eval: boolean;
}

/**
 * The parser thread's script: the built one beside this module's bundle (electron-vite builds it
 * as out/main/usage-parse-worker.js), or, when running from the TypeScript sources (tests, the
 * command line through tsx), the source with the TypeScript loader.
 */
function workerEntry(): WorkerEntry | null {
  for (const name of ['./usage-parse-worker.js', '../usage-parse-worker.js']) {
    const file = new URL(name, import.meta.url);
    if (file.protocol === 'file:' && existsSync(fileURLToPath(file))) return { script: file, eval: false };
  }
  const source = new URL('./usage-parse.worker.ts', import.meta.url);
  if (source.protocol !== 'file:' || !existsSync(fileURLToPath(source))) return null;
  // Node starts a worker's entry before an --import loader is in place, so a .ts entry is
  // refused; a bootstrap registers tsx's loader first, then imports the source.
  let tsxApi: string;
  try {
    // The ES module build of tsx's API (require.resolve would give the CommonJS one).
    tsxApi = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  } catch {
    return null;
  }
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); })`;
  return { script: bootstrap, eval: true };
}

/** Text already in memory (the whole file), in pieces, parsed on this thread. */
export function parseText(text: string, context: ParseContext): Generator<ParsedBatch> {
  return parseTextPieces(text, context, PIECE_BYTES, true);
}

type Received = FromParser | { kind: 'crash'; error: Error } | { kind: 'exit'; code: number };

/** The thread could not start or died before sending anything: parsing here is still possible. */
class ParserThreadUnavailable extends Error {}

interface ParserThread {
  /** The thread's batches, in file order; each is acknowledged when the next is asked for. */
  batches(): AsyncGenerator<ParsedBatch>;
  stop(): void;
}

/** Starts the thread at once (its start overlaps whatever this thread does meanwhile). */
function startParserThread(entry: WorkerEntry, job: WorkerJob): ParserThread {
  const worker = new Worker(entry.script, { eval: entry.eval, workerData: job, stdout: false, stderr: true });
  // A loader that cannot start writes to the thread's stderr; keep it for the error message.
  let stderr = '';
  worker.stderr.setEncoding('utf8');
  worker.stderr.on('data', (chunk: string) => {
    if (stderr.length < 4000) stderr += chunk;
  });
  const queue: Received[] = [];
  let notify: (() => void) | null = null;
  const receive = (message: Received): void => {
    queue.push(message);
    notify?.();
    notify = null;
  };
  worker.on('message', (message: FromParser) => receive(message));
  worker.on('error', (error: Error) => receive({ kind: 'crash', error }));
  worker.on('exit', (code: number) => receive({ kind: 'exit', code }));
  const stop = (): void => void worker.terminate();
  async function* batches(): AsyncGenerator<ParsedBatch> {
    let received = 0;
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (notify = resolve));
        const message = queue.shift()!;
        switch (message.kind) {
          case 'batch':
            received += 1;
            yield message.batch;
            worker.postMessage({ kind: 'ack' } satisfies ToParser);
            break;
          case 'end':
            return;
          case 'error':
            if (message.formatError) throw new ImportFormatError(message.message);
            throw new Error(`reading the usage file failed: ${message.message}`);
          case 'crash':
          case 'exit': {
            const why = message.kind === 'crash' ? message.error.message : `it stopped with code ${message.code}`;
            const detail = stderr.trim().length > 0 ? ` (${stderr.trim().split('\n')[0]})` : '';
            if (received === 0) throw new ParserThreadUnavailable(`the usage parser thread could not run: ${why}${detail}`);
            throw new Error(`the usage parser thread stopped mid-file: ${why}${detail}`);
          }
        }
      }
    } finally {
      stop();
    }
  }
  return { batches, stop };
}

/**
 * The file's head, and where the parser thread can take over: the end of its last line that is
 * not inside a quoted CSV field. null when the head holds no such line (or the header needs the
 * long way: a quoted header line), and the whole file goes to the thread.
 */
async function splitHead(path: string, sourceName: string): Promise<{ text: string; resume: ParseResume } | null> {
  const handle = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const sample = head.subarray(0, 4096).toString('utf8');
  if (sample.trim().length === 0) return null;
  const format = detectFormat(sourceName, sample);
  // A newline outside quotes (an even number of quote bytes before it; a JSON line never spans
  // lines) ends a record. UTF-8 never uses these two byte values inside a character.
  let quotes = 0;
  let lines = 0;
  let cut = -1;
  let cutLines = 0;
  for (let i = 0; i < head.length; i += 1) {
    const byte = head[i]!;
    if (byte === 0x22) quotes += 1;
    else if (byte === 0x0a) {
      lines += 1;
      if (format === 'jsonl' || quotes % 2 === 0) {
        cut = i + 1;
        cutLines = lines;
      }
    }
  }
  if (cut <= 0) return null;
  const bytes = head.subarray(0, cut);
  // ASCII (nearly every file) reads as Latin-1 far faster than as UTF-8, to the same text.
  const text = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  let header: string | null = null;
  if (format === 'csv') {
    const first = text
      .replace(/^\uFEFF/, '')
      .split('\n')
      .find((line) => line.trim().length > 0);
    if (first === undefined || first.includes('"')) return null;
    header = first.endsWith('\r') ? first.slice(0, -1) : first;
  }
  return { text, resume: { format, header, linesBefore: cutLines, bytesBefore: cut } };
}

/**
 * A usage file's checked rows, batch by batch, parsed where `parseIn` and the file's size say.
 * With a worker, this thread parses the file's first 4 MiB itself while the worker starts (a
 * worker takes a few hundred milliseconds to be ready), and the worker reads on from there.
 */
export async function* parseFile(path: string, size: number, context: ParseContext, parseIn: ParseIn): AsyncGenerator<ParsedBatch> {
  const entry = parseIn === 'here' || (parseIn === 'auto' && size < WORKER_MIN_BYTES) ? null : workerEntry();
  if (entry === null) {
    if (parseIn === 'worker') throw new Error('the usage parser thread\'s script is not there');
    yield* parseFilePieces(path, context, PIECE_BYTES);
    return;
  }
  const split = size > HEAD_BYTES ? await splitHead(path, context.sourceName) : null;
  const job: WorkerJob = {
    path,
    resume: split?.resume ?? null,
    pieceBytes: PIECE_BYTES,
    window: WINDOW,
    context: { ...context, spaces: context.spaces.map((s) => ({ id: s.id, channels: [...s.channels] })) },
  };
  // Started first, so that it gets ready while the head is parsed and written.
  const thread = startParserThread(entry, job);
  let handedOver = false;
  try {
    if (split !== null) yield* parseTextPieces(split.text, context, PIECE_BYTES, false);
    handedOver = true;
    yield* thread.batches();
  } catch (error) {
    if (!handedOver || !(error instanceof ParserThreadUnavailable) || parseIn === 'worker') throw error;
    // The thread could not start and sent nothing: parse the rest of the file on this thread.
    yield* parseFilePieces(path, context, PIECE_BYTES, split?.resume);
  } finally {
    thread.stop();
  }
}
