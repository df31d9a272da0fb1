/**
 * The event explorer's engine part: each decision explained with the tranches that paid it, in
 * the engine's order of spending, and the bucket before and after; refusals with their reason
 * and the balance that refused them.
 */
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { createPlanState, formatIssue, parseScenario, runScenario, type ScenarioOutput } from '.';
import { describeExplanation, explainUsage, type ExplanationText } from './explain';

const t = (iso: string): number => Temporal.Instant.from(iso).epochMilliseconds;

function run(input: unknown, explain = true): ScenarioOutput {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('; '));
  return runScenario(parsed.value, { explain });
}

const at = (iso: string, body: Record<string, unknown>) => ({ at: iso, ...body });
const use = (iso: string, id: string, credits: number, channel = 'SMS') => at(iso, { usage: { id, channel, credits } });
const pool = (overrides: Record<string, unknown> = {}) => ({
  limit: 'all_channels',
  credits: 100,
  renew: 'monthly',
  rollover: true,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
  ...overrides,
});

function explained(out: ScenarioOutput, index: number): ExplanationText {
  const result = out.events[index];
  if (result?.explain == null) throw new Error(`event ${index} has no explanation`);
  return result.explain;
}

describe('explainUsage', () => {
  it('pays from the oldest rolled-over vintage first, then the next, then the allocation, naming each vintage’s period', () => {
    const out = run({
      plan: pool(),
      events: [
        use('2026-01-05T10:00:00Z', 'jan', 30), // 70 of January's allocation roll over
        use('2026-02-05T10:00:00Z', 'feb', 60), // February: 70 (Jan) + 100; 60 from January's vintage
        use('2026-03-05T10:00:00Z', 'mar', 150), // March: 10 (Jan) + 100 (Feb) + 100: 10 Jan, 100 Feb, 40 March
      ],
    });
    expect(explained(out, 1).paidBy).toStrictEqual([
      { source: 'rollover', origin: 0, period: { index: 0, start: '2025-12-31T23:00:00Z', end: '2026-01-31T23:00:00Z' }, credits: 60 },
    ]);
    const march = explained(out, 2);
    expect(march.period).toStrictEqual({ index: 2, start: '2026-02-28T23:00:00Z', end: '2026-03-31T22:00:00Z' });
    expect(march.paidBy).toStrictEqual([
      { source: 'rollover', origin: 0, period: { index: 0, start: '2025-12-31T23:00:00Z', end: '2026-01-31T23:00:00Z' }, credits: 10 },
      { source: 'rollover', origin: 1, period: { index: 1, start: '2026-01-31T23:00:00Z', end: '2026-02-28T23:00:00Z' }, credits: 100 },
      { source: 'allocation', origin: 2, credits: 40 },
    ]);
    expect(march.before).toMatchObject({ remaining: 210, allocationLeft: 100, vintages: [{ origin: 0, credits: 10, period: { start: '2025-12-31T23:00:00Z' } }, { origin: 1, credits: 100 }] });
    expect(march.after).toMatchObject({ remaining: 60, allocationLeft: 60, vintages: [{ origin: 0, credits: 0 }, { origin: 1, credits: 0 }] });
  });

  it('an exhausted refusal shows the balance that refused it, unchanged after', () => {
    const out = run({ plan: pool({ rollover: false }), events: [use('2026-01-05T10:00:00Z', 'a', 95), use('2026-01-06T10:00:00Z', 'b', 10)] });
    const refused = explained(out, 1);
    expect(refused).toMatchObject({ accepted: false, reason: 'exhausted', bucket: 'ALL', credits: 10, paidBy: [] });
    expect(refused.before).toMatchObject({ remaining: 5, allocationLeft: 5, overageLeft: 0, topUpsLeft: 0 });
    expect(refused.after).toStrictEqual(refused.before);
  });

  it('a daily-limit refusal shows the limit and the credits of the local day', () => {
    const out = run({ plan: pool({ dailyLimit: 50 }), events: [use('2026-01-05T10:00:00Z', 'a', 45), use('2026-01-05T11:00:00Z', 'b', 10)] });
    expect(explained(out, 1)).toMatchObject({ accepted: false, reason: 'daily_limit', before: { daily: { limit: 50, used: 45 }, remaining: 55 } });
  });

  it('an out-of-order event says the plan had already seen a later instant, and changes nothing', () => {
    const parsed = parseScenario({ plan: pool() });
    if (!parsed.ok) throw new Error('bad plan');
    const state = createPlanState(parsed.value.plan);
    explainUsage(state, { id: 'a', channel: 'SMS', credits: 1, direction: 'MT' }, t('2026-01-05T10:00:00Z'));
    const late = describeExplanation(explainUsage(state, { id: 'b', channel: 'SMS', credits: 1, direction: 'MT' }, t('2026-01-04T10:00:00Z')));
    expect(late).toMatchObject({ accepted: false, reason: 'out_of_order', planClock: '2026-01-05T10:00:00Z', paidBy: [] });
    expect(state.buckets.ALL?.used).toBe(1);
  });

  it('top-ups pay after the plan credits, lot by lot; overage last, marked when this event triggered it', () => {
    const out = run({
      plan: pool({ credits: 10, rollover: false, overage: true }),
      events: [
        use('2026-01-02T00:00:00Z', 'a', 6),
        at('2026-01-02T01:00:00Z', { topUp: { id: 'n1', bucket: 'ALL', credits: 5, expires: 'never' } }),
        at('2026-01-02T02:00:00Z', { topUp: { id: 'p1', bucket: 'ALL', credits: 3, expires: 'period_end' } }),
        use('2026-01-03T00:00:00Z', 'b', 10), // 4 allocation, 3 p1, 3 n1
        use('2026-01-04T00:00:00Z', 'c', 5), // 2 n1; then overage triggered: 3 of it
      ],
    });
    expect(explained(out, 3).paidBy).toStrictEqual([
      { source: 'allocation', origin: 0, credits: 4 },
      { source: 'top_up', lot: 'p1', expires: 'period_end', credits: 3 },
      { source: 'top_up', lot: 'n1', expires: 'never', credits: 3 },
    ]);
    const c = explained(out, 4);
    expect(c.paidBy).toStrictEqual([
      { source: 'top_up', lot: 'n1', expires: 'never', credits: 2 },
      { source: 'overage', credits: 3, triggered: true },
    ]);
    expect(c.before).toMatchObject({ overageAdded: 0, topUpsLeft: 2, remaining: 0 });
    expect(c.after).toMatchObject({ overageAdded: 10, overageLeft: 7, topUpsLeft: 0, remaining: 7 });
  });

  it('after an edit left the bucket over-used, the overage an event triggers covers that first: the event pays only its own credits', () => {
    // Found by the engine property test (seed -406947745): the tranche named 2 credits for a 1-credit event.
    const out = run({
      plan: pool({ credits: 6, rollover: false, overage: true }),
      events: [
        use('2026-01-02T00:00:00Z', 'a', 4),
        at('2026-01-02T01:00:00Z', { edit: { credits: 3 } }), // 4 used of 3
        use('2026-01-02T02:00:00Z', 'b', 1), // overage of 3 added: 1 covers the excess, 1 pays b
      ],
    });
    const b = explained(out, 2);
    expect(b.paidBy).toStrictEqual([{ source: 'overage', credits: 1, triggered: true }]);
    expect(b.before).toMatchObject({ used: 4, remaining: 0, overageAdded: 0 });
    expect(b.after).toMatchObject({ used: 5, overageAdded: 3, overageLeft: 1, remaining: 1 });
  });

  it('metered overage takes what plan credits cannot pay', () => {
    const out = run({
      plan: pool({ credits: 10, rollover: false, overage: 'metered', overageRate: { amount: '0.01', currency: 'USD' } }),
      events: [use('2026-01-02T00:00:00Z', 'a', 8), use('2026-01-03T00:00:00Z', 'b', 5)],
    });
    expect(explained(out, 1).paidBy).toStrictEqual([
      { source: 'allocation', origin: 0, credits: 2 },
      { source: 'metered', credits: 3 },
    ]);
    expect(explained(out, 1).after).toMatchObject({ metered: 3, remaining: 0 });
  });

  it('MO events, uncovered channels and traffic before activation cost nothing and name no tranche; a repeated id is not explained again', () => {
    const out = run({
      plan: pool({ limit: 'channel_specific', credits: { SMS: 10 } }),
      events: [
        at('2026-01-02T00:00:00Z', { usage: { id: 'mo', channel: 'SMS', direction: 'MO' } }),
        use('2026-01-02T00:00:01Z', 'mail', 3, 'Email'),
        use('2025-12-01T00:00:00Z', 'early', 3),
        use('2026-01-02T00:00:02Z', 'x', 2),
        use('2026-01-02T00:00:03Z', 'x', 2),
      ],
    });
    expect(explained(out, 0)).toMatchObject({ accepted: true, bucket: 'SMS', credits: 0, paidBy: [] });
    expect(explained(out, 1)).toMatchObject({ accepted: true, bucket: null, credits: 0, paidBy: [], before: null });
    expect(explained(out, 2)).toMatchObject({ accepted: true, bucket: null, period: null, paidBy: [] });
    expect(explained(out, 3).paidBy).toStrictEqual([{ source: 'allocation', origin: 0, credits: 2 }]);
    expect(out.events[4]).toStrictEqual({ index: 4, accepted: true, explain: null });
  });

  it('changes nothing: with or without explanations, the same decisions and states', () => {
    const input = {
      plan: pool({ credits: 20, overage: true, dailyLimit: 15 }),
      events: [
        use('2026-01-02T00:00:00Z', 'a', 12),
        use('2026-01-02T01:00:00Z', 'b', 5),
        use('2026-01-03T00:00:00Z', 'c', 7),
        at('2026-01-10T00:00:00Z', { topUp: { id: 't', bucket: 'ALL', credits: 4, expires: 'never' } }),
        use('2026-01-11T00:00:00Z', 'd', 9),
        use('2026-02-11T00:00:00Z', 'e', 14),
      ],
      queries: [{ at: '2026-01-20T00:00:00Z' }, { at: '2026-03-01T00:00:00Z' }],
    };
    const plain = run(input, false);
    const withExplain = run(input, true);
    expect(withExplain.queries).toStrictEqual(plain.queries);
    expect(withExplain.events.map(({ explain: _explain, ...rest }) => rest)).toStrictEqual(plain.events);
    expect(plain.events.every((e) => !('explain' in e))).toBe(true);
  });
});
