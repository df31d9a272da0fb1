import { createReadStream, existsSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ImportFormatError, UsageParser, type ParseContext, type ParsedBatch } from './usage-parse';
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

/** The file's text in pieces, parsed on this thread. */
async function* parseHere(path: string, context: ParseContext): AsyncGenerator<ParsedBatch> {
  const parser = new UsageParser(context);
  const decoder = new StringDecoder('utf8');
  for await (const buffer of createReadStream(path, { highWaterMark: PIECE_BYTES }) as AsyncIterable<Buffer>) {
    parser.push(decoder.write(buffer), buffer.length);
    yield parser.take();
  }
  const tail = decoder.end();
  if (tail.length > 0) parser.push(tail, 0);
  parser.end();
  yield parser.take();
}

/** Text already in memory, in pieces, parsed on this thread. */
export function* parseText(text: string, context: ParseContext): Generator<ParsedBatch> {
  const parser = new UsageParser(context);
  for (let i = 0; i < text.length; i += PIECE_BYTES) {
    const piece = text.slice(i, i + PIECE_BYTES);
    parser.push(piece, Buffer.byteLength(piece, 'utf8'));
    yield parser.take();
  }
  parser.end();
  yield parser.take();
}

type Received = FromParser | { kind: 'crash'; error: Error } | { kind: 'exit'; code: number };

/** The thread could not start or died before sending anything: parsing here is still possible. */
class ParserThreadUnavailable extends Error {}

async function* parseInWorker(entry: WorkerEntry, job: WorkerJob): AsyncGenerator<ParsedBatch> {
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
    void worker.terminate();
  }
}

/** A usage file's checked rows, batch by batch, parsed where `parseIn` and the file's size say. */
export async function* parseFile(path: string, size: number, context: ParseContext, parseIn: ParseIn): AsyncGenerator<ParsedBatch> {
  const entry = parseIn === 'here' || (parseIn === 'auto' && size < WORKER_MIN_BYTES) ? null : workerEntry();
  if (entry === null) {
    if (parseIn === 'worker') throw new Error('the usage parser thread\'s script is not there');
    yield* parseHere(path, context);
    return;
  }
  try {
    yield* parseInWorker(entry, { path, pieceBytes: PIECE_BYTES, window: WINDOW, context: { ...context, spaces: context.spaces.map((s) => ({ id: s.id, channels: [...s.channels] })) } });
  } catch (error) {
    if (!(error instanceof ParserThreadUnavailable) || parseIn === 'worker') throw error;
    // Nothing was written yet: parse the file on this thread instead.
    yield* parseHere(path, context);
  }
}
