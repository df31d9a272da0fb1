import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../shared/domain';
import type { UsageReport, UsageShare } from '../../shared/api';
import { DIM, spaceLabelTotals, spaceUsageWindows, type Dim, type KeyedUsage } from '../accounts';
import { SLOT_MS } from '../ledger';
import { seededRandom } from '../../shared/seeded-random';
import { makeWorld, type World } from './testing';

/**
 * The per-space aggregates (migration 7) against a scan of the raw events, on a real ledger
 * file: random windows on 15-minute marks, and the Usage report for random calendar ranges,
 * zones (daylight-saving changes, half-hour and 45-minute offsets, a 30-minute DST shift) and
 * groupings. The ledger holds rejections decided in order, late events that re-decide earlier
 * ones (settle), and a plan created afterwards with a past activation (re-attribution).
 */

interface RawEvent {
  spaceId: string;
  channel: Channel;
  mo: boolean;
  credits: number;
  t: number;
  identity: string | null;
  campaign: string | null;
  rejected: boolean;
}

const ZONES = ['UTC', 'Europe/Madrid', 'America/Mexico_City', 'America/Santiago', 'Asia/Kathmandu', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const NOW = Date.parse('2026-12-31T00:00:00Z');

let w: World;
let events: RawEvent[];
const localDates = new Map<string, string[]>();

function eventsCsv(rows: { id: string; spaceId: string; channel: Channel; mo: boolean; credits: number; t: number; identity: string | null; campaign: string | null }[]): string {
  const q = (s: string | null): string => (s === null ? '' : `"${s.replaceAll('"', '""')}"`);
  return [
    'id,spaceId,channel,direction,credits,occurredAt,identity,campaign',
    ...rows.map((e) => `${e.id},${e.spaceId},${e.channel},${e.mo ? 'MO' : 'MT'},${e.credits},${new Date(e.t).toISOString()},${q(e.identity)},${q(e.campaign)}`),
  ].join('\n');
}

beforeAll(async () => {
  w = makeWorld('2026-12-31T00:00:00Z');
  w.services.org.createSpace({
    id: 'SP-B',
    environmentId: w.envId,
    name: 'Branch',
    accountManager: { name: 'Bo', email: 'bo@example.com' },
    channels: [
      { channel: 'SMS', bidirectional: true },
      { channel: 'Push', bidirectional: false },
    ],
  });
  // Small allocations, so that plans reject part of the traffic.
  w.services.plans.create(w.spaceId, { limit: 'channel_specific', credits: { SMS: 60 }, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } }, 'ana');
  w.services.plans.create('SP-B', { limit: 'all_channels', credits: 300, renew: 'quarterly', rollover: true, overage: true, activation: { date: '2026-01-01', timeZone: 'America/Mexico_City' } }, 'ana');
  const r = seededRandom(42);
  const identities = ['ana@example.com', 'bo@example.com', 'Doe, Jane', 'carla', 'dmitri', 'eve', 'femi', 'gus', 'hana', 'ivo', 'jo', 'kai', 'lu', 'mo "the" man'];
  const campaigns = ['spring', 'summer', 'black-friday', 'welcome', 'reactivation', 'newsletter', 'otp', 'survey'];
  const spaceChannels: Record<string, Channel[]> = { [w.spaceId]: ['SMS', 'WhatsApp', 'Email'], 'SP-B': ['SMS', 'Push'] };
  const make = (i: number, t: number) => {
    const spaceId = r() < 0.6 ? w.spaceId : 'SP-B';
    const channels = spaceChannels[spaceId]!;
    return {
      id: `ev-${i}`,
      spaceId,
      channel: channels[Math.floor(r() * channels.length)]!,
      mo: r() < 0.1,
      credits: 1 + Math.floor(r() * 3),
      t,
      identity: r() < 0.8 ? identities[Math.floor(r() * identities.length)]! : null,
      campaign: r() < 0.6 ? campaigns[Math.floor(r() * campaigns.length)]! : null,
    };
  };
  // In time order first (some on exact slot and hour marks), then late events spread over the year.
  const inOrder = Array.from({ length: 2500 }, (_, i) => {
    const t = YEAR_START + Math.floor(((NOW - YEAR_START) * i) / 2500);
    return make(i, r() < 0.2 ? Math.floor(t / SLOT_MS) * SLOT_MS : t + Math.floor(r() * 60_000));
  }).sort((a, b) => a.t - b.t);
  const late = Array.from({ length: 700 }, (_, i) => make(10_000 + i, YEAR_START + Math.floor(r() * (NOW - YEAR_START))));
  await w.services.usage.importText('year.csv', eventsCsv(inOrder), 'ana');
  await w.services.usage.importText('late.csv', eventsCsv(late), 'ana');
  // A plan created now with a past activation takes WhatsApp traffic since June (re-attribution, new rejections).
  w.services.plans.create(w.spaceId, { limit: 'channel_specific', credits: { WhatsApp: 40 }, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-06-01', timeZone: 'Asia/Kolkata' } }, 'ana');

  events = (
    w.t.ledger.db
      .prepare(
        `SELECT e.space_id, e.channel, e.direction, e.credits, e.occurred_at, e.identity, e.campaign, r.event_seq IS NOT NULL AS rejected
         FROM usage_event_rows e LEFT JOIN usage_rejections r ON r.event_seq = e.seq`,
      )
      .all() as { space_id: string; channel: Channel; direction: string; credits: number; occurred_at: number; identity: string | null; campaign: string | null; rejected: number }[]
  ).map((e) => ({ spaceId: e.space_id, channel: e.channel, mo: e.direction === 'MO', credits: e.credits, t: e.occurred_at, identity: e.identity, campaign: e.campaign, rejected: e.rejected === 1 }));
  for (const zone of ZONES) localDates.set(zone, events.map((e) => Temporal.Instant.fromEpochMilliseconds(e.t).toZonedDateTimeISO(zone).toPlainDate().toString()));
}, 120_000);

afterAll(() => w?.cleanup());

describe('usage per space: aggregates against a scan of the raw events', () => {
  it('holds rejections of every kind (the data exercises them)', () => {
    expect(events.length).toBe(3200);
    expect(events.filter((e) => e.rejected).length).toBeGreaterThan(50);
    expect(events.filter((e) => e.rejected && e.channel === 'WhatsApp').length).toBeGreaterThan(0);
  });

  it('windows equal the raw events: per channel on 15-minute marks, per identity and campaign at any instant', () => {
    const spaceRefOf = (id: string): number => w.t.ledger.db.prepare('SELECT ref FROM space_refs WHERE space_id = ?').pluck().get(id) as number;
    const planRefsOf = (id: string): number[] => w.t.ledger.db.prepare('SELECT ref FROM plans WHERE space_id = ?').pluck().all(id) as number[];
    const labelOf = (dim: Dim, ref: number): string => w.t.ledger.db.prepare('SELECT name FROM usage_labels WHERE ref = ? AND dim = ?').pluck().get(ref, dim) as string;
    const lo = YEAR_START - 40 * 86_400_000;
    const hi = NOW + 86_400_000;
    // Instants on 15-minute marks (every local midnight), on hours, and anywhere.
    const instant = fc.oneof(
      fc.integer({ min: Math.floor(lo / SLOT_MS), max: Math.ceil(hi / SLOT_MS) }).map((s) => s * SLOT_MS),
      fc.integer({ min: Math.floor(lo / 3_600_000), max: Math.ceil(hi / 3_600_000) }).map((h) => h * 3_600_000),
      fc.integer({ min: lo, max: hi }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(w.spaceId, 'SP-B'),
        fc.constantFrom<Dim>(DIM.channel, DIM.identity, DIM.campaign),
        fc.array(instant, { minLength: 2, maxLength: 6 }),
        (spaceId, dim, instants) => {
          const boundaries = [...instants].sort((a, b) => a - b);
          if (dim === DIM.channel) for (let i = 0; i < boundaries.length; i += 1) boundaries[i] = Math.floor(boundaries[i]! / SLOT_MS) * SLOT_MS;
          const windows: KeyedUsage[] =
            dim === DIM.channel
              ? spaceUsageWindows(w.t.ledger, spaceRefOf(spaceId), dim, boundaries)
              : boundaries.slice(1).map((to, i) => spaceLabelTotals(w.t.ledger, spaceRefOf(spaceId), planRefsOf(spaceId), dim, boundaries[i]!, to));
          for (let i = 0; i + 1 < boundaries.length; i += 1) {
            const expected = new Map<string, { used: number; mo: number; rejected: number }>();
            for (const e of events) {
              if (e.spaceId !== spaceId || e.t < boundaries[i]! || e.t >= boundaries[i + 1]!) continue;
              const key = dim === DIM.channel ? e.channel : dim === DIM.identity ? e.identity : e.campaign;
              if (key === null) continue;
              const cell = expected.get(key) ?? { used: 0, mo: 0, rejected: 0 };
              if (e.mo) cell.mo += 1;
              else if (e.rejected) cell.rejected += e.credits;
              else cell.used += e.credits;
              expected.set(key, cell);
            }
            const actual = new Map<string, { used: number; mo: number; rejected: number }>();
            for (const [key, cell] of windows[i]!) {
              if (cell.mt === 0 && cell.mo === 0 && cell.rejected === 0) continue;
              actual.set(dim === DIM.channel ? CHANNELS[key]! : labelOf(dim, key), { used: cell.mt - cell.rejected, mo: cell.mo, rejected: cell.rejected });
            }
            expect(actual).toEqual(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports equal the raw events for random calendar ranges, zones and groupings', () => {
    const date = fc.integer({ min: -10, max: 370 }).map((d) => Temporal.PlainDate.from('2026-01-01').add({ days: d }).toString());
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom('day' as const, 'week' as const, 'month' as const),
        fc.constantFrom<{ kind: 'space'; spaceId: string } | { kind: 'environment'; environmentId: string }>(
          { kind: 'space', spaceId: 'SP-RETAIL' },
          { kind: 'space', spaceId: 'SP-B' },
          { kind: 'environment', environmentId: 'ENV-PROD' },
        ),
        date,
        date,
        fc.integer({ min: 1, max: 12 }),
        (zone, groupBy, scope, a, b, top) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const report = w.services.usageAnalytics.report({ scope, range: 'custom', custom: { from, to }, groupBy, timeZone: zone, top });
          expect(report.timeZone).toBe(zone);
          expect(report.zoneSource).toBe('chosen');
          expect(report).toEqual(expectedReport(report, zone, scope.kind === 'space' ? [scope.spaceId] : [w.spaceId, 'SP-B'], from, to, groupBy, top));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('names the plans’ zone, and the most used one where plans differ', () => {
    const one = w.services.usageAnalytics.report({ scope: { kind: 'space', spaceId: 'SP-B' }, range: 'this_month', groupBy: 'day' });
    expect(one).toMatchObject({ timeZone: 'America/Mexico_City', zoneSource: 'plans', planZones: ['America/Mexico_City'], fromDate: '2026-12-01', toDateExclusive: '2027-01-01' });
    const several = w.services.usageAnalytics.report({ scope: { kind: 'environment', environmentId: w.envId }, range: 'last_week', groupBy: 'day' });
    expect(several.zoneSource).toBe('plans_differ');
    expect(several.timeZone).toBe('Europe/Madrid');
    expect(several.planZones).toEqual(['Europe/Madrid', 'America/Mexico_City', 'Asia/Kolkata']);
    expect(several.series).toHaveLength(7);
  });
});

function expectedReport(actual: UsageReport, zone: string, spaceIds: string[], from: string, to: string, groupBy: 'day' | 'week' | 'month', top: number): UsageReport {
  const dates = localDates.get(zone)!;
  const fromDate = Temporal.PlainDate.from(from);
  const toExclusive = Temporal.PlainDate.from(to).add({ days: 1 });
  const bucketOf = (d: Temporal.PlainDate): string => {
    const start = groupBy === 'day' ? d : groupBy === 'week' ? d.subtract({ days: d.dayOfWeek - 1 }) : d.with({ day: 1 });
    return (Temporal.PlainDate.compare(start, fromDate) < 0 ? fromDate : start).toString();
  };
  const series = new Map<string, UsageReport['series'][number]>();
  const daily = new Map<string, number>();
  for (let d = fromDate; Temporal.PlainDate.compare(d, toExclusive) < 0; d = d.add({ days: 1 })) {
    daily.set(d.toString(), 0);
    const b = bucketOf(d);
    if (!series.has(b)) series.set(b, { start: b, byChannel: {}, total: 0, mo: 0 });
  }
  const byChannel = new Map<Channel, { used: number; mo: number; rejected: number }>();
  const labels = { identity: new Map<string | null, { used: number; mo: number; rejected: number }>(), campaign: new Map<string | null, { used: number; mo: number; rejected: number }>() };
  const total = { used: 0, mo: 0, rejected: 0 };
  events.forEach((e, i) => {
    const day = dates[i]!;
    if (!spaceIds.includes(e.spaceId) || !daily.has(day)) return;
    const used = e.mo || e.rejected ? 0 : e.credits;
    const rejected = !e.mo && e.rejected ? e.credits : 0;
    const mo = e.mo ? 1 : 0;
    daily.set(day, daily.get(day)! + used);
    const point = series.get(bucketOf(Temporal.PlainDate.from(day)))!;
    if (used !== 0) point.byChannel[e.channel] = (point.byChannel[e.channel] ?? 0) + used;
    point.total += used;
    point.mo += mo;
    for (const [map, key] of [[byChannel, e.channel], [labels.identity, e.identity], [labels.campaign, e.campaign]] as const) {
      const cell = (map as Map<unknown, { used: number; mo: number; rejected: number }>).get(key) ?? { used: 0, mo: 0, rejected: 0 };
      cell.used += used;
      cell.mo += mo;
      cell.rejected += rejected;
      (map as Map<unknown, { used: number; mo: number; rejected: number }>).set(key, cell);
    }
    total.used += used;
    total.mo += mo;
    total.rejected += rejected;
  });
  const shares = (map: Map<string | null, { used: number; mo: number; rejected: number }>): UsageShare[] => {
    const named = [...map]
      .filter((entry): entry is [string, { used: number; mo: number; rejected: number }] => entry[0] !== null)
      .filter(([, c]) => c.used !== 0 || c.mo !== 0 || c.rejected !== 0)
      .sort((x, y) => y[1].used - x[1].used || y[1].mo - x[1].mo || (x[0] < y[0] ? -1 : 1));
    const result: UsageShare[] = named.slice(0, top).map(([name, c]) => ({ name, kind: 'named', count: 1, ...c }));
    const rest = named.slice(top);
    if (rest.length > 0) {
      result.push({ name: null, kind: 'others', count: rest.length, used: rest.reduce((s, [, c]) => s + c.used, 0), mo: rest.reduce((s, [, c]) => s + c.mo, 0), rejected: rest.reduce((s, [, c]) => s + c.rejected, 0) });
    }
    const none = map.get(null);
    if (none && (none.used !== 0 || none.mo !== 0 || none.rejected !== 0)) result.push({ name: null, kind: 'none', count: 0, ...none });
    return result;
  };
  return {
    ...actual,
    fromDate: fromDate.toString(),
    toDateExclusive: toExclusive.toString(),
    total,
    byChannel: actual.channels.map((channel) => ({ channel, ...(byChannel.get(channel) ?? { used: 0, mo: 0, rejected: 0 }) })),
    series: [...series.values()],
    daily: [...daily].map(([date, t]) => ({ date, total: t })),
    byIdentity: shares(labels.identity),
    byCampaign: shares(labels.campaign),
  };
}
