import { parentPort, workerData } from 'node:worker_threads';
import { ImportFormatError, type ParseResume, type ParsedBatch } from './parse';
import { parseFilePieces } from './parse-file';
import { checkResume, checkWorkerJob, transferablesOf, type FromParser, type ToParser } from './parse-protocol';

/**
 * The import's parser thread: reads the usage file, checks its rows and sends them in columns to
 * the thread that writes the ledger, so that reading and writing overlap. Once loaded it says
 * 'ready' and waits to be told where to start (the ledger's thread reads the file's beginning
 * itself meanwhile). It keeps at most `window` pieces unacknowledged, so a fast reader never
 * piles a large file up in memory.
 */
const port = parentPort;
if (port === null) throw new Error('usage-parse.worker runs as a worker thread');
const job = checkWorkerJob(workerData);

let acknowledged = 0;
let sent = 0;
let wake: (() => void) | null = null;
port.on('message', (message: ToParser) => {
  if (message.kind === 'ack') {
    acknowledged += 1;
    wake?.();
    wake = null;
  } else if (message.kind === 'start') {
    run(message.resume).then(
      () => port.close(),
      (error: unknown) => {
        post({
          kind: 'error',
          formatError: error instanceof ImportFormatError,
          message: error instanceof Error ? error.message : String(error),
          code: (error as NodeJS.ErrnoException | null)?.code ?? null,
        });
        port.close();
      },
    );
  }
});

function post(message: FromParser, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function send(batch: ParsedBatch): Promise<void> {
  while (sent - acknowledged >= job.window) await new Promise<void>((resolve) => (wake = resolve));
  sent += 1;
  post({ kind: 'batch', batch }, transferablesOf(batch.rows));
}

async function run(resume: ParseResume): Promise<void> {
  const from = checkResume(resume);
  for await (const batch of parseFilePieces(job.path, job.context, job.pieceBytes, from)) await send(batch);
  post({ kind: 'end' });
}

post({ kind: 'ready' });
