import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import type { CentralConfig } from './config';
import { openDatabase } from './service';

/**
 * Several worker processes behind one port (`CENTRAL_WORKERS`, PostgreSQL only). Each worker is
 * a whole instance — its own pool, group commit, caches and e-mail worker — exactly as separate
 * instances on one database are (kept exact by the database's locks, tested in
 * instances.test.ts); the primary only hands out connections and keeps the workers running.
 *
 * Why: one instance decides with one JavaScript thread, and the database's work for it runs on
 * as many backends as it has groups at once. On a machine shared with other work, the CPU is
 * shared per runnable thread, so a single thread gets a small share whatever the cores; one
 * worker per core lets the service use the cores it is given (bench/central.bench.ts).
 */

/** What a worker tells the primary once it listens. */
interface Listening {
  kind: 'listening';
  url: string;
}

const isListening = (message: unknown): message is Listening =>
  typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'listening' && typeof (message as { url?: unknown }).url === 'string';

/** A log line in the shape the workers' logger (pino, through fastify) writes. */
function log(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, msg: string): void {
  const levels = { info: 30, warn: 40, error: 50 } as const;
  process.stdout.write(`${JSON.stringify({ level: levels[level], time: Date.now(), pid: process.pid, hostname: os.hostname(), role: 'primary', ...fields, msg })}\n`);
}

/** In a worker: tell the primary the worker is ready. */
export function reportListening(url: string): void {
  const message: Listening = { kind: 'listening', url };
  process.send?.(message);
}

export const isWorkerProcess = () => cluster.isWorker;

/** A worker that dies this soon after starting is not restarted again and again: the service stops. */
const CRASH_LOOP_MS = 5_000;

/**
 * The primary: migrate once (so that workers do not race to), start `count` workers, say
 * "central service listening" once all of them listen, restart one that dies, and on SIGTERM or
 * SIGINT stop them all (each finishes its requests and closes its pool) before exiting.
 */
export async function runPrimary(config: CentralConfig, count: number): Promise<void> {
  const { release } = await openDatabase(config);
  await release();

  let closing = false;
  let exitCode = 0;
  let ready = false;
  const listening = new Set<number>();
  const started = new Map<number, number>();
  let url = '';

  const fork = (): Worker => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
    worker.on('message', (message: unknown) => {
      if (!isListening(message)) return;
      url = message.url;
      listening.add(worker.id);
      if (!ready && listening.size === count) {
        ready = true;
        log('info', { url, workers: count, database: 'postgres' }, 'central service listening');
      }
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    if (closing) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    if (!ready || lived < CRASH_LOOP_MS) {
      log('error', { worker: worker.process.pid, code, signal }, 'a worker stopped while starting; stopping the service');
      closing = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    log('warn', { worker: worker.process.pid, code, signal }, 'a worker stopped; starting another');
    fork();
  });

  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log('info', { signal }, 'shutting down');
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill('SIGTERM');
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  for (let i = 0; i < count; i += 1) fork();
}
