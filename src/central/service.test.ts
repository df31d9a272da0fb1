import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import {
  planStateRecordSchema,
  pullResponseSchema,
  pushResponseSchema,
  usageBatchResponseSchema,
  type ChangeInput,
  type PullItem,
  type UsageDecisionRecord,
} from '../shared/sync';
import {
  CentralClient,
  PG_TEST_URL,
  channelUpsert,
  createTokenByCli,
  describeOnBackends,
  dropSchema,
  environmentUpsert,
  freePort,
  planCreate,
  planEdit,
  prepareEmbeddedDataDir,
  smsPlan,
  spaceUpsert,
  spawnCentral,
  uniqueSchemaName,
  waitForFeed,
  type CentralProcess,
} from './testing';
import { openPostgres, type Database } from './store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Send until the service answers (it may be down or restarting); like a console's outbox. */
async function deliver<T>(send: () => Promise<{ status: number; body: unknown }>, parse: (body: unknown) => T): Promise<{ value: T; attempts: number }> {
  for (let attempts = 1; ; attempts += 1) {
    try {
      const answer = await send();
      if (answer.status === 200) return { value: parse(answer.body), attempts };
      throw new Error(`unexpected answer ${answer.status}: ${JSON.stringify(answer.body)}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('unexpected answer')) throw error;
      if (attempts > 400) throw error;
      await sleep(100);
    }
  }
}

await describeOnBackends('the central service killed mid-sync and restarted', (backend) => {
  it('loses no change and applies none twice; usage stays exact', async () => {
    let env: Record<string, string>;
    let cleanup: () => Promise<void>;
    /** A connection to the PostgreSQL server, to wait for its feed (the embedded one is the child's). */
    let feed: Database | null = null;
    if (backend === 'embedded') {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'central-crash-'));
      await prepareEmbeddedDataDir(dataDir);
      env = { CENTRAL_DATA_DIR: dataDir };
      cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
    } else {
      const schema = uniqueSchemaName('central_crash');
      env = { DATABASE_URL: PG_TEST_URL, CENTRAL_DB_SCHEMA: schema };
      const server = await openPostgres({ url: PG_TEST_URL, poolSize: 1 });
      feed = server;
      cleanup = async () => {
        await server.close();
        await dropSchema(schema);
      };
    }
    let proc: CentralProcess | null = null;
    try {
      // `npm run central:token` before the first start, on the same storage.
      const token = await createTokenByCli(env, ['--role', 'admin', '--all-envs', '--name', 'crash test']);
      const port = await freePort();
      proc = await spawnCentral(env, port);
      const client = new CentralClient(proc.url, token);

      const plans = 10;
      const outbox: ChangeInput[] = [environmentUpsert('env-k', 'Crash environment')];
      for (let i = 0; i < plans; i += 1) {
        outbox.push(spaceUpsert(`space-${i}`, 'env-k', `Space ${i}`), channelUpsert(`space-${i}`, 'SMS'));
        outbox.push(planCreate(`plan-${i}`, `space-${i}`, smsPlan(i === 0 ? 1_500 : 100)));
        outbox.push(planEdit(`plan-${i}`, 1, smsPlan(i === 0 ? 1_500 : 200)), planEdit(`plan-${i}`, 2, smsPlan(i === 0 ? 1_500 : 300)));
      }
      const batches: ChangeInput[][] = [];
      for (let i = 0; i < outbox.length; i += 4) batches.push(outbox.slice(i, i + 4));

      let acknowledged = 0;
      const statuses = new Map<string, string>();
      const pushing = (async () => {
        for (const changes of batches) {
          const { value } = await deliver(() => client.post('/v1/sync/push', { changes }), (body) => pushResponseSchema.parse(body).results);
          for (const result of value) statuses.set(result.id, result.status);
          acknowledged += 1;
          await sleep(20);
        }
      })();

      const usageBatches = 10;
      const finalDecisions = new Map<string, UsageDecisionRecord>();
      const usage = (async () => {
        while (acknowledged < 1) await sleep(20); // plan-0 exists once the first push is through
        for (let b = 0; b < usageBatches; b += 1) {
          const occurredAt = new Date().toISOString();
          const events = Array.from({ length: 200 }, (_, i) => ({ id: `k-${b}-${i}`, spaceId: 'space-0', channel: 'SMS', occurredAt }));
          const { value } = await deliver(() => client.post('/v1/usage/batch', { events }), (body) => usageBatchResponseSchema.parse(body).decisions);
          for (const decision of value) finalDecisions.set(decision.id, decision);
        }
      })();

      // Kill it twice, while pushes and usage batches are in flight, and start it again.
      for (const after of [3, 7]) {
        while (acknowledged < after) await sleep(5);
        await sleep(Math.floor(Math.random() * 30));
        proc.child.kill('SIGKILL');
        await proc.exited;
        proc = await spawnCentral(env, port);
      }
      await Promise.all([pushing, usage]);

      // Every change applied exactly once, in order.
      expect([...statuses.values()].every((s) => s === 'applied' || s === 'already_applied'), JSON.stringify([...statuses])).toBe(true);
      expect(statuses.size).toBe(outbox.length);
      for (let i = 0; i < plans; i += 1) {
        const answer = await client.get<{ plan: { version: number }; history: { version: number; changeId: string }[] }>(`/v1/plans/plan-${i}`);
        expect(answer.body.plan.version).toBe(3);
        const ids = outbox.filter((c) => 'planId' in c && c.planId === `plan-${i}`).map((c) => c.id);
        expect(answer.body.history.map((h) => h.changeId)).toEqual(ids);
      }
      // The feed hands out only rows of transactions older than the oldest one still running in
      // the whole PostgreSQL cluster (pull.ts), so a pull right after the last push may still hold
      // its rows back: while another test's transaction (any database of the cluster) or a killed
      // instance's unfinished one is open. That delays rows, it never drops them — so wait until
      // the feed has caught up, then check it holds each record exactly once.
      if (feed) await waitForFeed(feed);
      const items: PullItem[] = [];
      for (let cursor = '0.0'; ; ) {
        const page = pullResponseSchema.parse((await client.get(`/v1/sync/pull?cursor=${cursor}&limit=1000`)).body);
        items.push(...page.items);
        cursor = page.nextCursor;
        if (!page.hasMore) break;
      }
      expect(items.filter((i) => i.kind === 'history')).toHaveLength(plans * 3);
      expect(items.filter((i) => i.kind === 'notification')).toHaveLength(plans * 3);

      // Usage: each event decided once, and the bucket spent exactly what was accepted.
      expect(finalDecisions.size).toBe(usageBatches * 200);
      const accepted = [...finalDecisions.values()].filter((d) => d.accepted).reduce((sum, d) => sum + d.consumed, 0);
      expect(accepted).toBe(1_500);
      const state = planStateRecordSchema.parse((await client.get('/v1/plans/plan-0/state')).body);
      expect(state.buckets.SMS).toMatchObject({ used: 1_500, remaining: 0 });
      const slots = items.flatMap((i) => (i.kind === 'usageSlot' && i.usageSlot.planId === 'plan-0' ? [i.usageSlot] : []));
      expect(slots.reduce((n, s) => n + s.mtEvents + s.rejectedEvents, 0)).toBe(usageBatches * 200);
      expect(slots.reduce((n, s) => n + s.mtCredits, 0)).toBe(1_500);
    } finally {
      if (proc) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
      await cleanup();
    }
  }, 240_000);
});
