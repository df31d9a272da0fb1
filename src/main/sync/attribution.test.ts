import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Channel, PlanConfig } from '../../shared/domain';
import { bucketAt } from '../../shared/engine';
import { pushResponseSchema, usageBatchResponseSchema, type ChangeInput } from '../../shared/sync';
import {
  describeOnBackends,
  planCreate,
  planDelete,
  planEdit,
  smsPlan,
  spaceSetup,
  startTestCentral,
  type CentralClient,
  type TestCentral,
} from '../../central/testing';
import { currentAttribution } from '../accounts';
import { makeConsole, type TestConsole } from './testing';

/**
 * Which plan and bucket an event counts against is one rule (src/shared/engine/attribution.ts):
 * a console's ledger and the central service, given the same plans and the same events, answer
 * alike — also for late events, dated before an edit of their plan or before its deletion,
 * while a plan created afterwards with an earlier activation covers the same channel.
 */

const SPACE = 'space-attr';
const madrid = { date: '2026-01-01', timeZone: 'Europe/Madrid' };
const perChannel = (credits: Partial<Record<Channel, number>>): PlanConfig => smsPlan(0, { credits, activation: madrid } as Partial<PlanConfig>);
const pool: PlanConfig = smsPlan(0, { limit: 'all_channels', credits: 10_000, activation: { date: '2026-08-01', timeZone: 'Europe/Madrid' } } as Partial<PlanConfig>);

/** The plans' history: created Jan 1st, Email added Jun 1st, deleted Sep 1st; a pool created Oct 1st, active from Aug 1st. */
const history: ChangeInput[] = [
  ...spaceSetup('env-attr', SPACE),
  planCreate('plan-1', SPACE, perChannel({ SMS: 1000 }), 'alice', '2026-01-01T00:00:00Z'),
  planEdit('plan-1', 1, perChannel({ SMS: 1000, Email: 500 }), 'alice', '2026-06-01T00:00:00Z'),
  planDelete('plan-1', 2, 'alice', '2026-09-01T00:00:00Z'),
  planCreate('plan-2', SPACE, pool, 'bob', '2026-10-01T00:00:00Z'),
];

const event = (id: string, channel: Channel, occurredAt: string) => ({ id, spaceId: SPACE, channel, direction: 'MT', credits: 1, occurredAt });

/** Every event is late: all plan versions were written before any of them arrives. */
const events = [
  event('a-before-activation', 'SMS', '2025-12-15T12:00:00Z'),
  event('a-sms-v1', 'SMS', '2026-03-01T12:00:00Z'),
  event('a-email-before-edit', 'Email', '2026-03-01T12:00:00Z'),
  event('a-email-after-edit', 'Email', '2026-07-01T12:00:00Z'),
  event('a-sms-before-delete', 'SMS', '2026-08-15T12:00:00Z'),
  event('a-whatsapp-pool', 'WhatsApp', '2026-08-15T12:00:00Z'),
  event('a-sms-after-delete', 'SMS', '2026-09-15T12:00:00Z'),
  event('a-push-before-pool', 'Push', '2026-07-15T12:00:00Z'),
];

/** What the rule says (src/shared/engine/attribution.ts), written out. */
const expected = [
  ['a-before-activation', null, null],
  ['a-sms-v1', 'plan-1', 'SMS'],
  ['a-email-before-edit', null, null],
  ['a-email-after-edit', 'plan-1', 'Email'],
  // plan-1 was in force then (deleted later); plan-2, created after, does not take it over.
  ['a-sms-before-delete', 'plan-1', 'SMS'],
  ['a-whatsapp-pool', 'plan-2', 'ALL'],
  ['a-sms-after-delete', 'plan-2', 'ALL'],
  ['a-push-before-pool', null, null],
];

async function push(client: CentralClient, changes: ChangeInput[]) {
  const answer = await client.post('/v1/sync/push', { changes });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const results = pushResponseSchema.parse(answer.body).results;
  expect(results.every((r) => r.status === 'applied'), JSON.stringify(results)).toBe(true);
}

await describeOnBackends('one attribution rule for the ledger and the central service', (backend) => {
  let central: TestCentral;
  let platform: CentralClient;
  let desk: TestConsole;

  beforeAll(async () => {
    central = await startTestCentral(backend);
    platform = await central.client('platform', null);
    await push(central.admin, history);
    desk = makeConsole('A', {}, central.database.db);
    desk.connect(central.central.url, central.admin.token!);
    await desk.settle();
  }, 60_000);

  afterAll(async () => {
    await desk?.cleanup();
    await central?.dispose();
  });

  it('the central service answers each event with the plan and bucket the ledger counts it against', async () => {
    const answer = await platform.post('/v1/usage/batch', { events });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const decisions = usageBatchResponseSchema.parse(answer.body).decisions;
    const byCentral = decisions.map((d) => [d.id, d.planId, d.bucket]);

    const recorded = desk.services.usage.record(events, 'platform');
    expect(recorded.every((d) => d.accepted), JSON.stringify(recorded)).toBe(true);
    const { ledger } = desk.services;
    const attribution = currentAttribution(ledger);
    const byLedger = events.map((e) => {
      const row = ledger
        .stmt('SELECT e.plan_ref AS ref, p.id AS plan FROM usage_events e LEFT JOIN plans p ON p.ref = e.plan_ref WHERE e.id = ?')
        .get(e.id) as { ref: number | null; plan: string | null };
      const timeline = row.ref === null ? undefined : attribution.timeline(row.ref);
      return [e.id, row.plan, timeline ? bucketAt(timeline, e.channel, Date.parse(e.occurredAt)) : null];
    });

    expect(byLedger).toEqual(expected);
    expect(byCentral).toEqual(expected);
  });

  it('the fast path, which decides events on plans it remembers, counts them against the same plans and buckets', async () => {
    // One at a time, under new ids: plan-2's counters were seeded by the batch above, so its
    // events may be charged without the engine, late ones included.
    for (const [i, e] of events.entries()) {
      const answer = await platform.post('/v1/usage', { ...e, id: `${e.id}-again` });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ planId: expected[i]![1], bucket: expected[i]![2] });
    }
    const fast = await central.database.db.query<{ n: string }>("SELECT coalesce(sum(fast_events), 0)::text AS n FROM usage_counters WHERE plan_id = 'plan-2'");
    expect(Number(fast.rows[0]!.n)).toBeGreaterThan(0);
  });
});
