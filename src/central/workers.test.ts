import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageDecisionSchema } from '../shared/sync';
import { createToken } from './auth';
import { readConfig } from './config';
import {
  CentralClient,
  PG_TEST_URL,
  freePort,
  openTestDatabase,
  planCreate,
  postgresReachable,
  pushApplied,
  smsPlan,
  spaceSetup,
  spawnCentral,
  until,
  type CentralProcess,
  type TestDatabase,
} from './testing';

/**
 * `CENTRAL_WORKERS`: several worker processes behind one port (workers.ts). PostgreSQL only —
 * the embedded database is one process's files, which the configuration refuses.
 */

it('refuses more than one worker on the embedded database, saying why', () => {
  expect(() => readConfig({ CENTRAL_WORKERS: '2' })).toThrow(/CENTRAL_WORKERS: more than one worker needs DATABASE_URL/);
  expect(() => readConfig({ CENTRAL_WORKERS: '0', DATABASE_URL: PG_TEST_URL })).toThrow(/CENTRAL_WORKERS/);
  expect(readConfig({ CENTRAL_WORKERS: '3', DATABASE_URL: PG_TEST_URL }).workers).toBe(3);
  expect(readConfig({}).workers).toBe(1);
});

it('groups usage by default as the bench found best: one small group, up to 8 for large batches, within half the pool', () => {
  const defaults = readConfig({});
  expect([defaults.usageSmallGroups, defaults.usageTransactions, defaults.databasePoolSize]).toEqual([1, 8, 16]);
  const small = readConfig({ CENTRAL_DB_POOL_SIZE: '4', CENTRAL_USAGE_SMALL_GROUPS: '3' });
  expect([small.usageSmallGroups, small.usageTransactions]).toEqual([2, 2]);
});

const reachable = await postgresReachable();
const suite = reachable ? describe : describe.skip;
const title = reachable ? 'two workers behind one port' : `two workers behind one port [PostgreSQL not reachable at ${PG_TEST_URL}, skipped]`;

/** One request on its own connection (no keep-alive), so that the primary hands each to a worker. */
function postAlone(url: string, path: string, token: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}${path}`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

interface LogLine {
  msg?: string;
  pid?: number;
  workers?: number;
  url?: string;
}

const lines = (service: CentralProcess): LogLine[] =>
  service.log.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

suite(title, () => {
  let database: TestDatabase;
  let service: CentralProcess;
  let token = '';
  let startedMs = 0;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    service = await spawnCentral({ ...database.env, CENTRAL_WORKERS: '2', CENTRAL_DB_POOL_SIZE: '4', CENTRAL_REQUEST_LOG: 'true' }, await freePort());
    startedMs = Date.now();
    const admin = new CentralClient(service.url, (await createToken(database.db, { name: 'admin', role: 'admin', environments: null }, Date.now())).secret);
    token = (await createToken(database.db, { name: 'platform', role: 'platform', environments: null }, Date.now())).secret;
    await pushApplied(admin, [...spaceSetup('env-w', 'space-w'), planCreate('plan-w', 'space-w', smsPlan(1_000, { activation: { date: '2026-01-01', timeZone: 'UTC' } }))]);
  }, 120_000);

  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await service?.exited;
    await database?.dispose();
  });

  const workerPids = () => lines(service).filter((l) => l.msg === 'central worker listening').map((l) => l.pid!);
  const send = (count: number, prefix: string) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        postAlone(service.url, '/v1/usage', token, { id: `${prefix}-${i}`, spaceId: 'space-w', channel: 'SMS', occurredAt: new Date().toISOString(), credits: 2 }),
      ),
    );

  it('says "listening" once both workers listen, and both answer; the plan is charged exactly', async () => {
    expect(new Set(workerPids()).size).toBe(2);
    const listening = lines(service).filter((l) => l.msg === 'central service listening');
    expect(listening).toHaveLength(1);
    expect(listening[0]!.workers).toBe(2);
    expect(listening[0]!.pid).toBe(service.child.pid);

    const answers = await send(40, 'a');
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(200);
      expect(usageDecisionSchema.parse(JSON.parse(answer.text))).toMatchObject({ accepted: true, planId: 'plan-w', consumed: 2 });
    }
    // Each worker logs the requests it answered: both took some.
    const answeredBy = new Set(lines(service).filter((l) => l.msg === 'request completed').map((l) => l.pid));
    expect([...answeredBy].sort()).toEqual([...workerPids()].sort());
    const stored = await database.db.query<{ n: string; credits: string }>("SELECT count(*)::text AS n, sum(consumed)::text AS credits FROM usage_events WHERE id LIKE 'a-%'");
    expect(stored.rows[0]).toEqual({ n: '40', credits: '80' });
  }, 60_000);

  it('starts another worker when one dies, and keeps answering', async () => {
    // A worker that dies in its first 5 s stops the service (a crash loop): wait past that from
    // the moment both listened.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedMs + 6_000 - Date.now())));
    const [victim] = workerPids();
    process.kill(victim!, 'SIGKILL');
    await until(() => workerPids().length, (count) => count === 3);
    expect(lines(service).some((l) => l.msg === 'a worker stopped; starting another')).toBe(true);
    const answers = await send(10, 'b');
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 200));
  }, 60_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const pids = workerPids().filter(alive);
    expect(pids).toHaveLength(2);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    await until(() => pids.filter(alive), (living) => living.length === 0);
  }, 60_000);
});
