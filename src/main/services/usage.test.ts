import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { BEGINNING, insertPlan, insertPlanVersion } from '../ledger';
import { importUsageFile } from '../usage-import';
import { refreshPlans } from '../accounts';
import { ApiFailure } from '../../shared/api';
import { csv, makeWorld, type World } from './testing';

let w: World;
afterEach(() => w?.cleanup());

const sms: PlanConfig = {
  limit: 'channel_specific',
  credits: { SMS: 100 },
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-03-01', timeZone: 'UTC' },
};

describe('usage import', () => {
  it('imports CSV, reports bad rows with their line and reason, keeps the good ones', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    const text = [
      'id,spaceId,channel,direction,credits,occurredAt,identity,campaign',
      'a1,SP-RETAIL,SMS,MT,3,2026-03-02T10:00:00Z,+34600000000,spring',
      'a2,SP-NOPE,SMS,MT,1,2026-03-02T10:00:00Z,,',
      'a3,SP-RETAIL,Fax,MT,1,2026-03-02T10:00:00Z,,',
      'a4,SP-RETAIL,Push,MT,1,2026-03-02T10:00:00Z,,',
      'a5,SP-RETAIL,SMS,XX,1,2026-03-02T10:00:00Z,,',
      'a6,SP-RETAIL,SMS,MT,0,2026-03-02T10:00:00Z,,',
      'a7,SP-RETAIL,SMS,MT,1,2026-02-30T10:00:00Z,,',
      'a8,SP-RETAIL,SMS,MT,1,2026-04-02T10:00:00Z,,',
      ',SP-RETAIL,SMS,MT,1,2026-03-02T10:00:00Z,,',
      'a9,SP-RETAIL,SMS,MT,1',
      '',
      'a10,SP-RETAIL,sms,mo,,2026-03-02T11:00:00+01:00,"Doe, Jane","say ""hi"""',
      'a11,SP-RETAIL,WhatsApp,MT,2,2026-03-03T10:00:00.250Z,,',
    ].join('\r\n');
    const report = await w.services.usage.importText('march.csv', text, 'ana');
    expect(report).toMatchObject({ rowsRead: 12, inserted: 3, duplicates: 0, rejectedByPlan: 0, badRowsTruncated: false });
    expect(report.badRows).toEqual([
      { line: 3, reason: 'spaceId: no space "SP-NOPE" in this ledger' },
      { line: 4, reason: 'channel: "Fax" is not a channel (SMS, WhatsApp, Email, Push, RCS)' },
      { line: 5, reason: 'channel: space SP-RETAIL has no Push channel; add it to the space first' },
      { line: 6, reason: 'direction: "XX" must be MT or MO' },
      { line: 7, reason: 'credits: must be a whole number from 1 to 1000000000000' },
      { line: 8, reason: 'occurredAt: "2026-02-30T10:00:00Z" is not an ISO-8601 instant such as 2026-01-10T09:00:00Z' },
      { line: 9, reason: expect.stringMatching(/^occurredAt: 2026-04-02T10:00:00Z is later than now/) },
      { line: 10, reason: 'id: is missing (every event needs its id, the idempotency key)' },
      { line: 11, reason: 'expected 8 fields as in the header, found 5' },
    ]);
    const row = w.t.ledger.db.prepare("SELECT * FROM usage_event_rows WHERE id = 'a10'").get();
    expect(row).toMatchObject({ channel: 'SMS', direction: 'MO', credits: 1, occurred_at: Date.parse('2026-03-02T10:00:00Z'), identity: 'Doe, Jane', campaign: 'say "hi"' });
    expect(w.t.ledger.db.prepare("SELECT occurred_at FROM usage_events WHERE id = 'a11'").get()).toEqual({ occurred_at: Date.parse('2026-03-03T10:00:00.250Z') });
  });

  it('is idempotent by event id: importing the same file twice has one effect', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    const plan = w.services.plans.create(w.spaceId, sms, 'ana');
    const file = csv(['u1,SP-RETAIL,SMS,MT,30,2026-03-02T10:00:00Z', 'u2,SP-RETAIL,SMS,MT,30,2026-03-03T10:00:00Z', 'u1,SP-RETAIL,SMS,MT,30,2026-03-04T10:00:00Z']);
    const first = await w.services.usage.importText('a.csv', file, 'ana');
    expect(first).toMatchObject({ inserted: 2, duplicates: 1 });
    const second = await w.services.usage.importText('a.csv', file, 'ana');
    expect(second).toMatchObject({ inserted: 0, duplicates: 3 });
    expect(w.services.details.state(plan.id).buckets[0]).toMatchObject({ used: 60, remaining: 40 });
  });

  it('imports JSON Lines (SPEC §1 events), with defaults and line numbers', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    const lines = [
      '{"id":"j1","spaceId":"SP-RETAIL","channel":"SMS","occurredAt":"2026-03-05T00:00:00Z"}',
      '{"id":"j2","spaceId":"SP-RETAIL","channel":"Email","direction":"MO","credits":4,"occurredAt":"2026-03-05T00:00:00Z","campaign":"c"}',
      'not json',
      '[1,2]',
      '{"id":7,"spaceId":"SP-RETAIL","channel":"SMS","occurredAt":"2026-03-05T00:00:00Z"}',
      '{"id":"j3","spaceId":"SP-RETAIL","channel":"SMS","credits":1.5,"occurredAt":"2026-03-05T00:00:00Z"}',
    ].join('\n');
    const report = await w.services.usage.importText('events.jsonl', lines, 'ana');
    expect(report.inserted).toBe(2);
    expect(report.badRows).toEqual([
      { line: 3, reason: 'not valid JSON (each line must be one usage event object)' },
      { line: 4, reason: 'must be a JSON object with id, spaceId, channel, direction, credits, occurredAt' },
      { line: 5, reason: 'id: must be a string' },
      { line: 6, reason: 'credits: must be a whole number from 1 to 1000000000000' },
    ]);
    expect(w.t.ledger.db.prepare("SELECT direction, credits FROM usage_event_rows WHERE id = 'j1'").get()).toEqual({ direction: 'MT', credits: 1 });
  });

  it('refuses a file whose header lacks required columns, importing nothing', async () => {
    w = makeWorld();
    await expect(w.services.usage.importText('x.csv', 'id,space,channel,occurredAt\nx,SP-RETAIL,SMS,2026-03-01T00:00:00Z', 'ana')).rejects.toThrow(
      /Nothing was imported: line 1: the CSV header lacks spaceId/,
    );
    await expect(w.services.usage.importText('x.csv', '\n\n', 'ana')).rejects.toBeInstanceOf(ApiFailure);
    expect(w.t.ledger.db.prepare('SELECT count(*) AS n FROM usage_events').get()).toEqual({ n: 0 });
  });

  it('streams a large file from disk with progress (rows done / total bytes)', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    const rows = ['id,spaceId,channel,direction,credits,occurredAt'];
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 120_000; i += 1) rows.push(`big-${i},SP-RETAIL,${i % 3 === 0 ? 'Email' : 'SMS'},MT,1,${new Date(base + i * 7_000).toISOString()}`);
    const path = join(w.t.dir, 'big.csv');
    writeFileSync(path, rows.join('\n'));
    const progress: { rowsRead: number; bytesRead: number; bytesTotal: number | null; done: boolean }[] = [];
    const report = await w.services.usage.importFile(path, 'ana', (p) => progress.push(p));
    expect(report).toMatchObject({ rowsRead: 120_000, inserted: 120_000, badRows: [] });
    expect(progress.length).toBeGreaterThan(3);
    const last = progress[progress.length - 1]!;
    expect(last).toMatchObject({ done: true, rowsRead: 120_000, bytesRead: last.bytesTotal });
    for (let i = 1; i < progress.length; i += 1) expect(progress[i]!.bytesRead).toBeGreaterThanOrEqual(progress[i - 1]!.bytesRead);
    await expect(w.services.usage.importFile(join(w.t.dir, 'missing.csv'), 'ana')).rejects.toThrow(/cannot read/);
  });

  it('parses a large file in a worker thread with exactly the result of parsing it here', async () => {
    // Two ledgers, one file of several pieces: quoted line breaks and bad rows fall on piece
    // boundaries somewhere; duplicates, late events and MO rows included.
    const worlds = [makeWorld('2026-03-20T00:00:00Z'), makeWorld('2026-03-20T00:00:00Z')];
    try {
      const rows = ['id,spaceId,channel,direction,credits,occurredAt,identity,campaign'];
      const base = Date.parse('2026-03-01T00:00:00Z');
      for (let i = 0; i < 60_000; i += 1) {
        const t = new Date(base + ((i * 7_919) % 60_000) * 20_000).toISOString();
        if (i % 997 === 0) rows.push(`w-${i},SP-RETAIL,Fax,MT,1,${t},,`);
        else if (i % 1_009 === 0) rows.push(`w-${i - 1},SP-RETAIL,SMS,MT,1,${t},,`);
        else if (i % 401 === 0) rows.push(`w-${i},SP-RETAIL,SMS,MT,2,${t},"line one\nline two","a, ""b"""`);
        else rows.push(`w-${i},SP-RETAIL,${i % 3 === 0 ? 'Email' : 'SMS'},${i % 20 === 0 ? 'MO' : 'MT'},${1 + (i % 4)},${t},${i < 30_000 ? `+3460000${i}`.padEnd(70, '0') : ''},`);
      }
      const path = join(worlds[0]!.t.dir, 'pieces.csv');
      writeFileSync(path, rows.join('\n'));
      // Larger than the head this thread parses while the worker starts: both parse a part.
      expect(statSync(path).size).toBeGreaterThan(5 << 20);
      for (const world of worlds) world.services.plans.create(world.spaceId, { ...sms, credits: { SMS: 50_000 } }, 'ana');
      const importIn = (i: number, parseIn: 'worker' | 'here'): ReturnType<typeof importUsageFile> =>
        importUsageFile(worlds[i]!.t.ledger, path, { actor: 'ana', clock: worlds[i]!.clock, parseIn, importId: 'IM-SAME' });
      const [inWorker, here] = await Promise.all([importIn(0, 'worker'), importIn(1, 'here')]);
      expect(inWorker).toEqual(here);
      expect(inWorker.badRows.length).toBe(61);
      expect(inWorker.duplicates).toBeGreaterThan(0);
      expect(inWorker.rejectedByPlan).toBeGreaterThan(0);
      const dump = (world: World): unknown[] => [
        world.t.ledger.db.prepare('SELECT id, space_id, channel, direction, credits, occurred_at, plan_ref, identity, campaign FROM usage_event_rows ORDER BY seq').all(),
        world.t.ledger.db.prepare('SELECT e.id, r.reason FROM usage_rejections r JOIN usage_events e ON e.seq = r.event_seq ORDER BY e.id').all(),
        world.t.ledger.db.prepare('SELECT * FROM usage_slots ORDER BY plan_ref, slot, channel').all(),
        world.t.ledger.db.prepare('SELECT state FROM plan_accounts').all(),
      ];
      expect(dump(worlds[0]!)).toEqual(dump(worlds[1]!));
      expect(worlds[0]!.t.ledger.db.prepare("SELECT identity, campaign FROM usage_events WHERE id = 'w-401'").get()).toEqual({ identity: 'line one\nline two', campaign: 'a, "b"' });
      // A bad header refuses the file in the worker too, and nothing is written.
      const badHeader = join(worlds[0]!.t.dir, 'bad-header.csv');
      writeFileSync(badHeader, `id,space,channel,occurredAt\n${'x'.repeat(2_000_000)}\n`);
      await expect(importUsageFile(worlds[0]!.t.ledger, badHeader, { actor: 'ana', clock: worlds[0]!.clock, parseIn: 'worker' })).rejects.toThrow(
        /line 1: the CSV header lacks spaceId/,
      );
      expect(worlds[0]!.t.ledger.db.prepare('SELECT count(*) AS n FROM imports').get()).toEqual({ n: 1 });
    } finally {
      for (const world of worlds) world.cleanup();
    }
  });

  it('counts rejections by plan, and records events given directly with their decisions', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    w.services.plans.create(w.spaceId, sms, 'ana');
    const report = await w.services.usage.importText('a.csv', csv(['r1,SP-RETAIL,SMS,MT,80,2026-03-02T10:00:00Z', 'r2,SP-RETAIL,SMS,MT,30,2026-03-03T10:00:00Z']), 'ana');
    expect(report.rejectedByPlan).toBe(1);
    const decisions = w.services.usage.record(
      [
        { id: 'r3', spaceId: 'SP-RETAIL', channel: 'SMS', direction: 'MT', credits: 20, occurredAt: '2026-03-04T10:00:00Z' },
        { id: 'r4', spaceId: 'SP-RETAIL', channel: 'SMS', direction: 'MT', credits: 1, occurredAt: '2026-03-05T10:00:00Z' },
        { id: 'r2', spaceId: 'SP-RETAIL', channel: 'SMS', direction: 'MT', credits: 30, occurredAt: '2026-03-03T10:00:00Z' },
        { id: 'r5', spaceId: 'SP-RETAIL', channel: 'Email', direction: 'MT', credits: 1000, occurredAt: '2026-03-05T10:00:00Z' },
        { id: 'r6', spaceId: 'SP-RETAIL', channel: 'Email', direction: 'MT', credits: 1, occurredAt: '2030-03-05T10:00:00Z' },
      ],
      'ana',
    );
    expect(decisions).toEqual([
      { id: 'r3', accepted: true, reason: null },
      { id: 'r4', accepted: false, reason: 'exhausted' },
      { id: 'r2', accepted: false, reason: 'exhausted' },
      { id: 'r5', accepted: true, reason: null },
      { id: 'r6', accepted: false, reason: expect.stringMatching(/later than now/) },
    ]);
  });

  it('a late event replays the plan from the checkpoint before it: later decisions change', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    const plan = w.services.plans.create(w.spaceId, sms, 'ana');
    await w.services.usage.importText('a.csv', csv(['l1,SP-RETAIL,SMS,MT,60,2026-03-10T10:00:00Z', 'l2,SP-RETAIL,SMS,MT,40,2026-03-12T10:00:00Z']), 'ana');
    expect(w.services.details.state(plan.id).buckets[0]).toMatchObject({ used: 100, remaining: 0 });
    // A late event from March 5th uses 30 first: now the 40 of March 12th no longer fits.
    const late = await w.services.usage.importText('late.csv', csv(['l0,SP-RETAIL,SMS,MT,30,2026-03-05T10:00:00Z']), 'ana');
    expect(late.rejectedByPlan).toBe(0);
    expect(w.services.details.state(plan.id).buckets[0]).toMatchObject({ used: 90, remaining: 10 });
    const rejected = w.t.ledger.db.prepare('SELECT e.id FROM usage_rejections r JOIN usage_events e ON e.seq = r.event_seq').all();
    expect(rejected).toEqual([{ id: 'l2' }]);
    const used = w.services.details.usedByChannel(plan.id, Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z'));
    expect(used.rows).toEqual([{ channel: 'SMS', used: 90, moMessages: 0 }]);
    // The state at an instant in the past comes from a checkpoint and a replay.
    expect(w.services.details.state(plan.id, Date.parse('2026-03-11T00:00:00Z')).buckets[0]).toMatchObject({ used: 90 });
    expect(w.services.details.state(plan.id, Date.parse('2026-03-06T00:00:00Z')).buckets[0]).toMatchObject({ used: 30 });
    expect(w.services.details.state(plan.id, Date.parse('2026-02-06T00:00:00Z')).period).toBeNull();
  });

  it('a plan created with a past activation takes the traffic no plan covered since then', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    await w.services.usage.importText('a.csv', csv(['p1,SP-RETAIL,SMS,MT,60,2026-02-27T10:00:00Z', 'p2,SP-RETAIL,SMS,MT,40,2026-03-12T10:00:00Z', 'p3,SP-RETAIL,Email,MT,5,2026-03-12T10:00:00Z']), 'ana');
    const plan = w.services.plans.create(w.spaceId, sms, 'ana');
    expect(w.services.details.state(plan.id).buckets[0]).toMatchObject({ used: 40, remaining: 60 });
    // Deleted, then replaced by an all-channels plan activated before the deletion: the
    // deleted plan keeps what happened while it was in force.
    w.clock.set('2026-03-21T00:00:00Z');
    w.services.plans.delete(plan.id, 1, 'ana');
    const pool = w.services.plans.create(w.spaceId, { ...sms, limit: 'all_channels', credits: 1000 }, 'ana');
    await w.services.usage.importText('b.csv', csv(['p4,SP-RETAIL,SMS,MT,7,2026-03-22T10:00:00Z']), 'ana').catch(() => undefined);
    w.clock.set('2026-03-23T00:00:00Z');
    await w.services.usage.importText('b.csv', csv(['p4,SP-RETAIL,SMS,MT,7,2026-03-22T10:00:00Z']), 'ana');
    const byPlan = w.t.ledger.db
      .prepare('SELECT e.id, p.id AS plan FROM usage_events e LEFT JOIN plans p ON p.ref = e.plan_ref ORDER BY e.id')
      .all();
    expect(byPlan).toEqual([
      { id: 'p1', plan: null },
      { id: 'p2', plan: plan.id },
      { id: 'p3', plan: pool.id },
      { id: 'p4', plan: pool.id },
    ]);
    expect(w.services.details.state(pool.id).buckets[0]).toMatchObject({ bucket: 'ALL', used: 12, remaining: 988 });
  });

  it('refreshPlans: versions written from outside (a sync pull) re-attribute usage and re-decide it', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    await w.services.usage.importText('a.csv', csv(['x1,SP-RETAIL,SMS,MT,70,2026-03-02T10:00:00Z', 'x2,SP-RETAIL,SMS,MT,40,2026-03-12T10:00:00Z']), 'ana');
    const ledger = w.t.ledger;
    const config = { ...sms, credits: { SMS: 100 } };
    ledger.transaction(() => {
      const ref = insertPlan(ledger, { id: 'CP-PULLED', spaceId: 'SP-RETAIL', config, at: Date.parse('2026-03-01T00:00:00Z'), actor: 'central' });
      insertPlanVersion(ledger, ref, { version: 1, action: 'created', config, at: Date.parse('2026-03-01T00:00:00Z'), actor: 'central' });
      refreshPlans(ledger, [ref], BEGINNING, w.clock());
    });
    expect(w.services.details.state('CP-PULLED').buckets[0]).toMatchObject({ used: 70, remaining: 30 });
    const rejected = ledger.db.prepare('SELECT e.id FROM usage_rejections r JOIN usage_events e ON e.seq = r.event_seq').all();
    expect(rejected).toEqual([{ id: 'x2' }]);
  });
});
