/**
 * The event explorer over a real ledger file: the ledger explains every event it decided as the
 * engine alone explains the same events (a scenario run with --explain), also when files arrive
 * out of order and the plan was settled by a replay; refusals carry their reason and balance;
 * an id not in the space is a clear not-found.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { parseScenario, runScenario } from '../../shared/engine';
import { ApiFailure } from '../../shared/api';
import { csv, makeWorld, type World } from './testing';

let w: World;
afterEach(() => w?.cleanup());

const plan: PlanConfig = {
  limit: 'channel_specific',
  credits: { SMS: 100, WhatsApp: 40 },
  renew: 'monthly',
  rollover: true,
  overage: true,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
};

const space = (w: World) => ({ kind: 'space' as const, spaceId: w.spaceId });

describe('usage.explain', () => {
  it('names the rolled-over vintage that paid an event, the plan version and period; a refusal its reason and balance', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    const created = w.services.plans.create(w.spaceId, plan, 'ana');
    await w.services.usage.importText(
      'q1.csv',
      csv([
        'jan,SP-RETAIL,SMS,MT,30,2026-01-05T10:00:00Z',
        'feb,SP-RETAIL,SMS,MT,60,2026-02-05T10:00:00Z',
        'mar,SP-RETAIL,SMS,MT,150,2026-03-05T10:00:00Z',
        'big,SP-RETAIL,SMS,MT,500,2026-03-06T10:00:00Z',
        'mo,SP-RETAIL,SMS,MO,1,2026-03-06T11:00:00Z',
      ]),
      'ana',
    );
    const march = await w.services.usageExplorer.explain({ scope: space(w), eventId: 'mar' });
    expect(march.event).toMatchObject({ id: 'mar', spaceId: 'SP-RETAIL', spaceName: 'Retail', channel: 'SMS', credits: 150, occurredAt: '2026-03-05T10:00:00.000Z' });
    expect(march.plan).toEqual({ id: created.id, version: 1, timeZone: 'Europe/Madrid', deleted: false });
    expect(march.explain?.period).toEqual({ index: 2, start: '2026-02-28T23:00:00Z', end: '2026-03-31T22:00:00Z' });
    expect(march.explain?.paidBy).toEqual([
      { source: 'rollover', origin: 0, period: { index: 0, start: '2025-12-31T23:00:00Z', end: '2026-01-31T23:00:00Z' }, credits: 10 },
      { source: 'rollover', origin: 1, period: { index: 1, start: '2026-01-31T23:00:00Z', end: '2026-02-28T23:00:00Z' }, credits: 100 },
      { source: 'allocation', origin: 2, credits: 40 },
    ]);
    expect(march.explain?.before?.remaining).toBe(210);
    expect(march.explain?.after?.remaining).toBe(60);

    const big = await w.services.usageExplorer.explain({ scope: { kind: 'environment', environmentId: w.envId }, eventId: 'big' });
    expect(big.explain).toMatchObject({ accepted: false, reason: 'exhausted', credits: 500, paidBy: [], before: { remaining: 60, allocationLeft: 60 } });
    const stored = w.t.ledger.db.prepare("SELECT reason FROM usage_rejections r JOIN usage_events e ON e.seq = r.event_seq WHERE e.id = 'big'").get();
    expect(stored).toEqual({ reason: 'exhausted' });

    expect((await w.services.usageExplorer.explain({ scope: space(w), eventId: 'mo' })).explain).toMatchObject({ accepted: true, credits: 0, paidBy: [] });
  });

  it('a later version decides later events; traffic no plan covers has no plan', async () => {
    w = makeWorld('2026-01-20T00:00:00Z');
    const created = w.services.plans.create(w.spaceId, { ...plan, credits: { SMS: 100 } }, 'ana');
    await w.services.usage.importText('a.csv', csv(['e1,SP-RETAIL,SMS,MT,5,2026-01-10T10:00:00Z', 'mail,SP-RETAIL,Email,MT,2,2026-01-10T10:00:00Z']), 'ana');
    w.clock.set('2026-01-25T00:00:00Z');
    w.services.plans.edit(created.id, 1, { credits: { SMS: 300 } }, 'ana');
    w.clock.set('2026-01-28T00:00:00Z');
    await w.services.usage.importText('b.csv', csv(['e2,SP-RETAIL,SMS,MT,5,2026-01-26T10:00:00Z']), 'ana');
    expect((await w.services.usageExplorer.explain({ scope: space(w), eventId: 'e1' })).plan?.version).toBe(1);
    const e2 = await w.services.usageExplorer.explain({ scope: space(w), eventId: 'e2' });
    expect(e2.plan?.version).toBe(2);
    expect(e2.explain?.before).toMatchObject({ allocation: 300, allocationLeft: 295 });
    expect(await w.services.usageExplorer.explain({ scope: space(w), eventId: 'mail' })).toMatchObject({ plan: null, explain: null });
  });

  it('answers "no usage event with id X in this space" for an unknown id or one of another space', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    w.services.org.createSpace({ id: 'SP-OTHER', environmentId: w.envId, name: 'Other', accountManager: { name: 'B', email: 'b@example.com' }, channels: [{ channel: 'SMS', bidirectional: false }] });
    await w.services.usage.importText('o.csv', csv(['elsewhere,SP-OTHER,SMS,MT,1,2026-03-02T10:00:00Z']), 'ana');
    const failure = async (eventId: string, spaceId = w.spaceId): Promise<ApiFailure | null> => {
      try {
        await w.services.usageExplorer.explain({ scope: { kind: 'space', spaceId }, eventId });
        return null;
      } catch (error) {
        return error instanceof ApiFailure ? error : null;
      }
    };
    expect((await failure('nope'))?.error).toEqual({ kind: 'not_found', message: 'No usage event with id nope in this space.' });
    expect((await failure('elsewhere'))?.error).toEqual({ kind: 'not_found', message: 'No usage event with id elsewhere in this space.' });
    expect(await failure('elsewhere', 'SP-OTHER')).toBeNull();
    expect((await failure('x', 'SP-NONE'))?.error.kind).toBe('not_found');
  });

  it('explains every event exactly as the engine alone does, with files imported out of order (settled by a replay)', async () => {
    w = makeWorld('2026-06-30T00:00:00Z');
    w.services.plans.create(w.spaceId, plan, 'ana');
    // A deterministic mix over six months: both buckets, MO, big events that trigger overage or are refused.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const start = Date.parse('2026-01-01T00:00:00Z');
    const events = Array.from({ length: 160 }, (_, i) => {
      const channel = next(4) === 0 ? 'WhatsApp' : 'SMS';
      const direction = next(10) === 0 ? 'MO' : 'MT';
      const credits = next(8) === 0 ? 40 + next(120) : 1 + next(9);
      // Distinct instants (one per ~27 h) so that time order is the only order.
      return { id: `ev${i}`, channel, direction, credits, ms: start + i * 97_000_000 + next(3_600_000) };
    });
    const line = (e: (typeof events)[number]) => `${e.id},SP-RETAIL,${e.channel},${e.direction},${e.credits},${new Date(e.ms).toISOString()}`;
    // The later half first, then the earlier half: the plan is marked dirty and settled by a replay.
    await w.services.usage.importText('late.csv', csv(events.slice(80).map(line)), 'ana');
    await w.services.usage.importText('early.csv', csv(events.slice(0, 80).map(line)), 'ana');

    const parsed = parseScenario({
      plan,
      events: events.map((e) => ({ at: new Date(e.ms).toISOString(), usage: { id: e.id, channel: e.channel, direction: e.direction, credits: e.credits } })),
    });
    if (!parsed.ok) throw new Error('bad scenario');
    const engine = runScenario(parsed.value, { explain: true });
    const sources = new Set<string>();
    let refused = 0;
    for (const [i, e] of events.entries()) {
      const ledger = await w.services.usageExplorer.explain({ scope: space(w), eventId: e.id });
      expect(ledger.explain, e.id).toEqual(engine.events[i]?.explain);
      const rejected = w.t.ledger.db.prepare('SELECT reason FROM usage_rejections r JOIN usage_events e ON e.seq = r.event_seq WHERE e.id = ?').get(e.id) as
        | { reason: string }
        | undefined;
      expect(ledger.explain?.reason ?? null, e.id).toBe(rejected?.reason ?? null);
      for (const t of ledger.explain?.paidBy ?? []) sources.add(t.source);
      if (ledger.explain?.accepted === false) refused += 1;
    }
    // Not vacuous: vintages, allocations and overage paid, and some events were refused.
    expect([...sources].sort()).toEqual(['allocation', 'overage', 'rollover']);
    expect(refused).toBeGreaterThan(0);
  });
});
