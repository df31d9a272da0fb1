/**
 * The central service for specs that sync: `src/cli/central.ts`, as `npm run central` starts it,
 * on its embedded database in a temporary folder, on 127.0.0.1 with a port of its own, and an
 * admin talking to its HTTP API with a token of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PlanConfig } from '../../src/shared/domain';
import type { ChangeInput, ChangeResult, PlanRecord } from '../../src/shared/sync';
import { FIXTURE_ENVIRONMENT, type ServerInfo } from './callers';
import { launchServer, projectRoot } from './launch';
import { expect } from './test';

const CLI = path.join(projectRoot, 'src', 'cli', 'central.ts');
/** The central service's environment: the embedded database in `dataDir`, whatever the shell says about PostgreSQL or SMTP. */
export function centralEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name === 'DATABASE_URL' || name === 'HOST' || name === 'PORT' || name.startsWith('CENTRAL_') || name.startsWith('SMTP_')) continue;
    env[name] = value;
  }
  return { ...env, CENTRAL_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** `npm run central:token` (while the service is stopped, as the README says for the embedded database). */
export function createToken(dataDir: string, name: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'token', '--role', 'admin', '--all-envs', '--name', name], {
    cwd: projectRoot,
    env: centralEnv(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`central token exited with ${code}: ${err}`))));
  });
}

/** `npm run central -- --host 127.0.0.1 --port 0`; resolves with its address once it listens. */
export function startCentral(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--host', '127.0.0.1', '--port', '0'], {
    cwd: projectRoot,
    env: centralEnv(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the central service did not start within 60 s:\n${log.join('\n')}`));
    }, 60_000);
    child.stderr.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (log.length < 200) log.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'central service listening' && entry.url) {
            clearTimeout(timer);
            resolve({ child, url: entry.url });
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the central service exited with ${code} before listening:\n${log.join('\n')}`));
    });
  });
}

/** A loopback address where nothing listens: the console "offline". */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Someone with an admin token of their own, talking to the central service's HTTP API. */
export class CentralAdmin {
  constructor(
    readonly url: string,
    private readonly token: string,
    readonly actor: string,
  ) {}

  async request<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async push(...changes: ChangeInput[]): Promise<ChangeResult[]> {
    return (await this.request<{ results: ChangeResult[] }>('POST', '/v1/sync/push', { changes })).results;
  }

  async plan(planId: string): Promise<PlanRecord> {
    return (await this.request<{ plan: PlanRecord }>('GET', `/v1/plans/${encodeURIComponent(planId)}`)).plan;
  }

  /** Edit the plan as it is on the central service now. */
  async edit(planId: string, patch: Partial<PlanConfig>): Promise<PlanRecord> {
    const plan = await this.plan(planId);
    const config = { ...plan.config, ...patch } as PlanConfig;
    const [result] = await this.push({ id: randomUUID(), kind: 'plan.edit', at: new Date().toISOString(), actor: this.actor, planId, baseVersion: plan.version, config });
    expect(result?.status).toBe('applied');
    return this.plan(planId);
  }

  /**
   * The central service learns the console fixture's organisation (written straight into the
   * console's ledger): its environment, the space `spaceId` with its Account Manager, and the
   * channels SMS, WhatsApp and Email.
   */
  async pushFixtureSpace(host: ServerInfo, spaceId: string, spaceName: string): Promise<void> {
    const at = new Date().toISOString();
    const actor = this.actor;
    const results = await this.push(
      { id: randomUUID(), kind: 'environment.upsert', at, actor, environment: { id: host.environmentId, name: FIXTURE_ENVIRONMENT } },
      {
        id: randomUUID(),
        kind: 'space.upsert',
        at,
        actor,
        space: { id: spaceId, environmentId: host.environmentId, name: spaceName, accountManager: { name: 'Alex Manager', email: 'alex.manager@example.com' } },
      },
      { id: randomUUID(), kind: 'channel.upsert', at, actor, spaceId, channel: 'SMS', bidirectional: true },
      { id: randomUUID(), kind: 'channel.upsert', at, actor, spaceId, channel: 'WhatsApp', bidirectional: true },
      { id: randomUUID(), kind: 'channel.upsert', at, actor, spaceId, channel: 'Email', bidirectional: false },
    );
    expect(results.map((result) => result.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
  }
}

/** A console of its own and a central service it may sync with (the token made for the console). */
export interface ConsoleWithCentral {
  host: ServerInfo;
  centralUrl: string;
  consoleToken: string;
}

/**
 * Start a central service on its embedded database (with a token for the console) and a web
 * host of its own (`hostEnv`, e.g. E2E_EMPTY), side by side; hand them to `use`, then stop both
 * and remove the central service's data, whatever happened.
 */
export async function withConsoleAndCentral(hostEnv: Record<string, string>, use: (world: ConsoleWithCentral) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'credit-central-e2e-'));
  let central: ChildProcess | null = null;
  let webHost: ChildProcess | null = null;
  try {
    const [started, launched] = await Promise.all([
      createToken(dataDir, 'Ana Admin (console)').then(async (token) => ({ token, ...(await startCentral(dataDir)) })),
      launchServer(hostEnv),
    ]);
    central = started.child;
    webHost = launched.child;
    await use({ host: launched.info, centralUrl: started.url, consoleToken: started.token });
  } finally {
    if (webHost) await stop(webHost);
    if (central) await stop(central);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
