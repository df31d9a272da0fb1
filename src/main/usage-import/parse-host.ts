import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ImportFormatError, type ParseContext, type ParseResume, type ParsedBatch } from './parse';
import { parseFilePieces, parseTextPieces } from './parse-file';
import type { FromParser, ToParser, WorkerJob } from './parse-protocol';

/**
 * Where a usage file is parsed. On a large file the parser runs in a worker thread while this
 * thread writes the ledger, so the two overlap (on two cores the import then costs about what
 * its writes cost). Small files, text already in memory, and places where no worker can start
 * are parsed here, by the same parser.
 */
export type ParseIn = 'auto' | 'worker' | 'here';

/** Below this a worker's start costs more than parsing on this thread. */
const WORKER_MIN_BYTES = 4 << 20;
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
  const source = new URL('./parse.worker.ts', import.meta.url);
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
  return parseTextPieces(text, context, PIECE_BYTES);
}

type Received = FromParser | { kind: 'crash'; error: Error } | { kind: 'exit'; code: number };

/** The thread could not start or died before sending anything: parsing here is still possible. */
class ParserThreadUnavailable extends Error {}

interface ParserThread {
  /** Whether the thread has loaded and waits to be told where to start. */
  readonly ready: boolean;
  /** Resolves once the thread is ready; rejects (ParserThreadUnavailable) if it died before. */
  whenReady(): Promise<void>;
  /** Tell the thread where to start reading. */
  start(resume: ParseResume): void;
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
  let ready = false;
  let settleReadiness: { resolve: () => void; reject: (error: Error) => void } = { resolve: () => undefined, reject: () => undefined };
  const readiness = new Promise<void>((resolve, reject) => (settleReadiness = { resolve, reject }));
  // Nobody may be waiting for readiness (the file was read here to its end): not an unhandled rejection.
  readiness.catch(() => undefined);
  const describe = (message: { kind: 'crash'; error: Error } | { kind: 'exit'; code: number }): string => {
    const why = message.kind === 'crash' ? message.error.message : `it stopped with code ${message.code}`;
    const detail = stderr.trim().length > 0 ? ` (${stderr.trim().split('\n')[0]})` : '';
    return `${why}${detail}`;
  };
  const receive = (message: Received): void => {
    if (message.kind === 'ready') {
      ready = true;
      settleReadiness.resolve();
      return;
    }
    if (!ready && (message.kind === 'crash' || message.kind === 'exit')) {
      settleReadiness.reject(new ParserThreadUnavailable(`the usage parser thread could not run: ${describe(message)}`));
    }
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
          case 'exit':
            if (received === 0) throw new ParserThreadUnavailable(`the usage parser thread could not run: ${describe(message)}`);
            throw new Error(`the usage parser thread stopped mid-file: ${describe(message)}`);
        }
      }
    } finally {
      stop();
    }
  }
  return {
    get ready() {
      return ready;
    },
    whenReady: () => readiness,
    start: (resume) => worker.postMessage({ kind: 'start', resume } satisfies ToParser),
    batches,
    stop,
  };
}

/**
 * A usage file's checked rows, batch by batch, parsed where `parseIn` and the file's size say.
 * With a worker, this thread reads the file's beginning itself while the worker starts (a few
 * hundred milliseconds, more on a busy machine) and hands the rest over at the first record
 * boundary after the worker is ready, so the writer never waits for the worker to start; a
 * worker that cannot start leaves the whole file to this thread. 'worker' hands over as soon as
 * the worker is ready, and fails if it cannot start.
 */
export async function* parseFile(path: string, size: number, context: ParseContext, parseIn: ParseIn): AsyncGenerator<ParsedBatch> {
  const entry = parseIn === 'here' || (parseIn === 'auto' && size < WORKER_MIN_BYTES) ? null : workerEntry();
  if (entry === null) {
    if (parseIn === 'worker') throw new Error('the usage parser thread\'s script is not there');
    yield* parseFilePieces(path, context, PIECE_BYTES);
    return;
  }
  const job: WorkerJob = {
    path,
    pieceBytes: PIECE_BYTES,
    window: WINDOW,
    context: { ...context, spaces: context.spaces.map((s) => ({ id: s.id, channels: [...s.channels] })) },
  };
  const thread = startParserThread(entry, job);
  try {
    const handOver = parseIn === 'worker' ? () => thread.whenReady().then(() => true) : () => thread.ready;
    const resume = yield* parseFilePieces(path, context, PIECE_BYTES, undefined, handOver);
    if (resume === null) return;
    thread.start(resume);
    try {
      yield* thread.batches();
    } catch (error) {
      if (!(error instanceof ParserThreadUnavailable) || parseIn === 'worker') throw error;
      // The thread died before sending anything: read the rest of the file on this thread.
      yield* parseFilePieces(path, context, PIECE_BYTES, resume);
    }
  } finally {
    thread.stop();
  }
}
