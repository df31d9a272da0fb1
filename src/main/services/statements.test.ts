import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { ApiFailure } from '../../shared/api';
import { makeWorld, type World } from './testing';

let w: World;
afterEach(() => w?.cleanup());

const usd = (amount: string) => ({ amount, currency: 'USD' });

/** Seed 003: 144,000 credits and 150.00 a month. */
const standard: PlanConfig = {
  limit: 'all_channels',
  credits: 144_000,
  renew: 'monthly',
  rollover: false,
  overage: false,
  price: usd('150.00'),
  activation: { date: '2026-03-01', timeZone: 'Europe/Madrid' },
};

/** Seed 004: 3,000,000 credits and 200.00 a month; each credit beyond them is billed at 0.000085 with the next bill. */
const startup: PlanConfig = {
  limit: 'all_channels',
  credits: 3_000_000,
  renew: 'monthly',
  rollover: false,
  overage: true,
  overageMetered: true,
  overageRate: usd('0.000085'),
  price: usd('200.00'),
  activation: { date: '2026-03-01', timeZone: 'America/New_York' },
};

describe('a plan’s statement per period, from the ledger', () => {
  it('lists seed 003’s charge-now (36,000 credits for 37.50 in week 4) on its period’s statement only, with the CSV', () => {
    // 28 April in Madrid: day 28 of a 30-day month, week 4 of 4 (3 days left).
    w = makeWorld('2026-04-28T10:00:00Z', [{ channel: 'SMS', bidirectional: true }]);
    const plan = w.services.plans.create(w.spaceId, standard, 'ana');
    const { quote } = w.services.credits.chargeNow(plan.id, undefined, 'ana');
    expect(quote).toMatchObject({ week: 4, weeks: 4, credits: { ALL: 36_000 }, price: usd('37.50') });
    const charge = w.services.credits.chargeNow(plan.id, { week: 4, id: 'CN-0000000004' }, 'Ana Admin').applied!;

    const april = w.services.statements.statement(plan.id, 'current');
    expect(april.timeZone).toBe('Europe/Madrid');
    // March and April in Madrid's local midnights (CET, then CEST from 29 March).
    expect(april.periods).toEqual([
      { index: 0, start: '2026-02-28T23:00:00.000Z', end: '2026-03-31T22:00:00.000Z' },
      { index: 1, start: '2026-03-31T22:00:00.000Z', end: '2026-04-30T22:00:00.000Z' },
    ]);
    expect(april.period).toEqual(april.periods[1]);
    expect(april.statement).toMatchObject({
      price: usd('150.00'),
      charges: [{ id: 'CN-0000000004', at: charge.at, credits: { ALL: 36_000 }, price: usd('37.50') }],
      previousMeteredCharge: usd('0.00'),
      total: usd('187.50'),
      fileName: `statement-${plan.id}-period-1-2026-03-31.csv`,
    });
    expect(april.statement!.csv.split('\r\n')).toEqual([
      'item,at,amount,currency',
      'Period price,2026-03-31T22:00:00Z,150.00,USD',
      'Charge now CN-0000000004,2026-04-28T10:00:00Z,37.50,USD',
      'Previous period metered overage,2026-03-31T22:00:00Z,0.00,USD',
      'Total,,187.50,USD',
      '',
    ]);
    // The same period asked by its index; March's statement bills the price alone.
    expect(w.services.statements.statement(plan.id, 1)).toEqual(april);
    expect(w.services.statements.statement(plan.id, 0).statement).toMatchObject({ charges: [], total: usd('150.00') });

    // In May the charge stays on April's statement, read back from the ledger file.
    w.clock.set('2026-05-02T09:00:00Z');
    const reopened = w.reopen();
    expect(reopened.statements.statement(plan.id, 1).statement).toEqual(april.statement);
    const may = reopened.statements.statement(plan.id, 'current');
    expect(may.periods).toHaveLength(3);
    expect(may.statement).toMatchObject({ charges: [], total: usd('150.00') });
    expect(() => reopened.statements.statement(plan.id, 3)).toThrow(/has no period 3 yet; its periods are 0 to 2/);
  });

  it('bills seed 004’s 200,000 metered credits × 0.000085 = 17.00 on the next period’s statement', () => {
    w = makeWorld('2026-03-31T12:00:00Z', [{ channel: 'SMS', bidirectional: true }]);
    const plan = w.services.plans.create(w.spaceId, startup, 'ana');
    // 3,200,000 credits used in March against 3,000,000: never refused, 200,000 metered.
    const decisions = w.services.usage.record(
      [
        { id: 'u1', spaceId: w.spaceId, channel: 'SMS', credits: 1_600_000, occurredAt: '2026-03-10T15:00:00Z' },
        { id: 'u2', spaceId: w.spaceId, channel: 'SMS', credits: 1_600_000, occurredAt: '2026-03-30T15:00:00Z' },
      ],
      'ana',
    );
    expect(decisions.every((d) => d.accepted)).toBe(true);
    const march = w.services.statements.statement(plan.id, 'current');
    expect(march.statement).toMatchObject({ price: usd('200.00'), previousMeteredCharge: usd('0.00'), total: usd('200.00') });

    w.clock.set('2026-04-03T12:00:00Z');
    const april = w.services.statements.statement(plan.id, 'current');
    expect(april.period).toEqual({ index: 1, start: '2026-04-01T04:00:00.000Z', end: '2026-05-01T04:00:00.000Z' });
    expect(april.statement).toMatchObject({ price: usd('200.00'), charges: [], previousMeteredCharge: usd('17.00'), total: usd('217.00') });
    expect(april.statement!.csv).toContain('Previous period metered overage,2026-04-01T04:00:00Z,17.00,USD\r\nTotal,,217.00,USD');

    // Late March usage arriving in April moves April's bill, not March's.
    w.services.usage.record([{ id: 'u3', spaceId: w.spaceId, channel: 'SMS', credits: 100_000, occurredAt: '2026-03-31T15:00:00Z' }], 'ana');
    expect(w.services.statements.statement(plan.id, 1).statement).toMatchObject({ previousMeteredCharge: usd('25.50'), total: usd('225.50') });
    expect(w.services.statements.statement(plan.id, 0).statement).toMatchObject({ previousMeteredCharge: usd('0.00'), total: usd('200.00') });
  });

  it('has no statement for a plan without a price, nor before activation, and follows the price in force', () => {
    w = makeWorld('2026-02-20T12:00:00Z', [{ channel: 'SMS', bidirectional: true }]);
    const free = w.services.plans.create(w.spaceId, { ...standard, price: undefined, activation: { date: '2026-03-01', timeZone: 'UTC' } }, 'ana');
    expect(w.services.statements.statement(free.id, 'current')).toMatchObject({ periods: [], period: null, statement: null });
    w.clock.set('2026-03-05T00:00:00Z');
    expect(w.services.statements.statement(free.id, 'current')).toMatchObject({ period: { index: 0 }, statement: null });
    // Given a price on 10 March: March's statement bills it, there was nothing to bill before.
    w.clock.set('2026-03-10T00:00:00Z');
    w.services.plans.edit(free.id, 1, { price: usd('99.90') }, 'ana');
    expect(w.services.statements.statement(free.id, 0).statement).toMatchObject({ price: usd('99.90'), total: usd('99.90') });
    expect(() => w.services.statements.statement('CP-NOPE', 'current')).toThrow(ApiFailure);
  });

  it('lists the periods an edit that moves the calendar creates, and stops at the plan’s deletion', () => {
    w = makeWorld('2026-03-20T12:00:00Z', [{ channel: 'SMS', bidirectional: true }]);
    const plan = w.services.plans.create(w.spaceId, { ...standard, activation: { date: '2026-03-01', timeZone: 'UTC' } }, 'ana');
    // Renewal moved to weekly on 20 March: March's period is cut there, weeks follow from the 1st's weekday.
    const edited = w.services.plans.edit(plan.id, 1, { renew: 'weekly' }, 'ana');
    w.clock.set('2026-04-02T00:00:00Z');
    const view = w.services.statements.statement(plan.id, 'current');
    expect(view.periods.map((p) => [p.index, p.start, p.end])).toEqual([
      [0, '2026-03-01T00:00:00.000Z', '2026-03-20T12:00:00.000Z'],
      [1, '2026-03-20T12:00:00.000Z', '2026-03-22T00:00:00.000Z'],
      [2, '2026-03-22T00:00:00.000Z', '2026-03-29T00:00:00.000Z'],
      [3, '2026-03-29T00:00:00.000Z', '2026-04-05T00:00:00.000Z'],
    ]);
    w.clock.set('2026-04-10T00:00:00Z');
    w.services.plans.delete(edited.id, edited.version, 'ana');
    w.clock.set('2026-05-10T00:00:00Z');
    const deleted = w.services.statements.statement(plan.id, 'current');
    expect(deleted.periods.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
    expect(deleted.period?.index).toBe(4);
    expect(deleted.statement).toMatchObject({ price: usd('150.00') });
  });
});
