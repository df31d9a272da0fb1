import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { planStateRecordSchema, usageBatchResponseSchema, type UsageEventRequest } from '../../shared/sync';
import { describeOnBackends, type TestCentral } from '../../central/testing';
import { SLOT_MS } from '../ledger';
import { createSpaceOn, startCentralAndTwoConsoles, stopCentralAndTwoConsoles, type TestConsole } from './testing';

/**
 * Usage the central service counted shows in the plan details of the consoles that pulled it:
 * the messaging platform posts events to the central service (real HTTP, on loopback); one
 * console imported part of the same events itself, another none; after a pull both show the
 * central service's used credits per channel and over time, and no event twice; the buckets at
 * the top of the details are the central service's state, as the table counts it.
 */

const plan: PlanConfig = {
  limit: 'all_channels',
  credits: 100_000,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'UTC' },
};

await describeOnBackends('pulled usage in plan details', (backend) => {
  let central: TestCentral;
  let a: TestConsole;
  let b: TestConsole;
  beforeAll(async () => {
    // Each settle first waits until the central feed has caught up: a pull hands out a change only
    // once every older transaction on the PostgreSQL server has ended (central README, "Pull").
    ({ central, a, b } = await startCentralAndTwoConsoles(backend));
  }, 60_000);
  afterAll(() => stopCentralAndTwoConsoles({ central, a, b }));

  it("shows the central service's used credits per channel and over time, without counting an event twice", async () => {
    createSpaceOn(a, { environmentId: 'ENV-USE', spaceId: 'SP-USE' }, { name: 'Ana', email: 'ana@example.com' }, [
      { channel: 'SMS', bidirectional: true },
      { channel: 'WhatsApp', bidirectional: false },
    ]);
    const created = a.services.plans.create('SP-USE', plan, 'alice');
    a.connect(central.central.url, central.admin.token!);
    await a.settle();

    // 40 events over the last ~3 hours of this month's period, on two channels, some MO.
    const now = Date.now();
    const first = Math.max(Math.floor(now / SLOT_MS) * SLOT_MS - 3 * 3_600_000, Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1));
    const events: UsageEventRequest[] = Array.from({ length: 40 }, (_, i) => ({
      id: `use-${i}`,
      spaceId: 'SP-USE',
      channel: i % 3 === 0 ? 'WhatsApp' : 'SMS',
      direction: i % 7 === 6 ? 'MO' : 'MT',
      credits: 1 + (i % 5),
      occurredAt: new Date(Math.min(first + i * 4 * 60_000, now - 1_000)).toISOString(),
    }));
    const answer = await central.admin.post('/v1/usage/batch', { events });
    expect(answer.status).toBe(200);
    const decisions = usageBatchResponseSchema.parse(answer.body).decisions;
    expect(decisions.every((d) => d.accepted && d.planId === created.id)).toBe(true);
    const expected = { SMS: { used: 0, mo: 0 }, WhatsApp: { used: 0, mo: 0 } };
    for (const e of events) {
      const cell = expected[e.channel as 'SMS' | 'WhatsApp'];
      if (e.direction === 'MO') cell.mo += 1;
      else cell.used += e.credits;
    }

    // Console A also imported the first half of the same events from a file.
    const lines = events.slice(0, 20).map((e) => `${e.id},${e.spaceId},${e.channel},${e.direction},${e.credits},${e.occurredAt}`);
    await a.services.usage.importText('half.csv', ['id,spaceId,channel,direction,credits,occurredAt', ...lines].join('\n'), 'alice');
    b.connect(central.central.url, central.admin.token!);
    await a.settle();
    await b.settle();

    const from = Date.UTC(new Date(first).getUTCFullYear(), new Date(first).getUTCMonth(), 1);
    const to = Math.ceil((now + 1) / SLOT_MS) * SLOT_MS;
    const state = planStateRecordSchema.parse((await central.admin.get(`/v1/plans/${created.id}/state`)).body);
    for (const c of [a, b]) {
      const used = c.services.details.usedByChannel(created.id, from, to);
      expect(used.rows, c.name).toEqual([
        { channel: 'SMS', used: expected.SMS.used, moMessages: expected.SMS.mo },
        { channel: 'WhatsApp', used: expected.WhatsApp.used, moMessages: expected.WhatsApp.mo },
      ]);
      expect(used.grandTotal).toBe(state.buckets.ALL!.used);
      const series = c.services.details.usageSeries(created.id, from, to, 'day');
      expect(series.points.reduce((sum, p) => sum + p.total, 0), c.name).toBe(expected.SMS.used + expected.WhatsApp.used);

      // The buckets at the top are the central service's, as of its pull, and agree with the table.
      const buckets = c.services.details.state(created.id);
      expect(buckets.source, c.name).toMatchObject({ kind: 'central', version: 1, localUnreported: { ALL: 0 } });
      expect(buckets.buckets, c.name).toEqual([
        { bucket: 'ALL', allocation: 100_000, allocated: 100_000, used: state.buckets.ALL!.used, remaining: state.buckets.ALL!.remaining, carriedIn: 0, overage: { added: 0, at: null } },
      ]);
      expect(buckets.period?.start).toBe(new Date(from).toISOString());
    }

    // Console A imports an event the central service never saw (in the current slot, which it
    // has most likely not reported): the buckets add what the usage table adds, nothing twice.
    await a.services.usage.importText('late.csv', `id,spaceId,channel,direction,credits,occurredAt\nlocal-only,SP-USE,SMS,MT,3,${new Date(Date.now() - 1_000).toISOString()}`, 'alice');
    const withLocal = a.services.details.state(created.id);
    const end = Math.ceil((Date.now() + 1) / SLOT_MS) * SLOT_MS;
    const table = a.services.details.usedByChannel(created.id, from, end).grandTotal;
    expect(withLocal.buckets[0]!.used).toBe(table);
    expect(withLocal.source).toMatchObject({ kind: 'central', localUnreported: { ALL: table - state.buckets.ALL!.used } });
    expect(table - state.buckets.ALL!.used).toBeLessThanOrEqual(3);
  }, 60_000);
  it("shows the central service's daily and metered figures of a SPEC §9 plan in its bucket state", async () => {
    const env = a.services.org.createEnvironment({ name: 'Metered', id: 'ENV-MET' }, 'alice');
    a.services.org.createSpace(
      { id: 'SP-MET', environmentId: env.id, name: 'Metered', accountManager: { name: 'Ana', email: 'ana@example.com' }, channels: [{ channel: 'SMS', bidirectional: true }] },
      'alice',
    );
    const config: PlanConfig = {
      limit: 'channel_specific',
      credits: { SMS: 50 },
      renew: 'monthly',
      rollover: false,
      overage: true,
      overageMetered: true,
      overageRate: { amount: '0.01', currency: 'USD' },
      dailyLimit: { SMS: 100 },
      activation: { date: '2026-01-01', timeZone: 'UTC' },
    };
    const created = a.services.plans.create('SP-MET', config, 'alice');
    await a.settle();
    const now = Date.now();
    const answer = await central.admin.post('/v1/usage/batch', {
      events: [
        { id: 'met-1', spaceId: 'SP-MET', channel: 'SMS', credits: 30, occurredAt: new Date(now - 60_000).toISOString() },
        { id: 'met-2', spaceId: 'SP-MET', channel: 'SMS', credits: 30, occurredAt: new Date(now - 30_000).toISOString() },
      ],
    });
    expect(usageBatchResponseSchema.parse(answer.body).decisions.map((d) => d.accepted)).toEqual([true, true]);
    await a.settle();
    const reported = planStateRecordSchema.parse((await central.admin.get(`/v1/plans/${created.id}/state`)).body).buckets.SMS!;
    expect(reported).toMatchObject({ used: 50, daily: { limit: 100, used: 60 }, overage: { metered: 10, charge: { amount: '0.10', currency: 'USD' } } });
    const state = a.services.details.state(created.id);
    expect(state.source).toMatchObject({ kind: 'central' });
    expect(state.buckets[0]).toMatchObject({
      bucket: 'SMS',
      used: 50,
      daily: { limit: 100, used: 60 },
      metered: { credits: 10, at: new Date(Date.parse(reported.overage.at!)).toISOString(), charge: { amount: '0.10', currency: 'USD' } },
    });
  }, 60_000);
});
