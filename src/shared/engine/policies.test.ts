/**
 * SPEC §9, rule by rule, with the source documents' own numbers: rate card (seed 000), top-ups
 * and their order of spending (seeds 000, 001, 003), charge now (seed 003), daily limit
 * (seed 003), metered overage (seed 004), statements, and §9.8's details. Most cases run as
 * scenario files (SPEC §9.7), so the file format is tested with the rules.
 */
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import type { PlanConfig } from '../domain';
import { applyEdit, createPlanState, recordUsage, snapshotAt } from './account';
import { dateExists, countLocalDays } from './daily';
import { divideRounded, formatDecimal, minorDigits, moneyOf, parseDecimal, sumMoney } from './money';
import { parseScenario, runScenario, type ScenarioOutput, type ScenarioQueryResult } from './scenario';
import { statementAt, statementCsv } from './statement';
import { applyChargeNow, applyTopUp, quoteChargeNow } from './top-ups';
import { formatIssue } from './validation';

const t = (iso: string): number => Temporal.Instant.from(iso).epochMilliseconds;
const usd = (amount: string) => ({ amount, currency: 'USD' });

function run(input: unknown): ScenarioOutput {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('; '));
  return runScenario(parsed.value);
}

function problems(input: unknown): string[] {
  const parsed = parseScenario(input);
  return parsed.ok ? [] : parsed.issues.map(formatIssue);
}

const at = (iso: string, body: Record<string, unknown>) => ({ at: iso, ...body });
const use = (iso: string, id: string, channel: string, credits?: number) =>
  at(iso, { usage: { id, channel, ...(credits === undefined ? {} : { credits }) } });
const bucketOf = (query: ScenarioQueryResult | undefined, name = 'ALL') => query?.buckets[name as 'ALL'];

const pool = (overrides: Record<string, unknown> = {}) => ({
  limit: 'all_channels',
  credits: 100,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'UTC' },
  ...overrides,
});

describe('9.1 credits per message (seed 000: every action has its own cost)', () => {
  const plan = {
    limit: 'channel_specific',
    credits: { SMS: 100, WhatsApp: 100 },
    renew: 'monthly',
    rollover: false,
    overage: false,
    activation: { date: '2026-01-01', timeZone: 'UTC' },
    costs: { WhatsApp: 2 },
  };

  it('an event without credits costs its channel rate; a channel not listed costs 1; stated credits cost exactly that; MO is free', () => {
    const out = run({
      plan,
      events: [
        use('2026-01-02T00:00:00Z', 'w1', 'WhatsApp'),
        use('2026-01-02T00:00:01Z', 's1', 'SMS'),
        use('2026-01-02T00:00:02Z', 'w2', 'WhatsApp', 5),
        at('2026-01-02T00:00:03Z', { usage: { id: 'w3', channel: 'WhatsApp', direction: 'MO' } }),
      ],
      queries: [{ at: '2026-01-03T00:00:00Z' }],
    });
    expect(out.events.every((e) => e.accepted)).toBe(true);
    expect(bucketOf(out.queries[0], 'WhatsApp')?.used).toBe(7);
    expect(bucketOf(out.queries[0], 'SMS')?.used).toBe(1);
  });

  it('the rate in force is the plan version in force when the event is decided; null removes the rate card', () => {
    const out = run({
      plan,
      events: [
        use('2026-01-02T00:00:00Z', 'w1', 'WhatsApp'),
        at('2026-01-03T00:00:00Z', { edit: { costs: { WhatsApp: 10 } } }),
        use('2026-01-03T00:00:00Z', 'w2', 'WhatsApp'),
        at('2026-01-04T00:00:00Z', { edit: { costs: null } }),
        use('2026-01-04T00:00:01Z', 'w3', 'WhatsApp'),
      ],
      queries: [{ at: '2026-01-03T12:00:00Z' }, { at: '2026-01-05T00:00:00Z' }],
    });
    expect(bucketOf(out.queries[0], 'WhatsApp')?.used).toBe(12);
    expect(bucketOf(out.queries[1], 'WhatsApp')?.used).toBe(13);
  });

  it('a rate too large for what is left is rejected whole', () => {
    const out = run({
      plan: { ...plan, credits: { WhatsApp: 3 } },
      events: [use('2026-01-02T00:00:00Z', 'w1', 'WhatsApp'), use('2026-01-02T00:00:01Z', 'w2', 'WhatsApp')],
      queries: [{ at: '2026-01-03T00:00:00Z' }],
    });
    expect(out.events[1]).toEqual({ index: 1, accepted: false, reason: 'exhausted' });
    expect(bucketOf(out.queries[0], 'WhatsApp')?.used).toBe(2);
  });
});

describe('9.2 top-ups and their order of spending', () => {
  it("seed 001: never-expiring credits are spent only after the monthly allowance, and carry across renewals", () => {
    const out = run({
      plan: pool({ credits: 10 }),
      events: [
        at('2026-01-05T00:00:00Z', { topUp: { id: 'extra', bucket: 'ALL', credits: 8, expires: 'never', price: usd('72.00') } }),
        use('2026-01-06T00:00:00Z', 'a', 'SMS', 6), // allowance 10 → 4 left; top-up untouched
        use('2026-01-07T00:00:00Z', 'b', 'SMS', 7), // 4 from the allowance, 3 from the top-up
        use('2026-02-03T00:00:00Z', 'c', 'SMS', 10), // February's allowance first: top-up still 5
        use('2026-02-04T00:00:00Z', 'd', 'SMS', 2), // now from the top-up: 3 left
        use('2026-04-10T00:00:00Z', 'e', 'SMS', 13), // two renewals later: 10 + the 3 that never expire
        use('2026-04-11T00:00:00Z', 'f', 'SMS', 1),
      ],
      queries: [
        { at: '2026-01-06T12:00:00Z' },
        { at: '2026-01-31T00:00:00Z' },
        { at: '2026-02-03T12:00:00Z' },
        { at: '2026-03-01T00:00:00Z' },
        { at: '2026-04-30T00:00:00Z' },
      ],
    });
    expect(out.events.map((e) => e.accepted)).toEqual([true, true, true, true, true, true, false]);
    expect(out.events[0]).toEqual({ index: 0, accepted: true, price: usd('72.00') });
    const [jan6, jan31, feb3, mar1, apr30] = out.queries.map((q) => bucketOf(q));
    expect(jan6).toMatchObject({ used: 6, remaining: 4, topUps: { available: 8, used: 0, remaining: 8 } });
    expect(jan31).toMatchObject({ used: 10, remaining: 0, topUps: { available: 8, used: 3, remaining: 5 } });
    expect(feb3).toMatchObject({ used: 10, remaining: 0, topUps: { available: 5, used: 0, remaining: 5 } });
    expect(mar1).toMatchObject({ used: 0, remaining: 10, topUps: { available: 3, used: 0, remaining: 3 } });
    expect(apr30).toMatchObject({ used: 10, remaining: 0, topUps: { available: 3, used: 3, remaining: 0 } });
  });

  it('spends vintages, allocation, period_end top-ups (oldest first), never top-ups, and only then overage', () => {
    const state = createPlanState({ ...(pool({ credits: 10, rollover: true, overage: true }) as PlanConfig) });
    recordUsage(state, { id: 'a', channel: 'SMS', credits: 6, direction: 'MT' }, t('2026-01-02T00:00:00Z')); // 4 carried into February
    applyTopUp(state, { id: 'n1', bucket: 'ALL', credits: 5, expires: 'never' }, t('2026-02-01T01:00:00Z'));
    applyTopUp(state, { id: 'p1', bucket: 'ALL', credits: 3, expires: 'period_end' }, t('2026-02-01T02:00:00Z'));
    applyTopUp(state, { id: 'p2', bucket: 'ALL', credits: 2, expires: 'period_end' }, t('2026-02-01T03:00:00Z'));
    // 14 plan credits, then p1 (3), p2 (2), n1 (5) = 24 without overage.
    const spend = (id: string, credits: number, iso: string) => recordUsage(state, { id, channel: 'SMS', credits, direction: 'MT' }, t(iso));
    expect(spend('b', 15, '2026-02-02T00:00:00Z')).toMatchObject({ accepted: true, overageTriggered: false });
    let lots = snapshotAt(state, t('2026-02-02T00:00:00Z')).buckets.ALL?.topUps?.lots.map((l) => [l.id, l.left]);
    expect(lots).toEqual([['p1', 2], ['p2', 2], ['n1', 5]]);
    expect(spend('c', 9, '2026-02-02T00:00:01Z')).toMatchObject({ accepted: true, overageTriggered: false });
    lots = snapshotAt(state, t('2026-02-02T00:00:01Z')).buckets.ALL?.topUps?.lots.map((l) => [l.id, l.left]);
    expect(lots).toEqual([['p1', 0], ['p2', 0], ['n1', 0]]);
    // Plan credits and top-ups exhausted: now overage (100 % of the allocation, top-ups not counted).
    expect(spend('d', 4, '2026-02-03T00:00:00Z')).toMatchObject({ accepted: true, overageTriggered: true });
    expect(snapshotAt(state, t('2026-02-03T00:00:00Z')).buckets.ALL).toMatchObject({ allocated: 24, used: 18, remaining: 6, overage: { added: 10 } });
  });

  it('overage is triggered only when plan credits and top-ups together cannot cover the event, and only if it then fits', () => {
    const out = run({
      plan: pool({ credits: 10, overage: true }),
      events: [
        use('2026-01-02T00:00:00Z', 'a', 'SMS', 8),
        at('2026-01-02T01:00:00Z', { topUp: { id: 't', bucket: 'ALL', credits: 5, expires: 'period_end' } }),
        use('2026-01-03T00:00:00Z', 'b', 'SMS', 7), // 2 + 5 = 7: no overage
        use('2026-01-04T00:00:00Z', 'c', 'SMS', 11), // nothing left; +10 overage would not fit: rejected, overage kept
        use('2026-01-05T00:00:00Z', 'd', 'SMS', 10), // +10 fits exactly
      ],
      queries: [{ at: '2026-01-03T12:00:00Z' }, { at: '2026-01-04T12:00:00Z' }, { at: '2026-01-05T12:00:00Z' }],
    });
    expect(out.events.map((e) => e.accepted)).toEqual([true, true, true, false, true]);
    expect(bucketOf(out.queries[0])).toMatchObject({ used: 10, overage: { added: 0, at: null }, topUps: { remaining: 0 } });
    expect(bucketOf(out.queries[1])).toMatchObject({ overage: { added: 0, at: null } });
    expect(bucketOf(out.queries[2])).toMatchObject({ allocated: 20, used: 20, overage: { added: 10, at: '2026-01-05T00:00:00Z' } });
  });

  it('top-ups are not allocation: an edit never takes them away, overage ignores them, they never become vintages; period_end ones expire', () => {
    const out = run({
      plan: pool({ credits: 10, rollover: true }),
      events: [
        at('2026-01-02T00:00:00Z', { topUp: { id: 'p', bucket: 'ALL', credits: 4, expires: 'period_end' } }),
        at('2026-01-02T00:00:00Z', { topUp: { id: 'n', bucket: 'ALL', credits: 6, expires: 'never' } }),
        use('2026-01-03T00:00:00Z', 'a', 'SMS', 10),
        at('2026-01-04T00:00:00Z', { edit: { credits: 5 } }), // total allocation 5, 10 consumed → 0 plan credits
      ],
      queries: [{ at: '2026-01-04T12:00:00Z' }, { at: '2026-02-01T00:00:00Z' }],
    });
    expect(bucketOf(out.queries[0])).toMatchObject({ allocated: 5, used: 10, remaining: 0, topUps: { available: 10, used: 0, remaining: 10 } });
    // February: no vintage from top-ups, the period_end top-up expired, the never one carried whole.
    expect(bucketOf(out.queries[1])).toMatchObject({ allocated: 5, carriedIn: 0, remaining: 5, topUps: { available: 6, used: 0, remaining: 6 } });
  });

  it('refuses a top-up before activation, after deletion, for a bucket the plan lacks or when malformed, changing nothing', () => {
    const topUp = (iso: string, id: string, fields: Record<string, unknown>) =>
      at(iso, { topUp: { id, bucket: 'ALL', credits: 5, expires: 'never', ...fields } });
    const out = run({
      plan: pool(),
      events: [
        topUp('2025-12-31T23:59:59Z', 'early', {}),
        topUp('2026-01-02T00:00:00Z', 'bucket', { bucket: 'SMS' }),
        topUp('2026-01-02T00:00:00Z', 'zero', { credits: 0 }),
        topUp('2026-01-02T00:00:00Z', 'half', { credits: 2.5 }),
        topUp('2026-01-02T00:00:00Z', 'huge', { credits: 1e13 }),
        topUp('2026-01-02T00:00:00Z', 'when', { expires: 'tomorrow' }),
        topUp('2026-01-02T00:00:00Z', 'price', { price: { amount: '-1', currency: 'USD' } }),
        topUp('2026-01-02T00:00:00Z', 'money', { price: { amount: '1.00', currency: 'XYZ' } }),
        topUp('2026-01-02T00:00:00Z', 'float', { price: { amount: 9.5, currency: 'USD' } }),
        at('2026-01-03T00:00:00Z', { delete: true }),
        topUp('2026-01-04T00:00:00Z', 'late', {}),
      ],
      queries: [{ at: '2026-01-02T12:00:00Z' }],
    });
    expect(out.events.map((e) => (e.accepted ? 'ok' : e.reason))).toEqual([
      'before_activation',
      'unknown_bucket',
      'invalid_credits',
      'invalid_credits',
      'invalid_credits',
      'invalid_expires',
      'invalid_price',
      'invalid_price',
      'invalid_price',
      'ok',
      'deleted',
    ]);
    // Nothing was received, so the query shows no topUps at all.
    expect(bucketOf(out.queries[0])).not.toHaveProperty('topUps');
  });

  it('a top-up or charge-now without an id, or that is not an object, is invalid input naming the place', () => {
    expect(problems({ plan: pool(), events: [at('2026-01-02T00:00:00Z', { topUp: { bucket: 'ALL', credits: 5 } })] })).toEqual([
      'events[0].topUp.id: must be a non-empty string',
    ]);
    expect(problems({ plan: pool(), events: [at('2026-01-02T00:00:00Z', { chargeNow: 'now' })] })).toEqual([
      'events[0].chargeNow: must be an object with an id',
    ]);
  });
});

describe('9.3 charge now (seed 003)', () => {
  const seed003 = (overrides: Record<string, unknown> = {}) =>
    pool({ credits: 144_000, activation: { date: '2026-04-01', timeZone: 'UTC' }, price: usd('150.00'), ...overrides });

  it("seed 003's example: 3 days left of a 30-day month is week 4 of 4 → 36,000 credits for 37.50", () => {
    const state = createPlanState(seed003() as PlanConfig);
    const quote = quoteChargeNow(state, t('2026-04-28T10:00:00Z'));
    expect(quote).toMatchObject({ ok: true, quote: { day: 28, days: 30, week: 4, weeks: 4, credits: { ALL: 36_000 }, price: usd('37.50') } });
    expect(applyChargeNow(state, 'charge-1', t('2026-04-28T10:00:00Z'))).toEqual({ applied: true, credits: { ALL: 36_000 }, price: usd('37.50') });
    expect(snapshotAt(state, t('2026-04-28T11:00:00Z')).buckets.ALL?.topUps).toMatchObject({ available: 36_000, remaining: 36_000 });
    // A period_end top-up: gone at the renewal.
    expect(snapshotAt(state, t('2026-05-01T00:00:00Z')).buckets.ALL?.topUps).toMatchObject({ available: 0 });
  });

  it('days are rounded up to weeks (3 days → week 1, 8 days → week 2), a trailing part-week counts as the last week', () => {
    const state = createPlanState(seed003() as PlanConfig);
    const week = (iso: string) => {
      const q = quoteChargeNow(state, t(iso));
      return q.ok ? [q.quote.day, q.quote.week, q.quote.credits.ALL, q.quote.price.amount] : q.reason;
    };
    expect(week('2026-04-03T23:59:59Z')).toEqual([3, 1, 144_000, '150.00']);
    expect(week('2026-04-08T00:00:00Z')).toEqual([8, 2, 72_000, '75.00']);
    expect(week('2026-04-21T00:00:00Z')).toEqual([21, 3, 48_000, '50.00']);
    expect(week('2026-04-30T23:00:00Z')).toEqual([30, 4, 36_000, '37.50']);
  });

  it('charges at least the minimum (10.00 unless the plan says otherwise), rounding half-up to the minor unit', () => {
    const cheap = createPlanState(seed003({ price: usd('30.00') }) as PlanConfig);
    expect(applyChargeNow(cheap, 'c', t('2026-04-28T00:00:00Z'))).toMatchObject({ price: usd('10.00') });
    const own = createPlanState(seed003({ price: usd('30.00'), minimumCharge: usd('5.00') }) as PlanConfig);
    expect(applyChargeNow(own, 'c', t('2026-04-28T00:00:00Z'))).toMatchObject({ price: usd('7.50') });
    const third = createPlanState(seed003({ price: usd('100.00') }) as PlanConfig);
    expect(applyChargeNow(third, 'c', t('2026-04-15T00:00:00Z'))).toMatchObject({ price: usd('33.33'), credits: { ALL: 48_000 } });
    const halfUp = createPlanState(seed003({ price: usd('100.02'), minimumCharge: usd('0') }) as PlanConfig);
    expect(applyChargeNow(halfUp, 'c', t('2026-04-28T00:00:00Z'))).toMatchObject({ price: usd('25.01') }); // 25.005 → 25.01
    const yen = createPlanState(seed003({ price: { amount: '1001', currency: 'JPY' } }) as PlanConfig);
    expect(applyChargeNow(yen, 'c', t('2026-04-28T00:00:00Z'))).toMatchObject({ price: { amount: '250', currency: 'JPY' } }); // 250.25
    const dinar = createPlanState(seed003({ price: { amount: '10.001', currency: 'KWD' }, minimumCharge: { amount: '1', currency: 'KWD' } }) as PlanConfig);
    expect(applyChargeNow(dinar, 'c', t('2026-04-28T00:00:00Z'))).toMatchObject({ price: { amount: '2.500', currency: 'KWD' } }); // 2.50025
  });

  it('gives every bucket its share; a bucket whose share rounds to 0 gets none; no credits at all is refused', () => {
    const out = run({
      plan: {
        limit: 'channel_specific',
        credits: { SMS: 1000, Email: 3 },
        renew: 'monthly',
        rollover: false,
        overage: false,
        activation: { date: '2026-04-01', timeZone: 'UTC' },
        price: usd('150.00'),
      },
      events: [at('2026-04-28T00:00:00Z', { chargeNow: { id: 'c1' } }), at('2026-04-28T01:00:00Z', { edit: { credits: { Email: 3 } } }), at('2026-04-28T02:00:00Z', { chargeNow: { id: 'c2' } })],
      queries: [{ at: '2026-04-28T00:30:00Z' }],
    });
    expect(out.events[0]).toEqual({ index: 0, accepted: true, credits: { SMS: 250, Email: 0 }, price: usd('37.50') });
    expect(out.events[2]).toEqual({ index: 2, accepted: false, reason: 'no_credits' });
    expect(out.queries[0]?.buckets.SMS?.topUps).toEqual({ available: 250, used: 0, remaining: 250 });
    expect(out.queries[0]?.buckets.Email?.topUps).toEqual({ available: 0, used: 0, remaining: 0 });
  });

  it('is refused without renewal, without a price, before activation and after deletion', () => {
    const reasons = (plan: Record<string, unknown>, events: unknown[]) => run({ plan, events }).events.map((e) => (e.accepted ? 'ok' : e.reason));
    const charge = (iso: string, id: string) => at(iso, { chargeNow: { id } });
    expect(reasons(seed003({ renew: null }), [charge('2026-04-10T00:00:00Z', 'a')])).toEqual(['no_renewal']);
    expect(reasons(seed003({ price: null }), [charge('2026-04-10T00:00:00Z', 'a')])).toEqual(['no_price']);
    expect(
      reasons(seed003(), [charge('2026-03-31T00:00:00Z', 'a'), at('2026-04-10T00:00:00Z', { delete: true }), charge('2026-04-11T00:00:00Z', 'b')]),
    ).toEqual(['before_activation', 'ok', 'deleted']);
    expect(reasons(seed003(), [at('2026-04-10T00:00:00Z', { chargeNow: { id: 'a', credits: 5 } })])).toEqual(['unknown_field']);
  });

  it('counts only local dates that exist (Apia skipped 2011-12-30) and a period an edit started mid-day from that day', () => {
    const apia = 'Pacific/Apia';
    expect(dateExists(Temporal.PlainDate.from('2011-12-30'), apia)).toBe(false);
    expect(countLocalDays(Temporal.PlainDate.from('2011-12-01'), Temporal.PlainDate.from('2011-12-31'), apia)).toBe(30);
    // The transition-based count equals a day-by-day count, around skipped days and daylight saving.
    for (const [zone, from] of [[apia, '2011-11-20'], ['Pacific/Kiritimati', '1994-12-01'], ['Europe/Madrid', '2026-03-01'], ['Australia/Lord_Howe', '2026-09-20']] as const) {
      const start = Temporal.PlainDate.from(from);
      for (let span = 0; span < 60; span += 7) {
        const end = start.add({ days: span });
        let naive = 0;
        for (let d = start; Temporal.PlainDate.compare(d, end) <= 0; d = d.add({ days: 1 })) if (dateExists(d, zone)) naive += 1;
        expect(countLocalDays(start, end, zone), `${zone} ${from} + ${span}`).toBe(naive);
      }
    }
    const state = createPlanState(seed003({ activation: { date: '2011-12-01', timeZone: apia } }) as PlanConfig);
    // December 2011 in Apia has 30 days: the 31st is day 30 → week ceil(30/7)=5 → capped at W=4.
    const quote = quoteChargeNow(state, Temporal.ZonedDateTime.from('2011-12-31T12:00[Pacific/Apia]').epochMilliseconds);
    expect(quote).toMatchObject({ ok: true, quote: { day: 30, days: 30, week: 4, weeks: 4 } });

    const moved = createPlanState(seed003() as PlanConfig);
    applyEdit(moved, { activation: { date: '2026-04-20', timeZone: 'UTC' } }, t('2026-04-10T15:00:00Z'));
    // The cut period runs from Apr 10 15:00 (day 1) to Apr 20 (10 days, W=1).
    expect(quoteChargeNow(moved, t('2026-04-19T00:00:00Z'))).toMatchObject({ ok: true, quote: { day: 10, days: 10, week: 1, weeks: 1 } });
  });
});

describe('9.4 daily sending limit (seed 003: 2,000 a day)', () => {
  it('rejects what would exceed the local day’s limit whatever the balance, and the next local day starts again', () => {
    const out = run({
      plan: pool({ credits: 15_000, dailyLimit: 2000, activation: { date: '2026-01-01', timeZone: 'America/New_York' } }),
      events: [
        use('2026-01-02T15:00:00Z', 'a', 'Email', 1500),
        use('2026-01-02T16:00:00Z', 'b', 'Email', 600),
        use('2026-01-02T17:00:00Z', 'c', 'Email', 500),
        use('2026-01-03T04:59:59Z', 'd', 'Email', 1), // still Jan 2 in New York
        use('2026-01-03T05:00:00Z', 'e', 'Email', 2000), // Jan 3 local
      ],
      queries: [{ at: '2026-01-03T04:59:59Z' }, { at: '2026-01-03T05:00:00Z' }, { at: '2026-01-04T06:00:00Z' }],
    });
    expect(out.events.map((e) => (e.accepted ? 'ok' : e.reason))).toEqual(['ok', 'daily_limit', 'ok', 'daily_limit', 'ok']);
    expect(bucketOf(out.queries[0])).toMatchObject({ used: 2000, daily: { limit: 2000, used: 2000 } });
    expect(bucketOf(out.queries[1])).toMatchObject({ used: 4000, daily: { limit: 2000, used: 2000 } });
    expect(bucketOf(out.queries[2])).toMatchObject({ daily: { limit: 2000, used: 0 } });
  });

  it('the daily check comes first: a daily_limit rejection never triggers overage', () => {
    const out = run({
      plan: pool({ credits: 10, overage: true, dailyLimit: 12 }),
      events: [use('2026-01-02T00:00:00Z', 'a', 'SMS', 10), use('2026-01-02T01:00:00Z', 'b', 'SMS', 5), use('2026-01-03T00:00:00Z', 'c', 'SMS', 5)],
      queries: [{ at: '2026-01-02T02:00:00Z' }, { at: '2026-01-03T01:00:00Z' }],
    });
    expect(out.events.map((e) => (e.accepted ? 'ok' : e.reason))).toEqual(['ok', 'daily_limit', 'ok']);
    expect(bucketOf(out.queries[0])).toMatchObject({ overage: { added: 0, at: null } });
    expect(bucketOf(out.queries[1])).toMatchObject({ overage: { added: 10, at: '2026-01-03T00:00:00Z' }, daily: { used: 5 } });
  });

  it('per channel: a channel not listed has no limit; keys for uncovered channels are ignored; MO is not counted', () => {
    const out = run({
      plan: {
        limit: 'channel_specific',
        credits: { SMS: 100, Email: 100 },
        renew: null,
        rollover: false,
        overage: false,
        activation: { date: '2026-01-01', timeZone: 'UTC' },
        dailyLimit: { SMS: 5, Push: 1 },
      },
      events: [
        use('2026-01-02T00:00:00Z', 's1', 'SMS', 5),
        at('2026-01-02T00:00:01Z', { usage: { id: 's2', channel: 'SMS', direction: 'MO' } }),
        use('2026-01-02T00:00:02Z', 's3', 'SMS', 1),
        use('2026-01-02T00:00:03Z', 'e1', 'Email', 50),
        use('2026-01-02T00:00:04Z', 'p1', 'Push', 50),
      ],
      queries: [{ at: '2026-01-02T12:00:00Z' }],
    });
    expect(out.events.map((e) => (e.accepted ? 'ok' : e.reason))).toEqual(['ok', 'ok', 'daily_limit', 'ok', 'ok']);
    expect(out.queries[0]?.buckets.SMS?.daily).toEqual({ limit: 5, used: 5 });
    expect(out.queries[0]?.buckets.Email?.daily).toEqual({ limit: null, used: 50 });
  });

  it('after an edit that changes the zone, every MT credit accepted since the new zone’s midnight counts', () => {
    const out = run({
      plan: pool({ credits: 1000, renew: null, dailyLimit: 10 }),
      events: [
        use('2026-01-05T20:00:00Z', 'a', 'SMS', 4), // Jan 5 in UTC; Jan 6 in Tokyo (+9)
        use('2026-01-06T01:00:00Z', 'b', 'SMS', 5), // Jan 6 in UTC and in Tokyo
        at('2026-01-06T02:00:00Z', { edit: { activation: { date: '2026-01-01', timeZone: 'Asia/Tokyo' } } }),
        use('2026-01-06T03:00:00Z', 'c', 'SMS', 2), // Tokyo's Jan 6 holds 4 + 5: 11 > 10
        use('2026-01-06T03:00:01Z', 'd', 'SMS', 1),
      ],
      queries: [{ at: '2026-01-06T01:30:00Z' }, { at: '2026-01-06T04:00:00Z' }],
    });
    expect(out.events.map((e) => (e.accepted ? 'ok' : e.reason))).toEqual(['ok', 'ok', 'ok', 'daily_limit', 'ok']);
    expect(bucketOf(out.queries[0])?.daily).toEqual({ limit: 10, used: 5 });
    expect(bucketOf(out.queries[1])?.daily).toEqual({ limit: 10, used: 10 });
  });

  it('counts from a new zone’s midnight that falls on a quarter hour (Kathmandu, +5:45), to the second', () => {
    // Kathmandu's 2026-01-06 starts at 2026-01-05T18:15:00Z.
    const out = run({
      plan: pool({ credits: 1000, renew: null, dailyLimit: 10 }),
      events: [
        use('2026-01-05T18:14:59Z', 'a', 'SMS', 4), // Kathmandu's Jan 5: not counted after the edit
        use('2026-01-05T18:15:00Z', 'b', 'SMS', 3), // Kathmandu's Jan 6
        use('2026-01-05T18:29:59Z', 'c', 'SMS', 2), // Kathmandu's Jan 6, same quarter hour
        at('2026-01-05T20:00:00Z', { edit: { activation: { date: '2026-01-01', timeZone: 'Asia/Kathmandu' } } }),
        use('2026-01-05T20:00:01Z', 'd', 'SMS', 6), // 5 + 6 = 11 > 10
        use('2026-01-05T20:00:02Z', 'e', 'SMS', 5),
      ],
      queries: [{ at: '2026-01-05T21:00:00Z' }],
    });
    expect(out.events.map((e) => (e.accepted ? 'ok' : e.reason))).toEqual(['ok', 'ok', 'ok', 'ok', 'daily_limit', 'ok']);
    expect(bucketOf(out.queries[0])?.daily).toEqual({ limit: 10, used: 10 });
  });

  it('a limit added by an edit counts what the day already accepted', () => {
    const out = run({
      plan: pool({ credits: 1000 }),
      events: [use('2026-01-02T01:00:00Z', 'a', 'SMS', 8), at('2026-01-02T02:00:00Z', { edit: { dailyLimit: 10 } }), use('2026-01-02T03:00:00Z', 'b', 'SMS', 3)],
      queries: [{ at: '2026-01-02T04:00:00Z' }],
    });
    expect(out.events[2]).toEqual({ index: 2, accepted: false, reason: 'daily_limit' });
    expect(bucketOf(out.queries[0])?.daily).toEqual({ limit: 10, used: 8 });
  });
});

describe('9.5 metered overage (seed 004)', () => {
  const seed004 = (overrides: Record<string, unknown> = {}) =>
    pool({ credits: 3_000_000, overage: 'metered', overageRate: usd('0.000085'), price: usd('200.00'), ...overrides });

  it('never blocks: 3,200,000 used of 3,000,000 meters 200,000 × 0.000085 = 17.00, billed with the next period', () => {
    const out = run({
      plan: seed004(),
      events: [use('2026-01-10T00:00:00Z', 'a', 'Email', 2_900_000), use('2026-01-20T00:00:00Z', 'b', 'Email', 300_000)],
      queries: [{ at: '2026-01-31T00:00:00Z' }, { at: '2026-02-01T00:00:00Z' }],
    });
    expect(out.events.every((e) => e.accepted)).toBe(true);
    expect(bucketOf(out.queries[0])).toEqual({
      allocated: 3_000_000,
      used: 3_000_000,
      remaining: 0,
      carriedIn: 0,
      overage: { added: 0, at: '2026-01-20T00:00:00Z', metered: 200_000, charge: usd('17.00') },
    });
    // The next period starts from its allocation: nothing negative carries.
    expect(bucketOf(out.queries[1])).toEqual({
      allocated: 3_000_000,
      used: 0,
      remaining: 3_000_000,
      carriedIn: 0,
      overage: { added: 0, at: null, metered: 0, charge: usd('0.00') },
    });
    const parsed = parseScenario({ plan: seed004(), events: [use('2026-01-10T00:00:00Z', 'a', 'Email', 3_200_000)] });
    if (!parsed.ok) throw new Error('invalid');
    const state = createPlanState(parsed.value.plan);
    recordUsage(state, { id: 'a', channel: 'Email', credits: 3_200_000, direction: 'MT' }, t('2026-01-10T00:00:00Z'));
    // Seed 004: "On your next monthly charge you will be billed $217.00".
    const statement = statementAt(state, t('2026-02-02T00:00:00Z'));
    expect(statement).toMatchObject({ price: usd('200.00'), previousMeteredCharge: usd('17.00'), total: usd('217.00'), charges: [] });
  });

  it('with rollover only unused allocation rolls over (seed 004: 50,000 left → 2,850,000)', () => {
    const out = run({
      plan: seed004({ credits: 2_800_000, rollover: true }),
      events: [use('2026-01-10T00:00:00Z', 'a', 'Email', 2_750_000), use('2026-02-10T00:00:00Z', 'b', 'Email', 3_000_000)],
      queries: [{ at: '2026-02-01T00:00:00Z' }, { at: '2026-03-01T00:00:00Z' }],
    });
    expect(bucketOf(out.queries[0])).toMatchObject({ allocated: 2_850_000, carriedIn: 50_000 });
    expect(bucketOf(out.queries[1])).toMatchObject({ allocated: 2_800_000, carriedIn: 0, overage: { metered: 0 } });
  });

  it('top-ups are spent before metering; each metered credit is priced at the rate in force; the sum is rounded once', () => {
    const out = run({
      plan: seed004({ credits: 10, overageRate: usd('0.004') }),
      events: [
        at('2026-01-02T00:00:00Z', { topUp: { id: 't', bucket: 'ALL', credits: 5, expires: 'never' } }),
        use('2026-01-03T00:00:00Z', 'a', 'SMS', 16), // 10 + 5 + 1 metered at 0.004
        at('2026-01-04T00:00:00Z', { edit: { overageRate: usd('0.0015') } }),
        use('2026-01-05T00:00:00Z', 'b', 'SMS', 1), // metered at 0.0015 → 0.0055 → 0.01
      ],
      queries: [{ at: '2026-01-03T12:00:00Z' }, { at: '2026-01-06T00:00:00Z' }],
    });
    expect(bucketOf(out.queries[0])).toMatchObject({ used: 10, topUps: { used: 5, remaining: 0 }, overage: { metered: 1, charge: usd('0.00') } });
    expect(bucketOf(out.queries[1])).toMatchObject({ overage: { metered: 2, charge: usd('0.01'), at: '2026-01-03T00:00:00Z' } });
  });

  it('the daily limit still applies to a metered plan', () => {
    const out = run({
      plan: seed004({ credits: 10, dailyLimit: 20 }),
      events: [use('2026-01-02T00:00:00Z', 'a', 'SMS', 15), use('2026-01-02T01:00:00Z', 'b', 'SMS', 6), use('2026-01-02T02:00:00Z', 'c', 'SMS', 5)],
      queries: [{ at: '2026-01-02T03:00:00Z' }],
    });
    expect(out.events.map((e) => (e.accepted ? 'ok' : e.reason))).toEqual(['ok', 'daily_limit', 'ok']);
    expect(bucketOf(out.queries[0])).toMatchObject({ overage: { metered: 10 }, daily: { used: 20 } });
  });

  it('needs an overage rate; the plan’s money shares one currency, which an edit cannot change', () => {
    expect(problems({ plan: pool({ overage: 'metered' }) })).toEqual([expect.stringMatching(/^plan\.overageRate: is needed by metered overage/)]);
    expect(problems({ plan: seed004({ price: { amount: '200.00', currency: 'EUR' } }) })).toEqual([
      expect.stringMatching(/^plan\.overageRate\.currency: must be EUR/),
    ]);
    const out = run({ plan: seed004(), events: [at('2026-01-02T00:00:00Z', { edit: { price: { amount: '1.00', currency: 'EUR' } } })] });
    expect(out.events[0]).toMatchObject({ accepted: false, reason: expect.stringMatching(/currency/) });
  });
});

describe('9.6 statements', () => {
  it('lists the period price, each charge-now with its price and the previous metered charge, with their total; exports CSV', () => {
    const parsed = parseScenario({
      plan: pool({ credits: 144_000, activation: { date: '2026-04-01', timeZone: 'UTC' }, price: usd('150.00'), overage: 'metered', overageRate: usd('0.000085') }),
    });
    if (!parsed.ok) throw new Error('invalid');
    const state = createPlanState(parsed.value.plan);
    recordUsage(state, { id: 'u', channel: 'Email', credits: 344_000, direction: 'MT' }, t('2026-04-10T00:00:00Z'));
    expect(statementAt(state, t('2026-04-10T00:00:00Z'))?.previousMeteredCharge).toEqual(usd('0.00'));
    applyChargeNow(state, 'c-may', t('2026-05-30T00:00:00Z'));
    const may = statementAt(state, t('2026-05-30T00:00:00Z'));
    // 200,000 metered in April × 0.000085 = 17.00; May's charge-now in week 4 of 4 = 37.50.
    expect(may).toMatchObject({ price: usd('150.00'), previousMeteredCharge: usd('17.00'), total: usd('204.50') });
    expect(may?.charges.map((c) => [c.id, c.price.amount])).toEqual([['c-may', '37.50']]);
    expect(statementCsv(may!).split('\r\n')).toEqual([
      'item,at,amount,currency',
      'Period price,2026-05-01T00:00:00Z,150.00,USD',
      'Charge now c-may,2026-05-30T00:00:00Z,37.50,USD',
      'Previous period metered overage,2026-05-01T00:00:00Z,17.00,USD',
      'Total,,204.50,USD',
      '',
    ]);
    // June: a new statement, May's charge gone, nothing metered in May.
    expect(statementAt(state, t('2026-06-02T00:00:00Z'))).toMatchObject({ charges: [], previousMeteredCharge: usd('0.00'), total: usd('150.00') });
    expect(statementAt(createPlanState(pool() as PlanConfig), t('2026-01-02T00:00:00Z'))).toBeNull();
  });
});

describe('9.8 details', () => {
  it('money is exact decimal arithmetic on strings, never a float', () => {
    expect(formatDecimal(parseDecimal('0.1')!)).toBe('0.1');
    expect(sumMoney([usd('0.10'), usd('0.20')], 'USD')).toEqual(usd('0.30'));
    expect(moneyOf(divideRounded(parseDecimal('0.000085')!, 1, 2), 'USD')).toEqual(usd('0.00'));
    expect(formatDecimal(divideRounded(parseDecimal('200000')!, 1, 2))).toBe('200000.00');
    expect([minorDigits('USD'), minorDigits('JPY'), minorDigits('KWD')]).toEqual([2, 0, 3]);
    expect(parseDecimal('1e3')).toBeNull();
    expect(parseDecimal('-1')).toBeNull();
    // Seed 004's charge at a scale where floats drift: 0.1 + 0.2 ≠ 0.3 in binary.
    expect(sumMoney([{ amount: '0.1', currency: 'USD' }, { amount: '0.2', currency: 'USD' }], 'USD').amount).toBe('0.30');
  });

  it('every amount in a scenario answer is a string with its currency', () => {
    const out = run({
      plan: pool({ credits: 10, overage: 'metered', overageRate: usd('0.5'), price: usd('150') }),
      events: [use('2026-01-02T00:00:00Z', 'a', 'SMS', 13), at('2026-01-03T00:00:00Z', { chargeNow: { id: 'c' } })],
      queries: [{ at: '2026-01-04T00:00:00Z' }],
    });
    const amounts: unknown[] = [];
    JSON.stringify(out, (key, value: unknown) => {
      if (key === 'amount') amounts.push(value);
      return value;
    });
    expect(amounts).toEqual(['150.00', '1.50']);
  });

  it('top-up and charge-now ids share one id space apart from usage ids; the same id again gets the first answer, even a refusal', () => {
    const out = run({
      plan: pool({ price: usd('100.00') }),
      events: [
        at('2025-12-31T00:00:00Z', { topUp: { id: 'x', bucket: 'ALL', credits: 5, expires: 'never' } }),
        at('2026-01-02T00:00:00Z', { topUp: { id: 'x', bucket: 'ALL', credits: 5, expires: 'never' } }),
        at('2026-01-02T00:00:00Z', { chargeNow: { id: 'c' } }),
        at('2026-01-03T00:00:00Z', { topUp: { id: 'c', bucket: 'ALL', credits: 5, expires: 'never' } }),
        at('2026-01-03T00:00:00Z', { chargeNow: { id: 'c' } }),
        use('2026-01-03T00:00:00Z', 'c', 'SMS', 1),
      ],
      queries: [{ at: '2026-01-04T00:00:00Z' }],
    });
    expect(out.events.map((e) => (e.accepted ? 'ok' : e.reason))).toEqual(['before_activation', 'before_activation', 'ok', 'ok', 'ok', 'ok']);
    expect(out.events[3]).toEqual(out.events[2] && { ...out.events[2], index: 3 });
    expect(bucketOf(out.queries[0])?.topUps).toEqual({ available: 100, used: 0, remaining: 100 });
  });

  it('a period_end top-up left when a calendar-moving edit starts a new period stays until that period ends', () => {
    const out = run({
      plan: pool({ credits: 10 }),
      events: [
        at('2026-01-10T00:00:00Z', { topUp: { id: 'p', bucket: 'ALL', credits: 7, expires: 'period_end' } }),
        at('2026-01-20T00:00:00Z', { edit: { activation: { date: '2026-01-25', timeZone: 'UTC' } } }),
      ],
      queries: [{ at: '2026-01-24T00:00:00Z' }, { at: '2026-01-25T00:00:00Z' }],
    });
    expect(out.queries[0]?.period).toMatchObject({ index: 1, start: '2026-01-20T00:00:00Z', end: '2026-01-25T00:00:00Z' });
    expect(bucketOf(out.queries[0])?.topUps).toEqual({ available: 7, used: 0, remaining: 7 });
    expect(bucketOf(out.queries[1])?.topUps).toEqual({ available: 0, used: 0, remaining: 0 });
  });

  it('the top-ups of a channel an edit removes are unusable while it is out; never ones come back with it', () => {
    const plan = { limit: 'channel_specific', credits: { SMS: 1, Email: 1 }, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } };
    const out = run({
      plan,
      events: [
        at('2026-01-02T00:00:00Z', { topUp: { id: 'n', bucket: 'Email', credits: 5, expires: 'never' } }),
        at('2026-01-02T00:00:00Z', { topUp: { id: 'p', bucket: 'Email', credits: 5, expires: 'period_end' } }),
        use('2026-01-02T00:00:01Z', 'a', 'Email', 4), // 1 allocation + 3 of p
        at('2026-01-03T00:00:00Z', { edit: { credits: { SMS: 1 } } }),
        at('2026-01-04T00:00:00Z', { edit: { credits: { SMS: 1, Email: 1 } } }),
        use('2026-01-04T00:00:01Z', 'b', 'Email', 6), // 1 fresh allocation + the never top-up's 5
        use('2026-01-04T00:00:02Z', 'c', 'Email', 1),
      ],
      queries: [{ at: '2026-01-03T12:00:00Z' }, { at: '2026-01-04T00:00:00Z' }],
    });
    expect(out.queries[0]?.buckets).not.toHaveProperty('Email');
    expect(out.queries[1]?.buckets.Email?.topUps).toEqual({ available: 5, used: 0, remaining: 5 });
    expect(out.events.map((e) => e.accepted)).toEqual([true, true, true, true, true, true, false]);
  });

  it('invalid new plan fields are invalid input naming the field', () => {
    expect(problems({ plan: pool({ costs: { SMS: 0 } }) })).toEqual([expect.stringMatching(/^plan\.costs\.SMS: must be a positive integer/)]);
    expect(problems({ plan: pool({ dailyLimit: { SMS: 5 } }) })).toEqual([expect.stringMatching(/^plan\.dailyLimit: must be a positive integer/)]);
    expect(problems({ plan: pool({ price: { amount: 150, currency: 'USD' } }) })).toEqual([expect.stringMatching(/^plan\.price: must be money/)]);
    expect(problems({ plan: pool({ minimumCharge: { amount: '1.00', currency: 'usd' } }) })).toEqual([expect.stringMatching(/^plan\.minimumCharge: must be money/)]);
    expect(problems({ plan: pool({ overage: 'sometimes' }) })).toEqual(['plan.overage: must be true, false or "metered"']);
    // An overage rate on a plan whose overage is not metered is allowed and unused.
    expect(problems({ plan: pool({ overageRate: usd('0.01') }) })).toEqual([]);
  });
});
