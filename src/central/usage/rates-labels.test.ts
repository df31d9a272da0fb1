import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Channel, PlanConfig } from '../../shared/domain';
import { createPlanState, describeSnapshot, recordUsage } from '../../shared/engine';
import { planStateRecordSchema, usageBatchResponseSchema, usageDecisionSchema } from '../../shared/sync';
import { describeOnBackends, planCreate, smsPlan, spaceSetup, startTestCentral, type CentralClient, type TestCentral, pushApplied as push } from '../testing';

/**
 * SPEC §9.1 on the central service (an event without credits costs its channel's rate, as the
 * engine decides it), who and which campaign an event is for (stored, summed per space and
 * 15-minute slot), and the state route's SPEC §9.7 parts (daily, metered).
 */

interface Stored {
  [key: string]: unknown;
  id: string;
  credits: string;
  credits_stated: boolean | null;
  identity: string | null;
  campaign: string | null;
}

let spaceNo = 0;

await describeOnBackends('usage rate card and labels', (backend) => {
  let t: TestCentral;
  let platform: CentralClient;
  beforeAll(async () => {
    t = await startTestCentral(backend);
    platform = await t.client('platform', null);
  });
  afterAll(async () => t?.dispose());

  const stored = async (ids: string[]) =>
    (
      await t.database.db.query<Stored>(
        'SELECT id, credits::text AS credits, credits_stated, identity, campaign FROM usage_events WHERE id = ANY($1::text[]) ORDER BY id',
        [ids],
      )
    ).rows;
  const fastEvents = async (planId: string) =>
    Number((await t.database.db.query<{ n: string }>('SELECT coalesce(sum(fast_events), 0)::text AS n FROM usage_counters WHERE plan_id = $1', [planId])).rows[0]!.n);

  it("charges an event without credits its channel's rate, as the engine, on the single and the batch route", async () => {
    const config = smsPlan(30, { credits: { SMS: 30, WhatsApp: 30 }, costs: { WhatsApp: 3 } });
    await push(t.admin, [...spaceSetup('env-r', 'space-r'), planCreate('plan-r', 'space-r', config, 'alice', '2026-11-01T00:00:00Z')]);
    const engine = createPlanState(config);
    const events = [
      { id: 'r-1', spaceId: 'space-r', channel: 'WhatsApp', occurredAt: '2026-11-02T08:00:00Z' },
      { id: 'r-2', spaceId: 'space-r', channel: 'WhatsApp', occurredAt: '2026-11-02T08:01:00Z' },
      { id: 'r-3', spaceId: 'space-r', channel: 'WhatsApp', credits: 2, occurredAt: '2026-11-02T08:02:00Z' },
      { id: 'r-4', spaceId: 'space-r', channel: 'SMS', occurredAt: '2026-11-02T08:03:00Z' },
      { id: 'r-5', spaceId: 'space-r', channel: 'WhatsApp', direction: 'MO', occurredAt: '2026-11-02T08:04:00Z' },
    ] as const;
    const expected = events.map((e) => {
      const d = recordUsage(engine, { id: e.id, channel: e.channel, direction: 'direction' in e ? e.direction : 'MT', ...('credits' in e ? { credits: e.credits } : {}) }, Date.parse(e.occurredAt));
      return d.accepted ? [e.id, true, d.consumed] : [e.id, false, 0];
    });
    expect(expected.map((d) => d[2])).toEqual([3, 3, 2, 1, 0]);
    const single = usageDecisionSchema.parse((await platform.post('/v1/usage', events[0])).body);
    const rest = usageBatchResponseSchema.parse((await platform.post('/v1/usage/batch', { events: events.slice(1) })).body).decisions;
    expect([single, ...rest].map((d) => [d.id, d.accepted, d.consumed])).toEqual(expected);
    // The plan has a rate card: the engine decided every event, none went through the counters.
    expect(await fastEvents('plan-r')).toBe(0);
    // Stored: the credits charged, and whether they were sent.
    expect((await stored(events.map((e) => e.id))).map((r) => [r.id, r.credits, r.credits_stated])).toEqual([
      ['r-1', '3', false],
      ['r-2', '3', false],
      ['r-3', '2', true],
      ['r-4', '1', false],
      ['r-5', '3', false],
    ]);
    const state = planStateRecordSchema.parse((await t.admin.get('/v1/plans/plan-r/state?at=2026-11-03T00:00:00Z')).body);
    expect(state.buckets.WhatsApp?.used).toBe(8);
    // A repeat compares what was sent: without credits again, the first decision; with the
    // credits it was charged, another event (409) — nothing charged.
    expect(usageDecisionSchema.parse((await platform.post('/v1/usage', events[0])).body)).toMatchObject({ consumed: 3, duplicate: true });
    const reused = await platform.post('/v1/usage', { ...events[0], credits: 3 });
    expect(reused.status).toBe(409);
  });

  it('charges 1 for an event without credits through the fast path of a plan without a rate card', async () => {
    await push(t.admin, [...spaceSetup('env-n', 'space-n'), planCreate('plan-n', 'space-n', smsPlan(50), 'alice', '2026-11-01T00:00:00Z')]);
    const at = new Date().toISOString();
    const events = Array.from({ length: 4 }, (_, i) => ({ id: `n-${i}`, spaceId: 'space-n', channel: 'SMS', occurredAt: at, ...(i === 3 ? { credits: 5 } : {}) }));
    // The first batch seeds the counters (engine path), the next ones go the fast way.
    await platform.post('/v1/usage/batch', { events: [{ id: 'n-seed', spaceId: 'space-n', channel: 'SMS', credits: 1, occurredAt: at }] });
    const decisions = usageBatchResponseSchema.parse((await platform.post('/v1/usage/batch', { events })).body).decisions;
    expect(decisions.map((d) => [d.accepted, d.consumed])).toEqual([
      [true, 1],
      [true, 1],
      [true, 1],
      [true, 5],
    ]);
    expect(await fastEvents('plan-n')).toBe(4);
    expect((await stored(events.map((e) => e.id))).map((r) => [r.id, r.credits, r.credits_stated])).toEqual([
      ['n-0', '1', false],
      ['n-1', '1', false],
      ['n-2', '1', false],
      ['n-3', '5', true],
    ]);
    expect(usageDecisionSchema.parse((await platform.post('/v1/usage', events[0])).body)).toMatchObject({ consumed: 1, duplicate: true });
    expect((await platform.post('/v1/usage', { ...events[0], credits: 1 })).status).toBe(409);
    const state = planStateRecordSchema.parse((await t.admin.get('/v1/plans/plan-n/state')).body);
    expect(state.buckets.SMS?.used).toBe(9);
  });

  it('stores identity and campaign; refuses U+0000 and texts over 200 characters', async () => {
    await push(t.admin, spaceSetup('env-l', 'space-l'));
    const at = new Date().toISOString();
    const ok = await platform.post('/v1/usage/batch', {
      events: [
        { id: 'l-1', spaceId: 'space-l', channel: 'SMS', occurredAt: at, identity: '+34 600 000 001', campaign: 'Black "Friday"' },
        { id: 'l-2', spaceId: 'space-l', channel: 'SMS', occurredAt: at, identity: 'x'.repeat(200) },
        { id: 'l-3', spaceId: 'space-l', channel: 'SMS', occurredAt: at, campaign: '' },
      ],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await stored(['l-1', 'l-2', 'l-3'])).map((r) => [r.id, r.identity, r.campaign])).toEqual([
      ['l-1', '+34 600 000 001', 'Black "Friday"'],
      ['l-2', 'x'.repeat(200), null],
      ['l-3', null, null],
    ]);
    for (const bad of [{ identity: 'a\u0000b' }, { campaign: '\u0000' }, { identity: 'x'.repeat(201) }, { campaign: 'y'.repeat(201) }, { identity: 7 }]) {
      const event = { id: 'l-bad', spaceId: 'space-l', channel: 'SMS', occurredAt: at, ...bad };
      for (const [path, body] of [
        ['/v1/usage', event],
        ['/v1/usage/batch', { events: [event] }],
      ] as const) {
        const answer = await platform.post(path, body);
        expect(answer.status, `${path} ${JSON.stringify(bad).slice(0, 40)}`).toBe(400);
        expect(JSON.stringify(answer.body)).toMatch(/identity|campaign/);
      }
    }
    expect(await stored(['l-bad'])).toEqual([]);
  });

  it('keeps usage per identity and campaign equal to a scan of the stored events (fast-check)', async () => {
    const identities = ['ana', 'bob', 'c"d'];
    const campaigns = ['spring', 'fall'];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rateCard: fc.boolean(),
          allocation: fc.integer({ min: 3, max: 40 }),
          batches: fc.array(
            fc.array(
              fc.record({
                channel: fc.constantFrom<Channel>('SMS', 'WhatsApp', 'Email'),
                direction: fc.constantFrom('MT', 'MT', 'MO'),
                credits: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
                identity: fc.option(fc.constantFrom(...identities), { nil: undefined }),
                campaign: fc.option(fc.constantFrom(...campaigns), { nil: undefined }),
                minutes: fc.integer({ min: 0, max: 90 }),
              }),
              { minLength: 1, maxLength: 12 },
            ),
            { minLength: 1, maxLength: 4 },
          ),
        }),
        async ({ rateCard, allocation, batches }) => {
          spaceNo += 1;
          const space = `space-a${spaceNo}`;
          const config: PlanConfig = smsPlan(allocation, { credits: { SMS: allocation, WhatsApp: allocation }, ...(rateCard ? { costs: { WhatsApp: 2 } } : {}) });
          await push(t.admin, [...spaceSetup(`env-a${spaceNo}`, space), planCreate(`plan-a${spaceNo}`, space, config, 'alice', '2026-11-01T00:00:00Z')]);
          const base = Date.UTC(2026, 10, 2, 8);
          let n = 0;
          for (const batch of batches) {
            const events = batch.map((e) => ({
              id: `a${spaceNo}-${(n += 1)}`,
              spaceId: space,
              channel: e.channel,
              direction: e.direction,
              occurredAt: new Date(base + e.minutes * 60_000).toISOString(),
              ...(e.credits === undefined ? {} : { credits: e.credits }),
              ...(e.identity === undefined ? {} : { identity: e.identity }),
              ...(e.campaign === undefined ? {} : { campaign: e.campaign }),
            }));
            const answer = await platform.post('/v1/usage/batch', { events });
            expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          }
          const kept = await t.database.db.query(
            `SELECT dim, label, slot_ms::text, mt_credits::text, mt_events::text, mo_events::text, rejected_events::text, rejected_credits::text
               FROM usage_label_slots WHERE space_id = $1 ORDER BY dim, label, slot_ms`,
            [space],
          );
          const scanned = await t.database.db.query(
            `SELECT d.dim, d.label, (occurred_ms - occurred_ms % 900000)::text AS slot_ms,
                    sum(CASE WHEN accepted AND direction = 'MT' THEN credits ELSE 0 END)::text AS mt_credits,
                    count(*) FILTER (WHERE accepted AND direction = 'MT')::text AS mt_events,
                    count(*) FILTER (WHERE accepted AND direction = 'MO')::text AS mo_events,
                    count(*) FILTER (WHERE NOT accepted)::text AS rejected_events,
                    sum(CASE WHEN NOT accepted THEN credits ELSE 0 END)::text AS rejected_credits
               FROM usage_events CROSS JOIN LATERAL (VALUES ('identity', identity), ('campaign', campaign)) AS d(dim, label)
              WHERE space_id = $1 AND d.label IS NOT NULL
              GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
            [space],
          );
          expect(kept.rows).toEqual(scanned.rows);
          const labelled = batches.flat().filter((e) => e.identity !== undefined || e.campaign !== undefined).length;
          if (labelled > 0) expect(kept.rows.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('reports the daily limit and metered overage in the state route, as the engine (SPEC §9.7)', async () => {
    const config = smsPlan(50, { overage: true, overageMetered: true, overageRate: { amount: '0.01', currency: 'USD' }, dailyLimit: { SMS: 40 } });
    await push(t.admin, [...spaceSetup('env-d', 'space-d'), planCreate('plan-d', 'space-d', config, 'alice', '2026-11-01T00:00:00Z')]);
    const engine = createPlanState(config);
    const events = [
      { id: 'd-1', credits: 30, occurredAt: '2026-11-02T08:00:00Z' },
      { id: 'd-2', credits: 15, occurredAt: '2026-11-02T09:00:00Z' },
      { id: 'd-3', credits: 30, occurredAt: '2026-11-03T08:00:00Z' },
    ];
    await platform.post('/v1/usage/batch', { events: events.map((e) => ({ ...e, spaceId: 'space-d', channel: 'SMS' })) });
    for (const e of events) recordUsage(engine, { id: e.id, channel: 'SMS', direction: 'MT', credits: e.credits }, Date.parse(e.occurredAt));
    const at = '2026-11-03T12:00:00Z';
    const answer = await t.admin.get(`/v1/plans/plan-d/state?at=${at}`);
    const state = planStateRecordSchema.parse(answer.body);
    expect(answer.body).toEqual(state);
    expect(state).toEqual({ planId: 'plan-d', version: 1, ...describeSnapshot(engine, Date.parse(at)) });
    expect(state.buckets.SMS).toMatchObject({ daily: { limit: 40, used: 30 }, overage: { metered: 10, charge: { amount: '0.10', currency: 'USD' } } });
  });
});
