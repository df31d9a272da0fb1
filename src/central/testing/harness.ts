import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToken } from '../auth';
import type { CentralConfig } from '../config';
import { startCentral, type RunningCentral } from '../service';
import type { CentralRole } from '../../shared/sync';
import { CentralClient } from './client';
import { openTestDatabase, type Backend, type TestDatabase } from './databases';

/** Config for a service under test: loopback, any free port, quiet, fast e-mail retries. */
export function testConfig(overrides: Partial<CentralConfig> = {}): CentralConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    databaseUrl: null,
    databaseSchema: null,
    databasePoolSize: 12,
    workers: 1,
    // More groups at once than the default: the tests want the races between them.
    usageTransactions: 6,
    usageSmallGroups: 2,
    dataDir: null,
    smtp: null,
    mailPollMs: 100,
    mailRetryBaseMs: 100,
    mailRetryMaxMs: 400,
    mailLeaseMs: 120_000,
    maxClockSkewMs: 300_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 65_000,
    authFailuresPerMinute: 1_000,
    requestLog: true,
    logLevel: 'silent',
    ...overrides,
  };
}

export interface TestCentral {
  central: RunningCentral;
  database: TestDatabase;
  admin: CentralClient;
  client(role: CentralRole, environments: string[] | null): Promise<CentralClient>;
  /** Stop this instance and start another on the same database (clients follow it). */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** The real service on 127.0.0.1 over a fresh database of the given backend. */
export async function startTestCentral(backend: Backend, overrides: Partial<CentralConfig> = {}): Promise<TestCentral> {
  const database = await openTestDatabase(backend);
  const config = testConfig(overrides);
  const clients: CentralClient[] = [];
  const client = async (role: CentralRole, environments: string[] | null) => {
    const { secret } = await createToken(database.db, { name: `${role} test`, role, environments }, Date.now());
    const made = new CentralClient(test.central.url, secret);
    clients.push(made);
    return made;
  };
  const test: TestCentral = {
    central: await startCentral({ config, db: database.db }),
    database,
    admin: undefined as unknown as CentralClient,
    client,
    async restart() {
      await test.central.close();
      test.central = await startCentral({ config, db: database.db });
      for (const c of clients) c.baseUrl = test.central.url;
    },
    async dispose() {
      await test.central.close();
      await database.dispose();
    },
  };
  test.admin = await client('admin', null);
  return test;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(repoRoot, 'src/cli/central.ts');

/** `npm run central:token` as a child process; returns the printed token. */
export async function createTokenByCli(env: Record<string, string>, args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'token', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`central token exited with ${code}: ${err}`);
  return out.trim();
}

export interface CentralProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  log: string[];
}

/** `npm run central` as a child process; resolves once it listens. */
export async function spawnCentral(env: Record<string, string>, port: number): Promise<CentralProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', String(port)], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`central did not start in time:\n${log.join('\n')}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        log.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'central service listening' && entry.url) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`central exited with ${code} before listening:\n${log.join('\n')}`));
    });
  });
  return { child, url, exited, log };
}
