import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Channel, PlanConfig } from '../../shared/domain';
import { createPlanState, recordUsage } from '../../shared/engine';
import { planStateRecordSchema, pullResponseSchema, usageBatchResponseSchema } from '../../shared/sync';
import { describeOnBackends, planCreate, planEdit, smsPlan, spaceSetup, startTestCentral, waitForFeed, type CentralClient, type TestCentral, pushApplied as push } from '../testing';

let planNo = 0;

await describeOnBackends('usage fast path', (backend) => {
  let t: TestCentral;
  let platform: CentralClient;
  beforeAll(async () => {
    t = await startTestCentral(backend);
    platform = await t.client('platform', null);
  });
  afterAll(async () => t?.dispose());

  it('charges through the counters while the guard holds, and answers exactly as the engine (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          allocation: fc.integer({ min: 5, max: 60 }),
          overage: fc.boolean(),
          batches: fc.array(
            fc.array(
              fc.record({
                credits: fc.integer({ min: 1, max: 9 }),
                channel: fc.constantFrom<Channel>('SMS', 'WhatsApp'),
                direction: fc.constantFrom('MT', 'MT', 'MT', 'MO'),
                minutes: fc.integer({ min: 0, max: 600 }),
              }),
              { minLength: 1, maxLength: 8 },
            ),
            { minLength: 1, maxLength: 8 },
          ),
        }),
        async ({ allocation, overage, batches }) => {
          planNo += 1;
          const space = `space-f${planNo}`;
          const plan = `plan-f${planNo}`;
          const config: PlanConfig = smsPlan(allocation, { overage, credits: { SMS: allocation, WhatsApp: allocation } });
          await push(t.admin, [...spaceSetup(`env-f${planNo}`, space), planCreate(plan, space, config, 'alice', '2026-11-01T00:00:00Z')]);
          const engine = createPlanState(config);
          const base = Date.UTC(2026, 10, 2, 8);
          let n = 0;
          for (const batch of batches) {
            const events = batch.map((e) => ({
              id: `f${planNo}-${(n += 1)}`,
              spaceId: space,
              channel: e.channel,
              direction: e.direction,
              credits: e.credits,
              occurredAt: new Date(base + e.minutes * 60_000).toISOString(),
            }));
            const answer = await platform.post('/v1/usage/batch', { events });
            expect(answer.status).toBe(200);
            const decisions = usageBatchResponseSchema.parse(answer.body).decisions;
            const expected = events.map((e) => {
              const ms = Math.max(Date.parse(e.occurredAt), engine.clockMs);
              const d = recordUsage(engine, { id: e.id, channel: e.channel, credits: e.credits, direction: e.direction as 'MT' | 'MO' }, ms);
              return d.accepted ? [true, d.bucket, d.consumed, d.overageTriggered] : [false, d.bucket, 0, false];
            });
            expect(decisions.map((d) => [d.accepted, d.bucket, d.consumed, d.overageTriggered])).toEqual(expected);
          }
          const state = planStateRecordSchema.parse((await t.admin.get(`/v1/plans/${plan}/state?at=2026-11-03T00:00:00Z`)).body);
          expect(state.buckets.SMS?.used).toBe(engine.buckets.SMS?.used);
          expect(state.buckets.WhatsApp?.used).toBe(engine.buckets.WhatsApp?.used);
        },
      ),
      {
        numRuns: 12,
        // One run that surely reaches the fast path (small events that fit after the first batch
        // started the period), so that the check below does not hang on the random runs alone.
        examples: [
          [
            {
              allocation: 60,
              overage: false,
              batches: [1, 2, 3].map((i) => [{ credits: 1, channel: 'SMS' as const, direction: 'MT' as const, minutes: i * 10 }]),
            },
          ],
        ],
      },
    );
    // The fast path did decide groups (the first event of a plan starts its period the engine's way).
    const counters = await t.database.db.query<{ fast: string }>('SELECT coalesce(sum(fast_events), 0)::text AS fast FROM usage_counters');
    const fastEvents = await t.database.db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM usage_events e JOIN plan_states s ON s.plan_id = e.plan_id WHERE e.space_id LIKE 'space-f%'",
    );
    expect(Number(fastEvents.rows[0]!.n)).toBeGreaterThan(0);
    expect(Number(counters.rows[0]!.fast)).toBeGreaterThan(0);
  }, 120_000);

  it('folds what the fast path charged into an edit, a pull and a replay at an earlier instant', async () => {
    const config = smsPlan(100, { renew: 'annually' });
    await push(t.admin, [...spaceSetup('env-g', 'space-g'), planCreate('plan-g', 'space-g', config, 'alice', '2026-11-01T00:00:00Z')]);
    const send = (id: string, credits: number, at: string) =>
      platform.post('/v1/usage', { id, spaceId: 'space-g', channel: 'SMS', credits, occurredAt: at });
    expect((await send('g-1', 10, '2026-11-02T08:00:00Z')).status).toBe(200); // engine path: starts the period
    for (let i = 2; i <= 5; i += 1) expect((await send(`g-${i}`, 10, `2026-11-02T${String(i + 6).padStart(2, "0")}:00:00Z`)).status).toBe(200);
    const fast = await t.database.db.query<{ fast_events: number }>("SELECT fast_events FROM usage_counters WHERE plan_id = 'plan-g'");
    expect(Number(fast.rows[0]!.fast_events)).toBe(4);
    const at = async (instant: string) => planStateRecordSchema.parse((await t.admin.get(`/v1/plans/plan-g/state?at=${instant}`)).body).buckets.SMS;
    expect((await at('2026-11-02T12:30:00Z'))?.used).toBe(50);
    expect((await at('2026-11-02T09:30:00Z'))?.used).toBe(30);
    await waitForFeed(t.database.db);
    const pull = pullResponseSchema.parse((await t.admin.get('/v1/sync/pull?limit=5000')).body);
    const states = pull.items.flatMap((i) => (i.kind === 'planState' && i.planState.planId === 'plan-g' ? [i.planState] : []));
    expect(states.at(-1)?.buckets.SMS?.used).toBe(50);
    // An edit folds the counters into the state first: the new allocation counts what was used.
    await push(t.admin, [planEdit('plan-g', 1, smsPlan(60, { renew: 'annually' }), 'bob', '2026-11-02T13:00:00Z')]);
    expect((await at('2026-11-02T14:00:00Z'))?.used).toBe(50);
    const after = await send('g-6', 20, '2026-11-02T14:00:00Z');
    expect(after.body).toMatchObject({ accepted: false, reason: 'exhausted' });
    expect((await send('g-7', 10, '2026-11-02T14:00:00Z')).body).toMatchObject({ accepted: true, consumed: 10 });
    expect((await at('2026-11-02T12:30:00Z'))?.used).toBe(50);
    expect((await at('2026-11-02T15:00:00Z'))?.used).toBe(60);
  });
});
