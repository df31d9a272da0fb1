import { Temporal } from 'temporal-polyfill';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { csv, makeWorld, type World } from './testing';

let w: World;
afterEach(() => w?.cleanup());

const kathmandu: PlanConfig = {
  limit: 'all_channels',
  credits: 1_000_000,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Asia/Kathmandu' },
};

const localMidnight = (date: string, zone: string): number =>
  Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: zone }).epochMilliseconds;

describe('plan details', () => {
  it('sums any local day or week in a +05:45 zone exactly, from 15-minute, hour and day aggregates', async () => {
    w = makeWorld('2026-03-01T00:00:00Z');
    const plan = w.services.plans.create(w.spaceId, kathmandu, 'ana');
    // One event every 7 minutes over three weeks, each with its own credits.
    const rows: string[] = [];
    const events: { t: number; credits: number; channel: string }[] = [];
    const start = Date.parse('2026-02-01T00:00:00Z');
    for (let i = 0; i < 3 * 7 * 24 * 60; i += 7) {
      const t = start + i * 60_000 + (i % 13) * 1000;
      const credits = 1 + (i % 5);
      const channel = i % 3 === 0 ? 'SMS' : i % 3 === 1 ? 'WhatsApp' : 'Email';
      rows.push(`k${i},SP-RETAIL,${channel},MT,${credits},${new Date(t).toISOString()}`);
      events.push({ t, credits, channel });
    }
    await w.services.usage.importText('k.csv', csv(rows), 'ana');
    const brute = (from: number, to: number, channel: string): number =>
      events.filter((e) => e.channel === channel && e.t >= from && e.t < to).reduce((s, e) => s + e.credits, 0);

    for (const [from, to] of [
      [localMidnight('2026-02-10', 'Asia/Kathmandu'), localMidnight('2026-02-11', 'Asia/Kathmandu')],
      [localMidnight('2026-02-09', 'Asia/Kathmandu'), localMidnight('2026-02-16', 'Asia/Kathmandu')],
      [Date.parse('2026-02-03T05:07:11.500Z'), Date.parse('2026-02-19T23:59:59Z')],
      [Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-03-01T00:00:00Z')],
    ] as const) {
      const used = w.services.details.usedByChannel(plan.id, from, to);
      expect(used.rows.map((r) => r.channel)).toEqual(['SMS', 'WhatsApp', 'Email']);
      for (const row of used.rows) expect(row.used).toBe(brute(from, to, row.channel));
      expect(used.grandTotal).toBe(brute(from, to, 'SMS') + brute(from, to, 'WhatsApp') + brute(from, to, 'Email'));
    }

    const series = w.services.details.usageSeries(plan.id, localMidnight('2026-02-02', 'Asia/Kathmandu'), localMidnight('2026-02-09', 'Asia/Kathmandu'), 'day');
    expect(series.timeZone).toBe('Asia/Kathmandu');
    expect(series.points.map((p) => p.start)).toEqual(['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06', '2026-02-07', '2026-02-08']);
    for (const point of series.points) {
      const from = localMidnight(point.start, 'Asia/Kathmandu');
      const to = localMidnight(Temporal.PlainDate.from(point.start).add({ days: 1 }).toString(), 'Asia/Kathmandu');
      expect(point.byChannel.SMS).toBe(brute(from, to, 'SMS'));
      expect(point.total).toBe(brute(from, to, 'SMS') + brute(from, to, 'WhatsApp') + brute(from, to, 'Email'));
    }
    const weeks = w.services.details.usageSeries(plan.id, Date.parse('2026-02-01T00:00:00Z'), Date.parse('2026-03-01T00:00:00Z'), 'week');
    expect(weeks.points[0]!.start).toBe('2026-01-26'); // the Monday of the week the range starts in
    const months = w.services.details.usageSeries(plan.id, Date.parse('2026-01-15T00:00:00Z'), Date.parse('2026-03-01T00:00:00Z'), 'month');
    expect(months.points.map((p) => p.start)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    const total = events.reduce((s, e) => s + e.credits, 0);
    expect(months.points.reduce((s, p) => s + p.total, 0)).toBe(total);
  });

  it('bucket states now: period, allocation, rollover, overage date', async () => {
    w = makeWorld('2026-02-10T00:00:00Z');
    const plan = w.services.plans.create(
      w.spaceId,
      { limit: 'channel_specific', credits: { SMS: 500 }, renew: 'monthly', rollover: true, overage: true, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } },
      'ana',
    );
    await w.services.usage.importText('u.csv', csv(['s1,SP-RETAIL,SMS,MT,300,2026-01-10T09:00:00Z', 's2,SP-RETAIL,SMS,MT,800,2026-02-05T09:00:00Z', 's3,SP-RETAIL,SMS,MO,1,2026-02-05T09:00:00Z']), 'ana');
    const state = w.services.details.state(plan.id);
    expect(state.period).toEqual({ index: 1, start: '2026-01-31T23:00:00.000Z', end: '2026-02-28T23:00:00.000Z' });
    expect(state.buckets).toEqual([
      { bucket: 'SMS', allocation: 500, allocated: 1200, used: 800, remaining: 400, carriedIn: 200, overage: { added: 500, at: '2026-02-05T09:00:00.000Z' } },
    ]);
    const used = w.services.details.usedByChannel(plan.id, Date.parse('2026-02-01T00:00:00Z'), Date.parse('2026-03-01T00:00:00Z'));
    expect(used.rows).toEqual([{ channel: 'SMS', used: 800, moMessages: 1 }]);
    expect(() => w.services.details.usedByChannel(plan.id, 10, 10)).toThrow(/must end after it starts/);
    expect(() => w.services.details.usageSeries(plan.id, 0, Date.parse('2026-02-01T00:00:00Z'), 'day')).toThrow(/more than 1500 days/);
  });
});
