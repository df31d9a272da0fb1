import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import {
  planStateRecordSchema,
  pullResponseSchema,
  usageBatchResponseSchema,
  usageDecisionSchema,
  type UsageDecisionRecord,
} from '../../shared/sync';
import { describeOnBackends, planCreate, planEdit, smsPlan, spaceSetup, startTestCentral, waitForFeed, type CentralClient, type TestCentral, pushApplied as push } from '../testing';

const now = () => new Date().toISOString();

async function batch(client: CentralClient, events: object[]): Promise<UsageDecisionRecord[]> {
  const answer = await client.post('/v1/usage/batch', { events });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return usageBatchResponseSchema.parse(answer.body).decisions;
}

await describeOnBackends('usage authorization', (backend) => {
  let t: TestCentral;
  let platform: CentralClient;
  beforeAll(async () => {
    t = await startTestCentral(backend);
    platform = await t.client('platform', null);
  });
  afterAll(async () => t?.dispose());

  it('accepts while credits remain, rejects whole what does not fit, lets MO and uncovered channels through', async () => {
    await push(t.admin, [...spaceSetup('env-u', 'space-u'), planCreate('plan-u', 'space-u', smsPlan(10))]);
    const at = now();
    const decisions = await batch(platform, [
      { id: 'u-1', spaceId: 'space-u', channel: 'SMS', credits: 6, occurredAt: at },
      { id: 'u-2', spaceId: 'space-u', channel: 'SMS', credits: 5, occurredAt: at },
      { id: 'u-3', spaceId: 'space-u', channel: 'SMS', credits: 4, occurredAt: at },
      { id: 'u-4', spaceId: 'space-u', channel: 'SMS', direction: 'MO', occurredAt: at },
      { id: 'u-5', spaceId: 'space-u', channel: 'WhatsApp', credits: 1000, occurredAt: at },
      { id: 'u-6', spaceId: 'space-u', channel: 'SMS', occurredAt: at },
    ]);
    expect(decisions.map((d) => [d.id, d.accepted, d.reason ?? null, d.planId, d.bucket, d.consumed])).toEqual([
      ['u-1', true, null, 'plan-u', 'SMS', 6],
      ['u-2', false, 'exhausted', 'plan-u', 'SMS', 0],
      ['u-3', true, null, 'plan-u', 'SMS', 4],
      ['u-4', true, null, 'plan-u', 'SMS', 0],
      ['u-5', true, null, null, null, 0],
      ['u-6', false, 'exhausted', 'plan-u', 'SMS', 0],
    ]);
    const state = planStateRecordSchema.parse((await t.admin.get('/v1/plans/plan-u/state')).body);
    expect(state.buckets.SMS).toMatchObject({ allocated: 10, used: 10, remaining: 0 });
  });

  it('decides an event id once: a repeat, in the same batch or later, answers the first decision', async () => {
    await push(t.admin, [...spaceSetup('env-i', 'space-i'), planCreate('plan-i', 'space-i', smsPlan(3))]);
    const event = { id: 'i-1', spaceId: 'space-i', channel: 'SMS', credits: 2, occurredAt: now() };
    const first = usageDecisionSchema.parse((await platform.post('/v1/usage', event)).body);
    expect(first).toMatchObject({ accepted: true, consumed: 2, duplicate: false });
    const again = usageDecisionSchema.parse((await platform.post('/v1/usage', event)).body);
    expect(again).toMatchObject({ accepted: true, consumed: 2, duplicate: true });
    // One instant for both copies of i-2: the same id with another occurredAt is another event
    // (409 usage_id_reused), and two now() calls can fall in different milliseconds.
    const at = now();
    const twice = await batch(platform, [
      { id: 'i-2', spaceId: 'space-i', channel: 'SMS', credits: 1, occurredAt: at },
      { id: 'i-2', spaceId: 'space-i', channel: 'SMS', credits: 1, occurredAt: at },
      { id: 'i-3', spaceId: 'space-i', channel: 'SMS', credits: 1, occurredAt: at },
    ]);
    expect(twice.map((d) => [d.accepted, d.duplicate])).toEqual([
      [true, false],
      [true, true],
      [false, false],
    ]);
    const state = planStateRecordSchema.parse((await t.admin.get('/v1/plans/plan-i/state')).body);
    expect(state.buckets.SMS).toMatchObject({ used: 3, remaining: 0 });
  });

  it('adds the overage once, at the event that needed it, and refuses events dated in the future', async () => {
    await push(t.admin, [...spaceSetup('env-o', 'space-o'), planCreate('plan-o', 'space-o', smsPlan(5, { overage: true }))]);
    const at = now();
    const decisions = await batch(platform, [
      { id: 'o-1', spaceId: 'space-o', channel: 'SMS', credits: 4, occurredAt: at },
      { id: 'o-2', spaceId: 'space-o', channel: 'SMS', credits: 4, occurredAt: at },
      { id: 'o-3', spaceId: 'space-o', channel: 'SMS', credits: 2, occurredAt: at },
      { id: 'o-4', spaceId: 'space-o', channel: 'SMS', credits: 1, occurredAt: new Date(Date.now() + 3_600_000).toISOString() },
    ]);
    expect(decisions.map((d) => [d.accepted, d.overageTriggered, d.reason ?? null])).toEqual([
      [true, false, null],
      [true, true, null],
      [true, false, null],
      [false, false, 'in_future'],
    ]);
    const state = planStateRecordSchema.parse((await t.admin.get('/v1/plans/plan-o/state')).body);
    expect(state.buckets.SMS).toMatchObject({ allocated: 10, used: 10, remaining: 0, overage: { added: 5 } });
    expect(state.buckets.SMS?.overage.at).toBe(at.slice(0, 19) + 'Z');
    // A future event is not stored: sent again when its time has come, it is decided afresh.
    const retried = await batch(platform, [{ id: 'o-4', spaceId: 'space-o', channel: 'SMS', credits: 1, occurredAt: now() }]);
    expect(retried[0]).toMatchObject({ accepted: false, reason: 'exhausted', duplicate: false });
  });

  it('reports the buckets at any instant, before and after later usage and edits (SPEC §8 shape)', async () => {
    const config = smsPlan(500, { rollover: true, activation: { date: '2026-09-01', timeZone: 'Europe/Madrid' } });
    await push(t.admin, [...spaceSetup('env-s', 'space-s'), planCreate('plan-s', 'space-s', config, 'alice', '2026-09-01T00:00:00Z')]);
    // Usage in September and October (past instants: decided at their own time, in order).
    await batch(platform, [
      { id: 's-1', spaceId: 'space-s', channel: 'SMS', credits: 300, occurredAt: '2026-09-10T09:00:00Z' },
      { id: 's-2', spaceId: 'space-s', channel: 'SMS', credits: 100, occurredAt: '2026-10-05T09:00:00Z' },
    ]);
    await push(t.admin, [planEdit('plan-s', 1, { ...config, credits: { SMS: 600 } } as PlanConfig, 'bob', '2026-10-20T00:00:00Z')]);
    const at = async (instant: string) => planStateRecordSchema.parse((await t.admin.get(`/v1/plans/plan-s/state?at=${instant}`)).body);
    expect(await at('2026-08-15T00:00:00Z')).toEqual({ planId: 'plan-s', version: 1, at: '2026-08-15T00:00:00Z', period: null, buckets: {} });
    expect(await at('2026-09-20T12:00:00Z')).toEqual({
      planId: 'plan-s',
      version: 1,
      at: '2026-09-20T12:00:00Z',
      period: { index: 0, start: '2026-08-31T22:00:00Z', end: '2026-09-30T22:00:00Z' },
      buckets: { SMS: { allocated: 500, used: 300, remaining: 200, carriedIn: 0, overage: { added: 0, at: null } } },
    });
    // October: 200 rolled over, 100 used (oldest first: from the rolled-over credits).
    expect((await at('2026-10-10T00:00:00Z')).buckets.SMS).toEqual({ allocated: 700, used: 100, remaining: 600, carriedIn: 200, overage: { added: 0, at: null } });
    // After the edit to 600: the allocation of the period includes what was consumed.
    const edited = await at('2026-10-25T00:00:00Z');
    expect(edited.version).toBe(2);
    expect(edited.buckets.SMS).toMatchObject({ allocated: 800, used: 100, remaining: 700, carriedIn: 200 });
    // The pull carries the usage aggregates per 15-minute slot (once no transaction elsewhere on
    // the server holds them back).
    await waitForFeed(t.database.db);
    const pull = pullResponseSchema.parse((await t.admin.get('/v1/sync/pull?limit=5000')).body);
    const slots = pull.items.flatMap((i) => (i.kind === 'usageSlot' && i.usageSlot.planId === 'plan-s' ? [i.usageSlot] : []));
    expect(slots.map((s) => [s.slotStart, s.mtCredits, s.mtEvents])).toEqual([
      ['2026-09-10T09:00:00Z', 300, 1],
      ['2026-10-05T09:00:00Z', 100, 1],
    ]);
  });

  it('never lets 8 parallel clients posting 10,000 events each spend more than the allocation', async () => {
    const allocation = 50_000;
    await push(t.admin, [...spaceSetup('env-c', 'space-c'), planCreate('plan-c', 'space-c', smsPlan(allocation))]);
    const clients = 8;
    const perClient = 10_000;
    const batchSize = 500;
    const at = now();
    const accepted = await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        let credits = 0;
        for (let start = 0; start < perClient; start += batchSize) {
          const events = Array.from({ length: batchSize }, (_, i) => ({ id: `c${c}-${start + i}`, spaceId: 'space-c', channel: 'SMS', occurredAt: at }));
          for (const d of await batch(platform, events)) {
            expect(d.duplicate).toBe(false);
            if (d.accepted) credits += d.consumed;
          }
        }
        return credits;
      }),
    );
    const total = accepted.reduce((a, b) => a + b, 0);
    expect(total).toBe(allocation);
    const state = planStateRecordSchema.parse((await t.admin.get('/v1/plans/plan-c/state')).body);
    expect(state.buckets.SMS).toMatchObject({ allocated: allocation, used: allocation, remaining: 0 });
    const stored = await t.database.db.query<{ n: string; credits: string }>(
      "SELECT count(*)::text AS n, coalesce(sum(consumed), 0)::text AS credits FROM usage_events WHERE plan_id = 'plan-c'",
    );
    expect(stored.rows[0]).toEqual({ n: String(clients * perClient), credits: String(allocation) });
  }, 240_000);
});
