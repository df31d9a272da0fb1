import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { makeWorld, type World } from './testing';

let w: World;
afterEach(() => w?.cleanup());

const base: PlanConfig = {
  limit: 'channel_specific',
  credits: { SMS: 100 },
  renew: 'weekly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'UTC' },
};

describe('credit history log', () => {
  it('pages newest first by keyset, with filters, and every entry appears exactly once', () => {
    w = makeWorld('2026-03-01T00:00:00Z');
    const plans: string[] = [];
    for (const [i, ch] of (['SMS', 'WhatsApp', 'Email'] as const).entries()) {
      plans.push(w.services.plans.create(w.spaceId, { ...base, credits: { [ch]: 100 } }, i === 0 ? 'ana' : 'bob').id);
    }
    // Several entries share an instant: the keyset (at, seq) still orders them.
    for (let round = 0; round < 10; round += 1) {
      if (round % 3 !== 0) w.clock.advance(1000);
      plans.forEach((id, i) => {
        const version = w.services.plans.get(id).version;
        w.services.plans.edit(id, version, { credits: { [(['SMS', 'WhatsApp', 'Email'] as const)[i]!]: 101 + round } }, round % 2 ? 'ana' : 'bob');
      });
    }
    w.services.plans.delete(plans[0]!, w.services.plans.get(plans[0]!).version, 'carla');

    const all: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = w.services.history.list({}, cursor, 7);
      all.push(...page.entries.map((e) => e.id));
      for (let i = 1; i < page.entries.length; i += 1) expect(page.entries[i - 1]!.at >= page.entries[i]!.at).toBe(true);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(all).toHaveLength(34);
    expect(new Set(all).size).toBe(34);
    expect(pages).toBe(5);

    expect(w.services.history.list({ action: 'deleted' }, null, 50).entries.map((e) => e.actor)).toEqual(['carla']);
    expect(w.services.history.list({ planId: plans[1] }, null, 50).entries).toHaveLength(11);
    expect(w.services.history.list({ actor: 'ana' }, null, 50).entries.every((e) => e.actor === 'ana')).toBe(true);
    expect(w.services.history.list({ actor: 'ana', action: 'created' }, null, 50).entries.map((e) => e.planId)).toEqual([plans[0]]);
    // Who: any part of the name, in any case.
    expect(w.services.history.list({ actor: 'AN' }, null, 50).entries.map((e) => e.actor)).toEqual(w.services.history.list({ actor: 'ana' }, null, 50).entries.map((e) => e.actor));
    expect(w.services.history.list({ actor: 'arl' }, null, 50).entries.map((e) => e.actor)).toEqual(['carla']);
    const window = w.services.history.list({ from: '2026-03-01T00:00:01Z', to: '2026-03-01T00:00:03Z' }, null, 50).entries;
    expect(window.map((e) => e.at)).toEqual(Array(6).fill('2026-03-01T00:00:02.000Z').concat(Array(3).fill('2026-03-01T00:00:01.000Z')));
    expect(() => w.services.history.list({}, 'not-a-cursor', 5)).toThrow(/cursor is not one this console produced/);
    expect(() => w.services.history.list({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, null, 5)).toThrow(/must end after/);
  });

  it('pages every filter combination the Credits tab sends (space with plan, action, person, dates) exactly like a scan of the log would', () => {
    w = makeWorld('2026-03-01T00:00:00Z');
    const other = w.services.org.createSpace({
      id: 'SP-OTHER',
      environmentId: w.envId,
      name: 'Other',
      accountManager: { name: 'Ana Ruiz', email: 'ana@example.com' },
      channels: [{ channel: 'SMS', bidirectional: true }],
    });
    const people = ['ana', 'bob', 'carla', 'Élodie'];
    const plans = [w.services.plans.create(w.spaceId, base, 'ana').id, w.services.plans.create(other.id, base, 'bob').id];
    w.services.plans.create(w.spaceId, { ...base, credits: { WhatsApp: 100 } }, 'carla');
    for (let round = 0; round < 12; round += 1) {
      w.clock.advance(round % 4 === 0 ? 0 : 3_600_000);
      for (const id of plans) {
        const version = w.services.plans.get(id).version;
        w.services.plans.edit(id, version, { credits: { SMS: 101 + round } }, people[round % 4]!);
      }
    }
    w.services.plans.delete(plans[0]!, w.services.plans.get(plans[0]!).version, 'bob');
    const everything = w.services.history.list({}, null, 500).entries;
    const from = '2026-03-01T02:00:00.000Z';
    const to = '2026-03-01T08:00:00.000Z';
    const filters = [];
    for (const spaceId of [w.spaceId, other.id])
      for (const planId of [undefined, plans[0]!])
        for (const action of [undefined, 'created', 'updated', 'deleted'] as const)
          // 'A' names two people (ana, carla), 'ÉL' only Élodie, beyond ASCII.
          for (const actor of [undefined, 'bob', 'OB', 'nobody', 'A', 'él'])
            for (const range of [{}, { from }, { from, to }]) {
              filters.push({ spaceId, ...(planId ? { planId } : {}), ...(action ? { action } : {}), ...(actor ? { actor } : {}), ...range });
            }
    for (const filter of filters) {
      const expected = everything.filter(
        (e) =>
          e.spaceId === filter.spaceId &&
          (filter.planId === undefined || e.planId === filter.planId) &&
          (filter.action === undefined || e.action === filter.action) &&
          (filter.actor === undefined || e.actor.toLowerCase().includes(filter.actor.toLowerCase())) &&
          (filter.from === undefined || e.at >= filter.from) &&
          (filter.to === undefined || e.at < filter.to),
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = w.services.history.list(filter, cursor, 4);
        seen.push(...page.entries.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen, JSON.stringify(filter)).toEqual(expected.map((e) => e.id));
    }
  });

  it('keeps times to the second, as the central service does, so changes of one second stay in the order they were made', () => {
    w = makeWorld('2026-03-01T10:00:00.400Z');
    const plan = w.services.plans.create(w.spaceId, base, 'ana');
    w.clock.advance(500); // 10:00:00.900
    w.services.plans.edit(plan.id, 1, { credits: { SMS: 150 } }, 'ana');
    const entries = w.services.history.list({ planId: plan.id }, null, 10).entries;
    expect(entries.map((e) => [e.version, e.at])).toEqual([
      [2, '2026-03-01T10:00:00.000Z'],
      [1, '2026-03-01T10:00:00.000Z'],
    ]);
  });

  it('exports the filtered log as CSV, streamed, with spreadsheet formulas defused', async () => {
    w = makeWorld('2026-03-01T00:00:00Z');
    const plan = w.services.plans.create(w.spaceId, base, '=HYPERLINK("http://x")');
    w.services.plans.edit(plan.id, 1, { credits: { SMS: 250 }, renew: 'monthly' }, 'bob, the admin');
    const exported = w.services.history.exportCsv({ planId: plan.id }, w.clock());
    expect(exported.rowCount).toBe(2);
    expect(exported.fileName).toBe('credit-history-2026-03-01-00-00-00.csv');
    const lines = exported.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('Credit Plan ID,Version,Action,Who,When (UTC),Environment,Space,Credit limit,Credits,Renew credits,Roll Over credits,Overage,Credit Plan Activation,Time zone,Changes,Sync');
    expect(lines[1]).toBe(`${plan.id},2,updated,"bob, the admin",2026-03-01T00:00:00.000Z,Production,Retail,Channel Specific,SMS: 250,Yes — Monthly,No,No,2026-01-01,UTC,SMS credits: 100 → 250; Renew credits: Yes — Weekly → Yes — Monthly,Not yet synced`);
    expect(lines[2]).toContain(`,created,"'=HYPERLINK(""http://x"")",`);
    const chunks: string[] = [];
    const rows = await w.services.history.writeCsv({}, (chunk) => {
      chunks.push(chunk);
    });
    expect(rows).toBe(2);
    expect(chunks.join('')).toBe(w.services.history.exportCsv({}, w.clock()).csv);
  });
});
