import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPlanState, recordUsage } from '../../shared/engine';
import { pushResponseSchema, usageBatchResponseSchema } from '../../shared/sync';
import { describeOnBackends, planCreate, smsPlan, spaceSetup, startTestCentral, type CentralClient, type TestCentral } from '../testing';

/**
 * A plan with SPEC §9 parts is decided by the engine, never by the fast path's counters (which
 * know allocation and overage only): a daily limit refuses, metered overage accepts, as the engine.
 */
await describeOnBackends('usage of plans with policies', (backend) => {
  let t: TestCentral;
  let platform: CentralClient;
  beforeAll(async () => {
    t = await startTestCentral(backend);
    platform = await t.client('platform', null);
  });
  afterAll(async () => t?.dispose());

  it('a daily limit and metered overage decide through the central service exactly as through the engine', async () => {
    const config = smsPlan(50, { overage: true, overageMetered: true, overageRate: { amount: '0.01', currency: 'USD' }, dailyLimit: { SMS: 40 } });
    const answer = await t.admin.post('/v1/sync/push', { changes: [...spaceSetup('env-p', 'space-p'), planCreate('plan-p', 'space-p', config, 'alice', '2026-11-01T00:00:00Z')] });
    expect(pushResponseSchema.parse(answer.body).results.every((r) => r.status === 'applied'), JSON.stringify(answer.body)).toBe(true);
    const engine = createPlanState(config);
    let n = 0;
    const reasons: (string | null)[] = [];
    for (const [hour, batch] of [[8, [10, 10]], [9, [10, 5, 6]], [10, [30]], [11, [1]]] as const) {
      const events = batch.map((credits, i) => ({
        id: `p-${(n += 1)}`,
        spaceId: 'space-p',
        channel: 'SMS',
        credits,
        occurredAt: `2026-11-0${2 + Math.floor(hour / 10)}T0${hour % 10}:0${i}:00Z`,
      }));
      const decisions = usageBatchResponseSchema.parse((await platform.post('/v1/usage/batch', { events })).body).decisions;
      const expected = events.map((e) => {
        const d = recordUsage(engine, { id: e.id, channel: 'SMS', credits: e.credits, direction: 'MT' }, Date.parse(e.occurredAt));
        return d.accepted ? [true, d.consumed, null] : [false, 0, d.reason];
      });
      expect(decisions.map((d) => [d.accepted, d.consumed, d.reason ?? null])).toEqual(expected);
      reasons.push(...decisions.map((d) => d.reason ?? null));
    }
    // Both rules did decide something: a daily_limit refusal on the 2nd, metered credits on the 3rd.
    expect(reasons).toEqual([null, null, null, null, 'daily_limit', null, null]);
    expect(engine.buckets.SMS?.metered).toBeGreaterThan(0);
    const counters = await t.database.db.query<{ fast: string }>("SELECT coalesce(sum(fast_events), 0)::text AS fast FROM usage_counters WHERE plan_id = 'plan-p'");
    expect(Number(counters.rows[0]?.fast ?? 0)).toBe(0);
  });
});
