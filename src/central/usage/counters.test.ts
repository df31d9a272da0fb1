import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushResponseSchema } from '../../shared/sync';
import { decodePlanState } from '../store';
import { PG_TEST_URL, planCreate, postgresReachable, smsPlan, spaceSetup, startTestCentral, type TestCentral } from '../testing';
import { seedCounters } from './counters';

/**
 * Lock order between the engine path and plan edits. An edit locks the plan row, then its state
 * row; the engine path locks the state row and, at its end, seeds the plan's counters. Seeding
 * must not wait for the plan row, or the two wait for each other (PostgreSQL then aborts one:
 * under steady usage an edit lost every retry and answered 500). Two connections at once: the
 * embedded database runs one transaction at a time, so this runs on PostgreSQL only.
 */
const reachable = await postgresReachable();
const suite = reachable ? describe : describe.skip;

suite(reachable ? 'usage counters and plan edits [PostgreSQL]' : `usage counters and plan edits [PostgreSQL: not reachable at ${PG_TEST_URL}, skipped]`, () => {
  let t: TestCentral;
  beforeAll(async () => {
    t = await startTestCentral('postgres');
    const pushed = await t.admin.post('/v1/sync/push', { changes: [...spaceSetup('env-lock', 'space-lock'), planCreate('plan-lock', 'space-lock', smsPlan(50))] });
    expect(pushResponseSchema.parse(pushed.body).results.every((r) => r.status === 'applied')).toBe(true);
    // A first event starts the plan's period, so that its state has counters to seed.
    const platform = await t.client('platform', null);
    const used = await platform.post('/v1/usage', { id: 'lock-1', spaceId: 'space-lock', channel: 'SMS', credits: 5, occurredAt: new Date().toISOString() });
    expect(used.status).toBe(200);
  });
  afterAll(async () => t?.dispose());

  it('seeds a plan\'s counters while an edit holds the plan row', async () => {
    const { db } = t.database;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const planLocked = new Promise<void>((resolve) => (locked = resolve));
    // The edit's first locks (push.ts: the plan row FOR UPDATE), held until the engine path is done.
    const edit = db.transaction(async (tx) => {
      await tx.query('SELECT id FROM plans WHERE id = $1 FOR UPDATE', ['plan-lock']);
      locked();
      await released;
    });
    await planLocked;
    try {
      await db.transaction(async (tx) => {
        // Waiting for the plan row would be the deadlock: fail fast instead of after deadlock_timeout.
        await tx.query("SET LOCAL lock_timeout = '3s'");
        const row = await tx.query<{ state: string; ops: number }>('SELECT state::text AS state, ops FROM plan_states WHERE plan_id = $1 FOR UPDATE', ['plan-lock']);
        await seedCounters(tx, [{ planId: 'plan-lock', state: decodePlanState(row.rows[0]!.state), generation: Number(row.rows[0]!.ops) }]);
      });
    } finally {
      release();
      await edit;
    }
    const counters = await db.query<{ bucket: string; spendable: string }>('SELECT bucket, spendable::text FROM usage_counters WHERE plan_id = $1', ['plan-lock']);
    expect(counters.rows).toEqual([{ bucket: 'SMS', spendable: '50' }]);
  });
});
