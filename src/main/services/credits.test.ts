import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { applyChargeNow, applyTopUp, createPlanState, recordUsage, snapshotAt, type PlanState } from '../../shared/engine';
import { ApiFailure } from '../../shared/api';
import { csv, makeWorld, type World } from './testing';

let w: World;
afterEach(() => w?.cleanup());

const smsPlan: PlanConfig = {
  limit: 'channel_specific',
  credits: { SMS: 100 },
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-03-01', timeZone: 'UTC' },
};

/** The ledger's decision for each usage id: 'ok' or the stored rejection's reason. */
function ledgerDecisions(world: World, ids: string[]): string[] {
  const rows = world.t.ledger
    .stmt('SELECT e.id AS id, r.reason AS reason FROM usage_events e LEFT JOIN usage_rejections r ON r.event_seq = e.seq')
    .all() as { id: string; reason: string | null }[];
  const byId = new Map(rows.map((r) => [r.id, r.reason ?? 'ok']));
  return ids.map((id) => byId.get(id) ?? 'missing');
}

type Step = { at: string } & ({ use: { id: string; credits: number } } | { topUp: { credits: number; expires: 'never' | 'period_end' } } | { chargeNow: true });

/** The engine alone over the same steps, in time order: the decisions the ledger must give. */
function engineDecisions(config: PlanConfig, steps: Step[]): { decisions: Map<string, string>; state: PlanState } {
  const state = createPlanState(config);
  const decisions = new Map<string, string>();
  const ordered = [...steps].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || ('use' in a ? 1 : 0) - ('use' in b ? 1 : 0));
  ordered.forEach((step, i) => {
    const ms = Date.parse(step.at);
    if ('use' in step) {
      const d = recordUsage(state, { id: step.use.id, channel: 'SMS', direction: 'MT', credits: step.use.credits }, ms);
      decisions.set(step.use.id, d.accepted ? 'ok' : d.reason);
    } else if ('topUp' in step) {
      expect(applyTopUp(state, { id: `t${i}`, bucket: 'SMS', ...step.topUp }, ms).applied).toBe(true);
    } else {
      expect(applyChargeNow(state, `c${i}`, ms).applied).toBe(true);
    }
  });
  return { decisions, state };
}

describe('add-on credits through the ledger', () => {
  it('a never-expiring top-up is spent after the allowance, carries over renewal, and gives the engine’s decisions — late usage included', async () => {
    w = makeWorld('2026-03-10T12:00:00Z', [{ channel: 'SMS', bidirectional: true }]);
    const plan = w.services.plans.create(w.spaceId, smsPlan, 'ana');
    const steps: Step[] = [
      { at: '2026-03-02T10:00:00Z', use: { id: 'u1', credits: 60 } },
      { at: '2026-03-05T10:00:00Z', use: { id: 'u2', credits: 40 } },
      { at: '2026-03-10T12:00:00Z', topUp: { credits: 50, expires: 'never' } },
      { at: '2026-03-11T09:00:00Z', use: { id: 'u3', credits: 30 } }, // from the top-up: 20 left
      { at: '2026-03-11T10:00:00Z', use: { id: 'u4', credits: 30 } }, // 30 > 20: exhausted
      { at: '2026-04-03T10:00:00Z', use: { id: 'u5', credits: 110 } }, // April: 100 allocation + 10 of the top-up
      { at: '2026-04-04T10:00:00Z', use: { id: 'u6', credits: 11 } }, // 10 left: exhausted
    ];
    await w.services.usage.importText('a.csv', csv(['u1,SP-RETAIL,SMS,MT,60,2026-03-02T10:00:00Z', 'u2,SP-RETAIL,SMS,MT,40,2026-03-05T10:00:00Z']), 'ana');
    const credit = w.services.credits.addCredits({ planId: plan.id, bucket: 'SMS', credits: 50, expires: 'never', price: { amount: '9.5', currency: 'USD' } }, 'Ana Admin');
    expect(credit).toMatchObject({ kind: 'top_up', credits: { SMS: 50 }, expires: 'never', price: { amount: '9.50', currency: 'USD' }, actor: 'Ana Admin', at: '2026-03-10T12:00:00.000Z' });

    w.clock.set('2026-03-11T12:00:00Z');
    await w.services.usage.importText('b.csv', csv(['u3,SP-RETAIL,SMS,MT,30,2026-03-11T09:00:00Z', 'u4,SP-RETAIL,SMS,MT,30,2026-03-11T10:00:00Z']), 'ana');
    const march = w.services.details.state(plan.id).buckets[0]!;
    expect(march).toMatchObject({ used: 100, remaining: 0, topUps: { available: 50, used: 30, remaining: 20 } });

    w.clock.set('2026-04-05T00:00:00Z');
    await w.services.usage.importText('c.csv', csv(['u5,SP-RETAIL,SMS,MT,110,2026-04-03T10:00:00Z', 'u6,SP-RETAIL,SMS,MT,11,2026-04-04T10:00:00Z']), 'ana');
    const { decisions, state } = engineDecisions(smsPlan, steps);
    const ids = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    expect(ledgerDecisions(w, ids)).toEqual(ids.map((id) => decisions.get(id)));
    expect(ledgerDecisions(w, ids)).toEqual(['ok', 'ok', 'ok', 'exhausted', 'ok', 'exhausted']);
    const at = w.clock();
    const april = w.services.details.state(plan.id).buckets[0]!;
    const engine = snapshotAt(state, at).buckets.SMS!;
    expect(april).toMatchObject({ used: engine.used, remaining: engine.remaining, topUps: { available: 20, used: 10, remaining: 10 } });
    expect(engine.topUps).toMatchObject({ available: 20, used: 10, remaining: 10 });

    // Usage older than the top-up, arriving late: the plan is replayed with the top-up at its
    // instant, an hour after this event, so the allowance alone (spent) could not pay it.
    await w.services.usage.importText('late.csv', csv(['u0,SP-RETAIL,SMS,MT,5,2026-03-10T11:00:00Z']), 'ana');
    const withLate = engineDecisions(smsPlan, [...steps, { at: '2026-03-10T11:00:00Z', use: { id: 'u0', credits: 5 } }]);
    const all = ['u0', ...ids];
    expect(ledgerDecisions(w, all)).toEqual(all.map((id) => withLate.decisions.get(id)));
    expect(ledgerDecisions(w, all)).toEqual(['exhausted', 'ok', 'ok', 'ok', 'exhausted', 'ok', 'exhausted']);

    // The record survives reopening the file: who, when, what, price.
    const reopened = w.reopen();
    expect(reopened.credits.list(plan.id)).toEqual([credit]);
    expect(reopened.details.state(plan.id).buckets[0]!.topUps).toMatchObject({ available: 20, used: 10, remaining: 10 });
  });

  it('refuses a top-up before activation, for a bucket the plan does not have, or after deletion, changing nothing', () => {
    w = makeWorld('2026-02-20T12:00:00Z', [{ channel: 'SMS', bidirectional: true }, { channel: 'Email', bidirectional: false }]);
    const plan = w.services.plans.create(w.spaceId, smsPlan, 'ana');
    const add = (bucket: string): unknown => w.services.credits.addCredits({ planId: plan.id, bucket, credits: 10, expires: 'never' }, 'ana');
    expect(() => add('SMS')).toThrow(/not active yet \(it starts on 2026-03-01\)/);
    w.clock.set('2026-03-02T00:00:00Z');
    expect(() => add('Email')).toThrow(/has no such bucket; its buckets are SMS/);
    w.services.plans.delete(plan.id, 1, 'ana');
    expect(() => add('SMS')).toThrow(/deleted/);
    expect(w.services.credits.list(plan.id)).toEqual([]);
    expect(() => w.services.credits.addCredits({ planId: plan.id, bucket: 'SMS', credits: 10, expires: 'never' }, ' ')).toThrow(ApiFailure);
  });
});

describe('the same request twice', () => {
  it('adds a top-up or a charge-now once: the id is the idempotency key, and the second answer is the first', () => {
    w = makeWorld('2026-04-28T10:00:00Z');
    const plan = w.services.plans.create(
      w.spaceId,
      { limit: 'all_channels', credits: 1000, renew: 'monthly', rollover: false, overage: false, price: { amount: '150.00', currency: 'USD' }, activation: { date: '2026-04-01', timeZone: 'UTC' } },
      'ana',
    );
    const request = { planId: plan.id, id: 'TU-0123456789', bucket: 'ALL', credits: 40, expires: 'never' as const };
    const first = w.services.credits.addCredits(request, 'ana');
    w.clock.advance(60_000);
    expect(w.services.credits.addCredits({ ...request, credits: 99 }, 'bo')).toEqual(first);
    const charge = w.services.credits.chargeNow(plan.id, { week: 4, id: 'CN-0123456789' }, 'ana');
    expect(w.services.credits.chargeNow(plan.id, { week: 4, id: 'CN-0123456789' }, 'ana')).toEqual(charge);
    expect(w.services.credits.list(plan.id).map((c) => c.id)).toEqual(['CN-0123456789', 'TU-0123456789']);
    expect(w.services.details.state(plan.id).buckets[0]!.topUps).toMatchObject({ available: 40 + 250, remaining: 40 + 250 });
    // An id names one grant: used for a charge-now, it cannot name a top-up.
    expect(() => w.services.credits.addCredits({ ...request, id: 'CN-0123456789' }, 'ana')).toThrow(/already used for other credits/);
  });
});

describe('charge now through the ledger (seed 003)', () => {
  const seed003: PlanConfig = {
    limit: 'all_channels',
    credits: 144_000,
    renew: 'monthly',
    rollover: false,
    overage: false,
    price: { amount: '150.00', currency: 'USD' },
    activation: { date: '2026-04-01', timeZone: 'UTC' },
  };

  it('previews 36,000 credits for 37.50 in week 4 of 4, applies them on confirmation, and the bucket shows plan + add-on credits', () => {
    w = makeWorld('2026-04-28T10:00:00Z');
    const plan = w.services.plans.create(w.spaceId, seed003, 'ana');
    const preview = w.services.credits.chargeNow(plan.id, undefined, 'Ana Admin');
    expect(preview.applied).toBeNull();
    expect(preview.quote).toMatchObject({ day: 28, days: 30, week: 4, weeks: 4, credits: { ALL: 36_000 }, price: { amount: '37.50', currency: 'USD' } });
    expect(w.services.credits.list(plan.id)).toEqual([]);

    expect(() => w.services.credits.chargeNow(plan.id, { week: 3 }, 'Ana Admin')).toThrow(/week moved on since the preview \(it is now week 4 of 4: 37.50 USD\)/);
    const done = w.services.credits.chargeNow(plan.id, { week: 4 }, 'Ana Admin');
    expect(done.applied).toMatchObject({ kind: 'charge_now', credits: { ALL: 36_000 }, price: { amount: '37.50', currency: 'USD' }, week: { week: 4, weeks: 4, day: 28, days: 30 }, actor: 'Ana Admin' });
    const bucket = w.services.details.state(plan.id).buckets[0]!;
    expect(bucket.remaining + bucket.topUps!.remaining).toBe(144_000 + 36_000);
    expect(bucket.topUps!.lots).toEqual([{ id: done.applied!.id, credits: 36_000, left: 36_000, expires: 'period_end', addedAt: '2026-04-28T10:00:00.000Z' }]);

    // At the period's end the charge's credits expire.
    w.clock.set('2026-05-02T00:00:00Z');
    expect(w.services.details.state(plan.id).buckets[0]!.topUps).toMatchObject({ available: 0, remaining: 0 });
  });

  it('is refused with a reason for a plan without a price or without renewal', () => {
    w = makeWorld('2026-04-10T10:00:00Z');
    const { price: _price, ...noPrice } = seed003;
    const plan = w.services.plans.create(w.spaceId, noPrice, 'ana');
    expect(() => w.services.credits.chargeNow(plan.id, undefined, 'ana')).toThrow(/has no price per period/);
    const edited = w.services.plans.edit(plan.id, 1, { renew: null, price: { amount: '10.00', currency: 'USD' } }, 'ana');
    expect(() => w.services.credits.chargeNow(edited.id, undefined, 'ana')).toThrow(/does not renew/);
  });
});
