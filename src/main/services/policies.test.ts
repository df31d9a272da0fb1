import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { createPlanState, recordUsage } from '../../shared/engine';
import { makeWorld, type World } from './testing';

let w: World;
afterEach(() => w?.cleanup());

/** SPEC §9's plan parts through a real ledger file: stored, returned, and deciding usage as the engine does. */

const daily: PlanConfig = {
  limit: 'all_channels',
  credits: 10_000,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-03-01', timeZone: 'Europe/Madrid' },
  dailyLimit: 100,
  price: { amount: '150.00', currency: 'EUR' },
};

type Ev = { id: string; credits: number; occurredAt: string };

function engineDecisions(config: PlanConfig, events: Ev[]): { id: string; accepted: boolean; reason: string | null }[] {
  const state = createPlanState(config);
  return events.map((e) => {
    const d = recordUsage(state, { id: e.id, channel: 'SMS', direction: 'MT', credits: e.credits }, Date.parse(e.occurredAt));
    return { id: e.id, accepted: d.accepted, reason: d.accepted ? null : d.reason };
  });
}

describe('plan policies through the ledger (SPEC §9)', () => {
  it('stores and returns the policy fields, and a daily limit refuses the rest of the day exactly as the engine does', () => {
    w = makeWorld('2026-03-20T12:00:00Z');
    const plan = w.services.plans.create(w.spaceId, daily, 'ana');
    expect(plan.config).toEqual(daily);
    const reopened = w.reopen();
    expect(reopened.plans.get(plan.id).config).toEqual(daily);
    const events: Ev[] = [
      { id: 'd1', credits: 60, occurredAt: '2026-03-10T08:00:00Z' },
      { id: 'd2', credits: 40, occurredAt: '2026-03-10T12:00:00Z' },
      { id: 'd3', credits: 1, occurredAt: '2026-03-10T22:30:00Z' }, // still March 10th in Madrid (UTC+1)
      { id: 'd4', credits: 1, occurredAt: '2026-03-10T23:30:00Z' }, // March 11th in Madrid
      { id: 'd5', credits: 100, occurredAt: '2026-03-11T10:00:00Z' },
    ];
    const decisions = reopened.usage.record(events.map((e) => ({ ...e, spaceId: w.spaceId, channel: 'SMS' as const, direction: 'MT' as const })), 'ana');
    expect(decisions).toEqual(engineDecisions(daily, events));
    expect(decisions.map((d) => d.reason)).toEqual([null, null, 'daily_limit', null, 'daily_limit']);
    const state = reopened.details.state(plan.id, Date.parse('2026-03-11T12:00:00Z'));
    expect(state.buckets[0]).toMatchObject({ used: 101, remaining: 10_000 - 101, daily: { limit: 100, used: 1 } });
  });

  it('stores a plan without policy parts exactly as before (no new keys in the stored text)', () => {
    w = makeWorld('2026-03-20T12:00:00Z');
    const { dailyLimit: _d, price: _p, ...base } = daily;
    const plan = w.services.plans.create(w.spaceId, base, 'ana');
    const stored = w.t.ledger.db.prepare('SELECT config FROM plan_versions WHERE version = 1').get() as { config: string };
    expect(stored.config).toBe(
      '{"limit":"all_channels","credits":10000,"renew":"monthly","rollover":false,"overage":false,"activation":{"date":"2026-03-01","timeZone":"Europe/Madrid"}}',
    );
    expect(w.services.plans.get(plan.id).config).toEqual(base);
  });

  it('an event that states no credits costs its channel’s rate; stated credits cost exactly that', async () => {
    w = makeWorld('2026-03-20T12:00:00Z');
    const rated: PlanConfig = {
      limit: 'channel_specific',
      credits: { SMS: 100, WhatsApp: 100 },
      renew: 'monthly',
      rollover: false,
      overage: false,
      activation: { date: '2026-03-01', timeZone: 'UTC' },
      costs: { WhatsApp: 3 },
    };
    const plan = w.services.plans.create(w.spaceId, rated, 'ana');
    const text = ['id,spaceId,channel,direction,credits,occurredAt', 'c1,SP-RETAIL,WhatsApp,MT,,2026-03-02T10:00:00Z', 'c2,SP-RETAIL,WhatsApp,MT,5,2026-03-02T11:00:00Z', 'c3,SP-RETAIL,SMS,MT,,2026-03-02T12:00:00Z', 'c4,SP-RETAIL,WhatsApp,MO,,2026-03-02T12:00:00Z'].join('\n');
    await w.services.usage.importText('rated.csv', text, 'ana');
    const decisions = w.services.usage.record([{ id: 'c5', spaceId: w.spaceId, channel: 'WhatsApp', occurredAt: '2026-03-03T10:00:00Z' }], 'ana');
    expect(decisions).toEqual([{ id: 'c5', accepted: true, reason: null }]);
    const state = w.services.details.state(plan.id);
    expect(state.buckets.map((b) => [b.bucket, b.used])).toEqual([['SMS', 1], ['WhatsApp', 3 + 5 + 3]]);
    // The engine, given the same events without their stated credits, agrees.
    const engine = createPlanState(rated);
    recordUsage(engine, { id: 'c1', channel: 'WhatsApp', direction: 'MT' }, Date.parse('2026-03-02T10:00:00Z'));
    recordUsage(engine, { id: 'c2', channel: 'WhatsApp', direction: 'MT', credits: 5 }, Date.parse('2026-03-02T11:00:00Z'));
    recordUsage(engine, { id: 'c5', channel: 'WhatsApp', direction: 'MT' }, Date.parse('2026-03-03T10:00:00Z'));
    expect(engine.buckets.WhatsApp?.used).toBe(11);
    const used = w.services.details.usedByChannel(plan.id, Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z'));
    expect(used.rows).toEqual([{ channel: 'SMS', used: 1, moMessages: 0 }, { channel: 'WhatsApp', used: 11, moMessages: 1 }]);
  });

  it('an event without credits costs the rate of the plan version in force at its instant, even when recorded after an edit', async () => {
    w = makeWorld('2026-03-10T00:00:00Z');
    const rated: PlanConfig = { limit: 'channel_specific', credits: { WhatsApp: 100 }, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-03-01', timeZone: 'UTC' }, costs: { WhatsApp: 2 } };
    const plan = w.services.plans.create(w.spaceId, rated, 'ana');
    w.clock.set('2026-03-12T00:00:00Z');
    w.services.plans.edit(plan.id, 1, { costs: { WhatsApp: 5 } }, 'ana');
    w.clock.set('2026-03-15T00:00:00Z');
    // Both recorded after the edit: the one dated before it pays the old rate.
    const text = ['id,spaceId,channel,occurredAt', 'e1,SP-RETAIL,WhatsApp,2026-03-11T10:00:00Z', 'e2,SP-RETAIL,WhatsApp,2026-03-13T10:00:00Z'].join('\n');
    await w.services.usage.importText('late.csv', text, 'ana');
    const stored = w.t.ledger.db.prepare('SELECT id, credits FROM usage_events ORDER BY id').all();
    expect(stored).toEqual([{ id: 'e1', credits: 2 }, { id: 'e2', credits: 5 }]);
    expect(w.services.details.state(plan.id).buckets[0]).toMatchObject({ used: 7 });
  });

  it('metered overage never refuses: the uncovered part is metered and charged at the rate', () => {
    w = makeWorld('2026-03-20T12:00:00Z');
    const metered: PlanConfig = {
      ...daily,
      credits: 100,
      dailyLimit: undefined,
      overage: true,
      overageMetered: true,
      overageRate: { amount: '0.50', currency: 'EUR' },
    };
    delete metered.dailyLimit;
    const plan = w.services.plans.create(w.spaceId, metered, 'ana');
    expect(w.services.plans.get(plan.id).config).toEqual(metered);
    const events: Ev[] = [
      { id: 'm1', credits: 90, occurredAt: '2026-03-05T10:00:00Z' },
      { id: 'm2', credits: 30, occurredAt: '2026-03-06T10:00:00Z' },
      { id: 'm3', credits: 1000, occurredAt: '2026-03-07T10:00:00Z' },
    ];
    const decisions = w.services.usage.record(events.map((e) => ({ ...e, spaceId: w.spaceId, channel: 'SMS' })), 'ana');
    expect(decisions).toEqual(engineDecisions(metered, events));
    expect(decisions.every((d) => d.accepted)).toBe(true);
    const bucket = w.services.details.state(plan.id, Date.parse('2026-03-08T00:00:00Z')).buckets[0]!;
    expect(bucket).toMatchObject({ used: 100, remaining: 0, metered: { credits: 1020, charge: { amount: '510.00', currency: 'EUR' } } });
  });

  it('an edit of policy parts is refused naming the field and its limit, and an accepted one is in the history', () => {
    w = makeWorld('2026-03-20T12:00:00Z');
    const plan = w.services.plans.create(w.spaceId, daily, 'ana');
    expect(() => w.services.plans.edit(plan.id, 1, { dailyLimit: 0 }, 'ana')).toThrow(/dailyLimit: must be a positive integer from 1 to 1,000,000,000,000/);
    expect(() => w.services.plans.edit(plan.id, 1, { overage: 'metered' }, 'ana')).toThrow(/overageRate: is needed by metered overage/);
    expect(() => w.services.plans.edit(plan.id, 1, { overageRate: { amount: '0.01', currency: 'USD' } }, 'ana')).toThrow(/overageRate\.currency: must be EUR/);
    const edited = w.services.plans.edit(plan.id, 1, { dailyLimit: 250, overage: 'metered', overageRate: { amount: '0.01', currency: 'EUR' }, price: null }, 'ana');
    expect(edited.config).toMatchObject({ dailyLimit: 250, overage: true, overageMetered: true, overageRate: { amount: '0.01', currency: 'EUR' } });
    expect(edited.config.price).toBeUndefined();
    const row = w.t.ledger.db.prepare('SELECT changes FROM history_log WHERE version = 2').get() as { changes: string };
    expect(JSON.parse(row.changes)).toEqual([
      { field: 'overage', old: false, new: 'metered' },
      { field: 'dailyLimit', old: 100, new: 250 },
      { field: 'price', old: { amount: '150.00', currency: 'EUR' }, new: null },
      { field: 'overageRate', old: null, new: { amount: '0.01', currency: 'EUR' } },
    ]);
    const mail = w.services.notifications.list({ planId: plan.id })[0]!;
    expect(mail.text).toContain(
      'What changed (old → new):\n  - Overage: No → Metered\n  - Daily limit: 100 → 250\n  - Price per period: 150.00 EUR → —\n  - Overage rate per credit: — → 0.01 EUR\n',
    );
  });
});
