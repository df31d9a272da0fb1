import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import {
  CentralClient,
  createTokenByCli,
  describeOnBackends,
  freePort,
  openTestDatabase,
  prepareEmbeddedDataDir,
  spawnCentral,
  startTestCentral,
  type Backend,
  type CentralProcess,
} from '../../central/testkit';
import type { Queryable } from '../../central/store';
import { outboxForPlan } from './index';
import { startFaultProxy } from './testing/fault-proxy';
import { ledgerSnapshot, makeConsole, type TestConsole } from './testing';

/**
 * Faults between the consoles and the central service: a seeded proxy that drops, duplicates,
 * delays and replays requests and answers out of order, and the central service killed in the
 * middle of a sync. Whatever happens, every change is applied exactly once, in order, and the
 * ledgers converge once the faults stop. A failing run prints its seed: SYNC_FAULT_SEED=… replays it.
 * Both run on the embedded database and, when one answers, on a PostgreSQL server.
 */

const CHANNELS = ['SMS', 'WhatsApp', 'Email', 'Push', 'RCS'] as const;
const plan = (channel: (typeof CHANNELS)[number], credits: number): PlanConfig =>
  ({ limit: 'channel_specific', credits: { [channel]: credits }, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } }) as PlanConfig;

function setUpSpace(c: TestConsole, spaceId: string): void {
  const env = c.services.org.createEnvironment({ name: 'Faults', id: `ENV-${spaceId}` }, 'alice');
  c.services.org.createSpace(
    { id: spaceId, environmentId: env.id, name: spaceId, accountManager: { name: 'Ana', email: 'ana@example.com' }, channels: CHANNELS.map((channel) => ({ channel, bidirectional: false })) },
    'alice',
  );
}

/** Each plan's history on the central service is exactly the console's outbox for it, in order. */
async function expectAppliedOnce(client: CentralClient, c: TestConsole, planIds: string[]): Promise<void> {
  for (const id of planIds) {
    const answer = await client.get<{ history: { version: number; changeId: string }[] }>(`/v1/plans/${id}`);
    const sent = outboxForPlan(c.services.ledger, id);
    expect(sent.every((row) => row.status === 'accepted')).toBe(true);
    expect(answer.body.history.map((h) => h.changeId)).toEqual(sent.map((row) => row.changeId));
    expect(answer.body.history.map((h) => h.version)).toEqual(sent.map((_, i) => i + 1));
  }
}

/**
 * What a central service in a child process opens: a migrated data directory of its own (embedded),
 * or a fresh schema on the PostgreSQL server — the same data after a restart either way. `feed`:
 * a connection to that server, for the consoles to wait until its feed has caught up (the
 * embedded database is the child's alone, and nothing else holds its feed back).
 */
async function childDatabase(backend: Backend): Promise<{ env: Record<string, string>; feed: Pick<Queryable, 'query'> | null; dispose(): Promise<void> }> {
  if (backend === 'postgres') {
    const database = await openTestDatabase('postgres');
    return { env: database.env, feed: database.db, dispose: () => database.dispose() };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sync-kill-'));
  try {
    await prepareEmbeddedDataDir(dataDir);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return { env: { CENTRAL_DATA_DIR: dataDir }, feed: null, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

await describeOnBackends('sync under faults', (backend) => {
  it('through a proxy that drops, duplicates, delays and reorders: nothing lost or applied twice, ledgers converge', async () => {
    const seed = Number(process.env.SYNC_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const central = await startTestCentral(backend);
    const proxy = await startFaultProxy(central.central.url, seed);
    const a = makeConsole('A', { batchSize: 3, pageLimit: 7 }, central.database.db);
    const b = makeConsole('B', { batchSize: 3, pageLimit: 7 }, central.database.db);
    try {
      setUpSpace(a, 'SP-FA');
      setUpSpace(b, 'SP-FB');
      a.connect(proxy.url, central.admin.token!);
      b.connect(proxy.url, central.admin.token!);
      const planIds: { a: string[]; b: string[] } = { a: [], b: [] };
      for (let round = 0; round < 6; round += 1) {
        for (const [c, ids, space] of [[a, planIds.a, 'SP-FA'], [b, planIds.b, 'SP-FB']] as const) {
          if (round < CHANNELS.length - 2) ids.push(c.services.plans.create(space, plan(CHANNELS[round]!, 100), c.name).id);
          for (const id of ids.slice(-2)) {
            const current = c.services.plans.get(id);
            c.services.plans.edit(id, current.version, { credits: { [Object.keys(current.config.credits)[0]!]: 100 + round + current.version } }, c.name);
          }
        }
        await Promise.all([a.client.syncNow(), b.client.syncNow()]);
      }
      proxy.faults = false;
      await a.settle();
      await b.settle();
      await a.settle();
      const faults = proxy.log.filter((line) => !line.endsWith(' none')).length;
      const context = `seed ${seed}:\n${proxy.log.join('\n')}`;
      expect(faults, context).toBeGreaterThan(5);
      await expectAppliedOnce(central.admin, a, planIds.a);
      await expectAppliedOnce(central.admin, b, planIds.b);
      expect(ledgerSnapshot(b.services), context).toEqual(ledgerSnapshot(a.services));
      expect(ledgerSnapshot(a.services).plans).toHaveLength(planIds.a.length + planIds.b.length);
    } finally {
      await a.cleanup();
      await b.cleanup();
      await proxy.close();
      await central.dispose();
    }
  }, 60_000);

  it('with the central service killed mid-sync and started again: nothing lost or applied twice', async () => {
    let database: Awaited<ReturnType<typeof childDatabase>> | null = null;
    let proc: CentralProcess | null = null;
    const a = makeConsole('A', { batchSize: 2, pageLimit: 5 });
    const b = makeConsole('B', { pageLimit: 5 });
    try {
      database = await childDatabase(backend);
      const { env } = database;
      a.feed = b.feed = database.feed;
      const token = await createTokenByCli(env, ['--role', 'admin', '--all-envs', '--name', 'kill test']);
      const port = await freePort();
      proc = await spawnCentral(env, port);
      const proxy = await startFaultProxy(proc.url, 1);
      proxy.faults = false;
      setUpSpace(a, 'SP-K');
      const ids = CHANNELS.map((channel) => a.services.plans.create('SP-K', plan(channel, 10), 'alice').id);
      for (const id of ids) for (const v of [1, 2]) a.services.plans.edit(id, v, { credits: { [Object.keys(a.services.plans.get(id).config.credits)[0]!]: 10 + v } }, 'alice');
      a.connect(proxy.url, token);
      b.connect(proxy.url, token);

      // Kill it when the third push arrives, while the console is between batches.
      let killed: Promise<void> | null = null;
      proxy.onRequest = (requestPath) => {
        if (killed === null && requestPath.startsWith('/v1/sync/push') && proxy.log.filter((l) => l.includes('/v1/sync/push')).length === 2) {
          const victim = proc!;
          killed = (async () => {
            victim.child.kill('SIGKILL');
            await victim.exited;
            proc = await spawnCentral(env, port);
          })();
        }
      };
      const first = await a.client.syncNow();
      expect(first.state).toBe('offline');
      expect(first.pendingChanges).toBeGreaterThan(0);
      await killed;
      await a.settle();
      await b.settle();
      await expectAppliedOnce(new CentralClient(proc.url, token), a, ids);
      expect(ledgerSnapshot(b.services)).toEqual(ledgerSnapshot(a.services));
      expect(ledgerSnapshot(b.services).history).toHaveLength(ids.length * 3);
      await proxy.close();
    } finally {
      await a.cleanup();
      await b.cleanup();
      if (proc) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
      await database?.dispose();
    }
  }, 180_000); // two central processes started through tsx: slow on a busy machine
});
