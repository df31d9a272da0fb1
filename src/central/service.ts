import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { CentralConfig } from './config';
import { buildApp } from './http';
import { MailWorker } from './mail';
import { migrate, openEmbedded, openPostgres, type Database } from './store';

/**
 * Starting and stopping the central service: open the database (PostgreSQL when a URL is
 * configured, else the embedded one), migrate it, serve HTTP and run the e-mail worker.
 */
export interface RunningCentral {
  app: FastifyInstance;
  db: Database;
  mail: MailWorker;
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOCK_FILE = 'central.pid';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded database is one process's files: a second process opening them at the same time
 * would corrupt them. A pid file marks the owner; a stale one (its process is gone) is taken over.
 */
export function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) {
      throw new Error(`the embedded database in ${dataDir} is in use by process ${pid}; stop it first (or set DATABASE_URL)`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

export interface OpenedDatabase {
  db: Database;
  release(): Promise<void>;
}

export async function openDatabase(config: Pick<CentralConfig, 'databaseUrl' | 'databaseSchema' | 'databasePoolSize' | 'dataDir'>): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    const db = await openPostgres({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
    });
    await migrate(db);
    return { db, release: () => db.close() };
  }
  const unlock = config.dataDir ? claimDataDir(config.dataDir) : () => undefined;
  try {
    const db = await openEmbedded(config.dataDir ? { dataDir: path.join(config.dataDir, 'pgdata') } : {});
    await migrate(db);
    return {
      db,
      release: async () => {
        await db.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

export interface StartOptions {
  config: CentralConfig;
  /** An already open database (tests share one between steps); closed by the caller. */
  db?: Database;
  clock?: () => number;
}

export async function startCentral(options: StartOptions): Promise<RunningCentral> {
  const { config } = options;
  const clock = options.clock ?? Date.now;
  const opened: OpenedDatabase = options.db
    ? { db: options.db, release: async () => undefined }
    : await openDatabase(config);
  const { db } = opened;
  let mail: MailWorker | null = null;
  const app = buildApp({
    db,
    clock,
    maxClockSkewMs: config.maxClockSkewMs,
    requestTimeoutMs: config.requestTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    authFailuresPerMinute: config.authFailuresPerMinute,
    requestLog: config.requestLog,
    usageTransactions: config.usageTransactions,
    usageSmallGroups: config.usageSmallGroups,
    onMailQueued: () => mail?.poke(),
    logLevel: config.logLevel,
  });
  mail = new MailWorker(db, {
    smtp: config.smtp,
    pollMs: config.mailPollMs,
    retryBaseMs: config.mailRetryBaseMs,
    retryMaxMs: config.mailRetryMaxMs,
    leaseMs: config.mailLeaseMs,
    batchSize: 20,
    clock,
    log: app.log,
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await opened.release();
    throw error;
  }
  if (mail.enabled) mail.start();
  else app.log.warn('SMTP_HOST is not set: e-mails are queued and wait until SMTP is configured');
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const worker = mail;
  return {
    app,
    db,
    mail: worker,
    url: `http://${host}:${port}`,
    port,
    async close() {
      await app.close();
      await worker.stop();
      await opened.release();
    },
  };
}
