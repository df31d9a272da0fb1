import path from 'node:path';
import { z } from 'zod';
import type { SmtpSettings } from './mail';

/**
 * The central service's configuration, from environment variables (and a few command-line
 * flags that override them). Every value is checked at start; a wrong one stops the service
 * with a sentence naming the variable.
 */
export interface CentralConfig {
  host: string;
  port: number;
  /** PostgreSQL URL; absent: the embedded database. */
  databaseUrl: string | null;
  databaseSchema: string | null;
  databasePoolSize: number;
  /**
   * Worker processes behind the one port (PostgreSQL only; workers.ts). Each is a whole instance
   * with its own pool of `databasePoolSize` connections.
   */
  workers: number;
  /**
   * Usage groups decided at once on PostgreSQL, at most (usage/coalescer.ts). Two run whatever
   * their size; more only when large batches wait (≥ 1,000 events), so that single events still
   * go in large groups while large batches are decided side by side. Never more than half the
   * pool.
   */
  usageTransactions: number;
  /**
   * Usage groups that run at once whatever their size (the rest of `usageTransactions` only for
   * large batches). One by default: single events then queue behind one group and go many to a
   * statement; two small groups at once lock the same counter rows, so the second waits and
   * PostgreSQL re-checks its rows — twice the database's CPU per single event in the benchmark.
   */
  usageSmallGroups: number;
  /** Where the embedded database keeps its files; null: in memory (tests only). */
  dataDir: string | null;
  smtp: SmtpSettings | null;
  mailPollMs: number;
  mailRetryBaseMs: number;
  mailRetryMaxMs: number;
  /** How long a claimed e-mail is left to the instance that claimed it (one that died: until then). */
  mailLeaseMs: number;
  maxClockSkewMs: number;
  /** Longest a request may take to arrive whole (slow senders are cut off), ms. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: number;
  /** Failed authentications an address may make per minute before it is answered 429. */
  authFailuresPerMinute: number;
  /** A log line per request (off under heavy traffic: at 20,000 requests/s it is most of the work). */
  requestLog: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(4790),
  DATABASE_URL: z.string().min(1).optional(),
  CENTRAL_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _').optional(),
  CENTRAL_DB_POOL_SIZE: int(1, 200).default(16),
  CENTRAL_USAGE_TRANSACTIONS: int(1, 100).default(8),
  CENTRAL_USAGE_SMALL_GROUPS: int(1, 100).default(1),
  CENTRAL_WORKERS: int(1, 64).default(1),
  CENTRAL_DATA_DIR: z.string().min(1).default('.data/central'),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: int(1, 65535).optional(),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().min(3).default('Credit Plans <credit-plans@localhost>'),
  SMTP_SECURE: flag.default(false),
  SMTP_IGNORE_TLS: flag.default(false),
  CENTRAL_MAIL_POLL_MS: int(10, 3_600_000).default(2_000),
  CENTRAL_MAIL_RETRY_BASE_MS: int(10, 3_600_000).default(5_000),
  CENTRAL_MAIL_RETRY_MAX_MS: int(10, 86_400_000).default(600_000),
  CENTRAL_MAIL_LEASE_MS: int(1_000, 3_600_000).default(120_000),
  CENTRAL_MAX_CLOCK_SKEW_MS: int(0, 86_400_000).default(300_000),
  CENTRAL_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  CENTRAL_KEEP_ALIVE_TIMEOUT_MS: int(100, 3_600_000).default(65_000),
  CENTRAL_AUTH_FAILURES_PER_MINUTE: int(1, 1_000_000).default(30),
  CENTRAL_REQUEST_LOG: flag.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface CommandLine {
  port?: number;
  host?: string;
  dataDir?: string;
}

export function readConfig(env: NodeJS.ProcessEnv, args: CommandLine = {}, cwd = process.cwd()): CentralConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`bad configuration: ${problems}`);
  }
  const e = parsed.data;
  // The rest of the pool is left for pushes, pulls and the e-mail worker.
  const usageTransactions = Math.max(1, Math.min(e.CENTRAL_USAGE_TRANSACTIONS, Math.floor(e.CENTRAL_DB_POOL_SIZE / 2)));
  if (e.CENTRAL_WORKERS > 1 && !e.DATABASE_URL) {
    throw new Error('bad configuration: CENTRAL_WORKERS: more than one worker needs DATABASE_URL (the embedded database is one process\'s files)');
  }
  const smtp: SmtpSettings | null = e.SMTP_HOST
    ? {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT ?? (e.SMTP_SECURE ? 465 : 587),
        secure: e.SMTP_SECURE,
        ignoreTls: e.SMTP_IGNORE_TLS,
        ...(e.SMTP_USER ? { user: e.SMTP_USER, password: e.SMTP_PASSWORD ?? '' } : {}),
        from: e.SMTP_FROM,
      }
    : null;
  return {
    host: args.host ?? e.HOST,
    port: args.port ?? e.PORT,
    databaseUrl: e.DATABASE_URL ?? null,
    databaseSchema: e.CENTRAL_DB_SCHEMA ?? null,
    databasePoolSize: e.CENTRAL_DB_POOL_SIZE,
    workers: e.CENTRAL_WORKERS,
    usageTransactions,
    usageSmallGroups: Math.min(e.CENTRAL_USAGE_SMALL_GROUPS, usageTransactions),
    dataDir: path.resolve(cwd, args.dataDir ?? e.CENTRAL_DATA_DIR),
    smtp,
    mailPollMs: e.CENTRAL_MAIL_POLL_MS,
    mailRetryBaseMs: e.CENTRAL_MAIL_RETRY_BASE_MS,
    mailRetryMaxMs: e.CENTRAL_MAIL_RETRY_MAX_MS,
    mailLeaseMs: e.CENTRAL_MAIL_LEASE_MS,
    maxClockSkewMs: e.CENTRAL_MAX_CLOCK_SKEW_MS,
    requestTimeoutMs: e.CENTRAL_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: e.CENTRAL_KEEP_ALIVE_TIMEOUT_MS,
    authFailuresPerMinute: e.CENTRAL_AUTH_FAILURES_PER_MINUTE,
    requestLog: e.CENTRAL_REQUEST_LOG,
    logLevel: e.LOG_LEVEL,
  };
}
