import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createServices } from '../services';
import { openLedger } from './ledger';
import { LATEST_VERSION, MIGRATIONS } from './migrations';
import { tempLedger, testClock } from './testing';

/**
 * Each migration is tested from the version before it, with data in the ledger: the data
 * survives and the new structures work with it.
 */

const PLAN = JSON.stringify({
  limit: 'channel_specific',
  credits: { SMS: 500 },
  renew: 'monthly',
  rollover: true,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
});

function seedVersion1(db: Database.Database): void {
  db.exec(`
    INSERT INTO environments (id, name, demo, created_at) VALUES ('ENV-1', 'Production', 0, 1);
    INSERT INTO spaces (id, environment_id, name, am_name, am_email, created_at) VALUES ('SP-1', 'ENV-1', 'Retail', 'Ana', 'ana@example.com', 1);
    INSERT INTO space_channels (space_id, channel, bidirectional, added_at) VALUES ('SP-1', 'SMS', 1, 1);
    INSERT INTO plans (ref, id, space_id, version, config, deleted_at, created_at, created_by, updated_at, updated_by)
      VALUES (1, 'CP-OLD', 'SP-1', 1, '${PLAN}', NULL, 1767225600000, 'ana', 1767225600000, 'ana');
    INSERT INTO plan_versions (plan_ref, version, action, config, at, actor) VALUES (1, 1, 'created', '${PLAN}', 1767225600000, 'ana');
    INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes)
      VALUES (1, 'CP-OLD', 'SP-1', 1, 'created', 'ana', 1767225600000, '${PLAN}', '[]');
    INSERT INTO outbox (change_id, plan_ref, plan_id, kind, version, base_version, payload, created_at)
      VALUES ('c-1', 1, 'CP-OLD', 'plan.create', 1, 0, '{}', 1767225600000);
    INSERT INTO notifications (id, plan_ref, plan_id, space_id, change_id, kind, recipient, subject, text_body, html_body, created_at, updated_at)
      VALUES ('NT-1', 1, 'CP-OLD', 'SP-1', 'c-1', 'activated', 'ana@example.com', 's', 't', 'h', 1, 1);
  `);
}

describe('migrations', () => {
  it('are numbered 1, 2, 3, … without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('1 (core) creates the organisation, plans, history, outbox, sync state and notifications on an empty file', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      expect(t.ledger.db.pragma('user_version', { simple: true })).toBe(1);
      seedVersion1(t.ledger.db);
      expect(() => t.ledger.db.exec("UPDATE history_log SET actor = 'mallory'")).toThrow(/append-only/);
      expect(() => t.ledger.db.exec('DELETE FROM history_log')).toThrow(/append-only/);
      expect(t.ledger.db.prepare('SELECT state FROM sync_state').get()).toEqual({ state: 'offline' });
    } finally {
      t.cleanup();
    }
  });

  it('2 (usage) upgrades a version-1 ledger with plans in it; their engine state is rebuilt and usage counts', async () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const ledger = t.reopen({ targetVersion: 2 });
      expect(ledger.db.pragma('user_version', { simple: true })).toBe(2);
      expect(ledger.db.prepare('SELECT count(*) AS n FROM plans').get()).toEqual({ n: 1 });
      expect(ledger.db.prepare('SELECT count(*) AS n FROM history_log').get()).toEqual({ n: 1 });
      // The usage tables work with the plan that existed before them.
      const clock = testClock('2026-01-20T00:00:00Z');
      // The import writes today's usage layout: the latest version.
      const ledger3 = t.reopen();
      const services = createServices({ ledger: ledger3, clock });
      const report = await services.usage.importText(
        'u.csv',
        'id,spaceId,channel,direction,credits,occurredAt\nu1,SP-1,SMS,MT,120,2026-01-10T09:00:00Z\n',
        'ana',
      );
      expect(report.inserted).toBe(1);
      const state = services.details.state('CP-OLD');
      expect(state.buckets).toEqual([expect.objectContaining({ bucket: 'SMS', used: 120, remaining: 380 })]);
    } finally {
      t.cleanup();
    }
  });

  it('3 (drafts, history filter indexes) upgrades a version-2 ledger with usage in it', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const v2 = t.reopen({ targetVersion: 2 });
      v2.db.exec(`
        INSERT INTO usage_events (id, space_id, channel, direction, credits, occurred_at, plan_ref) VALUES ('u1', 'SP-1', 'SMS', 'MT', 5, 1768000000000, 1);
        INSERT INTO usage_slots (plan_ref, slot, channel, mt_credits) VALUES (1, 1964444, 'SMS', 5);
      `);
      const v3 = t.reopen({ targetVersion: 3 });
      expect(v3.db.pragma('user_version', { simple: true })).toBe(3);
      expect(v3.db.prepare('SELECT count(*) AS n FROM usage_events').get()).toEqual({ n: 1 });
      v3.db
        .prepare('INSERT INTO drafts (id, space_id, name, config, author, saved_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run('DR-1', 'SP-1', 'Bigger SMS', PLAN, 'ana', 2);
      const plan = v3.db.prepare("EXPLAIN QUERY PLAN SELECT * FROM history_log WHERE actor = 'ana' ORDER BY at DESC").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/history_by_actor/);
    } finally {
      t.cleanup();
    }
  });

  it('4 (sync) upgrades a version-3 ledger: history keeps its rows and seqs, learns their sync state, stays append-only', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      t.ledger.db.exec(`
        INSERT INTO plan_versions (plan_ref, version, action, config, at, actor) VALUES (1, 2, 'updated', '${PLAN}', 1767225700000, 'ana');
        INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes)
          VALUES (1, 'CP-OLD', 'SP-1', 2, 'updated', 'ana', 1767225700000, '${PLAN}', '[]');
        INSERT INTO outbox (change_id, plan_ref, plan_id, kind, version, base_version, payload, created_at, status)
          VALUES ('c-2', 1, 'CP-OLD', 'plan.edit', 2, 1, '{}', 1767225700000, 'pending');
        UPDATE outbox SET status = 'accepted' WHERE change_id = 'c-1';
      `);
      t.reopen({ targetVersion: 3 });
      const v4 = t.reopen({ targetVersion: 4 });
      expect(v4.db.pragma('user_version', { simple: true })).toBe(4);
      expect(v4.db.prepare('SELECT seq, version, change_id, sync FROM history_log ORDER BY seq').all()).toEqual([
        { seq: 1, version: 1, change_id: 'c-1', sync: 'confirmed' },
        { seq: 2, version: 2, change_id: 'c-2', sync: 'local' },
      ]);
      // A local entry is settled once; a confirmed one never changes; none is ever deleted.
      v4.db.exec("UPDATE history_log SET sync = 'conflicted' WHERE seq = 2");
      expect(() => v4.db.exec("UPDATE history_log SET actor = 'mallory' WHERE seq = 1")).toThrow(/append-only/);
      expect(() => v4.db.exec("UPDATE history_log SET plan_id = 'CP-X' WHERE seq = 2")).toThrow(/append-only/);
      expect(() => v4.db.exec('DELETE FROM history_log WHERE seq = 2')).toThrow(/append-only/);
      // Set aside, my version 2 and the central version 2 are both on record.
      v4.db.exec(`INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, sync)
        VALUES (1, 'CP-OLD', 'SP-1', 2, 'updated', 'bob', 1767225800000, '${PLAN}', '[]', 'confirmed')`);
      expect(() => v4.db.exec(`INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, sync)
        VALUES (1, 'CP-OLD', 'SP-1', 2, 'updated', 'eve', 1767225900000, '${PLAN}', '[]', 'local')`)).toThrow(/UNIQUE/);
      const plan = v4.db.prepare("EXPLAIN QUERY PLAN SELECT * FROM history_log INDEXED BY history_by_time ORDER BY at DESC").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/history_by_time/);
      expect(v4.db.prepare('SELECT count(*) AS n FROM sync_conflicts').get()).toEqual({ n: 0 });
    } finally {
      t.cleanup();
    }
  });

  it('4 (sync) upgrades a version-3 ledger: history keeps every row and seq, entries learn their sync state', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const v3 = t.reopen({ targetVersion: 3 });
      v3.db.exec(`
        INSERT INTO plan_versions (plan_ref, version, action, config, at, actor) VALUES (1, 2, 'updated', '${PLAN}', 1767312000000, 'bob');
        INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes)
          VALUES (1, 'CP-OLD', 'SP-1', 2, 'updated', 'bob', 1767312000000, '${PLAN}', '[{"field":"credits.SMS","old":400,"new":500}]');
        INSERT INTO outbox (change_id, plan_ref, plan_id, kind, version, base_version, payload, created_at)
          VALUES ('c-2', 1, 'CP-OLD', 'plan.edit', 2, 1, '{}', 1767312000000);
        UPDATE outbox SET status = 'accepted' WHERE change_id = 'c-1';
      `);
      const before = v3.db.prepare('SELECT seq, plan_id, version, actor, at, changes FROM history_log ORDER BY seq').all();
      const v4 = t.reopen({ targetVersion: 4 });
      expect(v4.db.pragma('user_version', { simple: true })).toBe(4);
      expect(v4.db.prepare('SELECT seq, plan_id, version, actor, at, changes FROM history_log ORDER BY seq').all()).toEqual(before);
      expect(v4.db.prepare('SELECT version, change_id, sync FROM history_log ORDER BY seq').all()).toEqual([
        { version: 1, change_id: 'c-1', sync: 'confirmed' },
        { version: 2, change_id: 'c-2', sync: 'local' },
      ]);
      expect(() => v4.db.exec('DELETE FROM history_log')).toThrow(/append-only/);
      expect(() => v4.db.exec("UPDATE history_log SET actor = 'mallory' WHERE version = 1")).toThrow(/append-only/);
      // The history indexes the pages rely on exist again after the rebuild.
      const plan = v4.db.prepare("EXPLAIN QUERY PLAN SELECT * FROM history_log INDEXED BY history_by_time WHERE at < 5 ORDER BY at DESC").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/history_by_time/);
    } finally {
      t.cleanup();
    }
  });

  it('5 (history filter indexes) upgrades a version-4 ledger: entries kept, a space filtered by action or person seeks its own index', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const v4 = t.reopen({ targetVersion: 4 });
      v4.db.exec(`
        INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, sync)
          VALUES (1, 'CP-OLD', 'SP-1', 2, 'deleted', 'bob', 1767312000000, '${PLAN}', '[]', 'local');
      `);
      const before = v4.db.prepare('SELECT * FROM history_log ORDER BY seq').all();
      const v5 = t.reopen({ targetVersion: 5 });
      expect(v5.db.pragma('user_version', { simple: true })).toBe(5);
      expect(v5.db.prepare('SELECT * FROM history_log ORDER BY seq').all()).toEqual(before);
      const planOf = (sql: string) => (v5.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((p) => p.detail).join(' ');
      for (const [where, index] of [
        ["space_id = 'SP-1' AND action = 'deleted'", 'history_by_space_action'],
        ["space_id = 'SP-1' AND actor = 'bob'", 'history_by_space_actor'],
        ["plan_id = 'CP-OLD' AND action = 'deleted'", 'history_by_plan_action'],
        ["plan_id = 'CP-OLD' AND actor = 'bob'", 'history_by_plan_actor'],
      ] as const) {
        const sql = `SELECT * FROM history_log INDEXED BY ${index} WHERE ${where} AND at < 1767400000000 ORDER BY at DESC, seq DESC LIMIT 51`;
        // Equalities and the date bound in the index's search, and no sort: the first rows are the newest.
        expect(planOf(sql)).toMatch(new RegExp(`SEARCH history_log USING INDEX ${index} \\(\\w+=\\? AND \\w+=\\? AND at<\\?\\)`));
        expect(planOf(sql)).not.toMatch(/TEMP B-TREE/);
      }
      expect(v5.db.prepare("SELECT actor FROM history_log INDEXED BY history_by_space_action WHERE space_id = 'SP-1' AND action = 'deleted'").all()).toEqual([{ actor: 'bob' }]);
    } finally {
      t.cleanup();
    }
  });

  it('6 (usage codes) upgrades a version-5 ledger: every event keeps its seq and reads the same, rejections stay attached', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const v5 = t.reopen({ targetVersion: 5 });
      v5.db.exec(`
        INSERT INTO spaces (id, environment_id, name, am_name, am_email, created_at) VALUES ('SP-2', 'ENV-1', 'Bank', 'Bo', 'bo@example.com', 2);
        INSERT INTO usage_events (seq, id, space_id, channel, direction, credits, occurred_at, plan_ref, identity, campaign, import_ref) VALUES
          (1, 'u1', 'SP-1', 'SMS', 'MT', 5, 1768000000000, 1, '+34600000000', 'spring', 1),
          (2, 'u2', 'SP-1', 'SMS', 'MO', 1, 1768000001000, 1, NULL, NULL, 1),
          (7, 'u3', 'SP-2', 'RCS', 'MT', 3, 1768000002000, NULL, NULL, NULL, 1),
          (9, 'u4', 'SP-2', 'WhatsApp', 'MO', 1, 1768000003000, NULL, NULL, NULL, NULL),
          (10, 'u5', 'SP-1', 'Email', 'MT', 700, 1768000004000, 1, NULL, NULL, 2);
        INSERT INTO usage_rejections (event_seq, plan_ref, reason, decided_at) VALUES (10, 1, 'exhausted', 1768000005000);
      `);
      const columns = 'seq, id, space_id, channel, direction, credits, occurred_at, plan_ref, identity, campaign, import_ref';
      const before = v5.db.prepare(`SELECT ${columns} FROM usage_events ORDER BY seq`).all();
      const v6 = t.reopen({ targetVersion: 6 });
      expect(v6.db.pragma('user_version', { simple: true })).toBe(6);
      expect(v6.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(v6.db.prepare(`SELECT ${columns} FROM usage_event_rows ORDER BY seq`).all()).toEqual(before);
      expect(v6.db.prepare('SELECT kind FROM usage_events ORDER BY seq').all()).toEqual([{ kind: 0 }, { kind: 1 }, { kind: 8 }, { kind: 3 }, { kind: 4 }]);
      expect(v6.db.prepare('SELECT e.id FROM usage_rejections r JOIN usage_events e ON e.seq = r.event_seq').all()).toEqual([{ id: 'u5' }]);
      expect(v6.db.pragma('foreign_key_check')).toEqual([]);
      // The event id stays unique, and each index serves its reads.
      expect(() => v6.db.prepare("INSERT INTO usage_events (id, space_ref, kind, credits, occurred_at) VALUES ('u1', 1, 0, 1, 1)").run()).toThrow(/UNIQUE/);
      const planOf = (sql: string) => (v6.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((p) => p.detail).join(' ');
      expect(planOf('SELECT seq FROM usage_events WHERE plan_ref = 1 AND occurred_at >= 0 ORDER BY occurred_at')).toMatch(/usage_events_by_plan/);
      expect(planOf('SELECT seq FROM usage_events WHERE space_ref = 2 AND plan_ref IS NULL AND occurred_at >= 0')).toMatch(/usage_events_unattributed/);
      // A space added later, however it is added, gets its number.
      v6.db.exec("INSERT INTO spaces (id, environment_id, name, am_name, am_email, created_at) VALUES ('SP-3', 'ENV-1', 'New', 'Cy', 'cy@example.com', 3)");
      expect(v6.db.prepare('SELECT space_id FROM space_refs ORDER BY ref').all()).toEqual([{ space_id: 'SP-1' }, { space_id: 'SP-2' }, { space_id: 'SP-3' }]);
    } finally {
      t.cleanup();
    }
  });

  it('7 (space usage) upgrades a version-6 ledger: usage per space by channel, identity and campaign is filled from the raw events, rejections included', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const v6 = t.reopen({ targetVersion: 6 });
      // kind = channel index × 2 + 1 for MO: SMS MT 0, SMS MO 1, Email MT 4, RCS MT 8.
      v6.db.exec(`
        INSERT INTO spaces (id, environment_id, name, am_name, am_email, created_at) VALUES ('SP-2', 'ENV-1', 'Bank', 'Bo', 'bo@example.com', 2);
        INSERT INTO usage_events (seq, id, space_ref, kind, credits, occurred_at, plan_ref, identity, campaign, import_ref) VALUES
          (1, 'u1', 1, 0, 5, 1767952800000, 1, 'ana', 'spring', 1),
          (2, 'u2', 1, 1, 1, 1767952801000, 1, 'ana', NULL, 1),
          (3, 'u3', 2, 8, 3, 1767956400000, NULL, NULL, 'spring', 1),
          (4, 'u4', 1, 4, 700, 1768039200000, 1, 'bo', 'summer', 2),
          (5, 'u5', 1, 0, 2, 1767952800500, 1, 'bo', 'spring', 2);
        INSERT INTO usage_rejections (event_seq, plan_ref, reason, decided_at) VALUES (4, 1, 'exhausted', 1768039200001);
      `);
      const v7 = t.reopen({ targetVersion: 7 });
      expect(v7.db.pragma('user_version', { simple: true })).toBe(7);
      expect(v7.db.prepare('SELECT dim, name FROM usage_labels ORDER BY dim, name').all()).toEqual([
        { dim: 1, name: 'ana' },
        { dim: 1, name: 'bo' },
        { dim: 2, name: 'spring' },
        { dim: 2, name: 'summer' },
      ]);
      const rows = (level: number, dim: number) =>
        v7.db
          .prepare(
            `SELECT s.space_id, u.unit, coalesce(l.name, u.key) AS key, u.mt_credits AS mt, u.mo_count AS mo, u.rejected_credits AS rejected
             FROM space_usage u JOIN space_refs s ON s.ref = u.space_ref LEFT JOIN usage_labels l ON u.dim > 0 AND l.ref = u.key
             WHERE u.level = ? AND u.dim = ? ORDER BY s.space_id, u.unit, key`,
          )
          .all(level, dim);
      const day = Math.floor(1767952800000 / 86_400_000);
      expect(rows(2, 0)).toEqual([
        { space_id: 'SP-1', unit: day, key: 0, mt: 7, mo: 1, rejected: 0 },
        { space_id: 'SP-1', unit: day + 1, key: 2, mt: 700, mo: 0, rejected: 700 },
        { space_id: 'SP-2', unit: day, key: 4, mt: 3, mo: 0, rejected: 0 },
      ]);
      expect(rows(2, 1)).toEqual([
        { space_id: 'SP-1', unit: day, key: 'ana', mt: 5, mo: 1, rejected: 0 },
        { space_id: 'SP-1', unit: day, key: 'bo', mt: 2, mo: 0, rejected: 0 },
        { space_id: 'SP-1', unit: day + 1, key: 'bo', mt: 700, mo: 0, rejected: 700 },
      ]);
      expect(rows(2, 2)).toEqual([
        { space_id: 'SP-1', unit: day, key: 'spring', mt: 7, mo: 0, rejected: 0 },
        { space_id: 'SP-1', unit: day + 1, key: 'summer', mt: 700, mo: 0, rejected: 700 },
        { space_id: 'SP-2', unit: day, key: 'spring', mt: 3, mo: 0, rejected: 0 },
      ]);
      // Channels by slots and hours, identities and campaigns by hours and months, hold the same totals per key as the days.
      const sums = (level: number, dims: string) =>
        v7.db.prepare(`SELECT dim, key, sum(mt_credits) AS mt, sum(mo_count) AS mo, sum(rejected_credits) AS r FROM space_usage WHERE level = ? AND dim IN (${dims}) GROUP BY dim, key ORDER BY dim, key`).all(level);
      expect(sums(0, '0')).toEqual(sums(2, '0'));
      expect(sums(1, '0, 1, 2')).toEqual(sums(2, '0, 1, 2'));
      expect(sums(3, '1, 2')).toEqual(sums(2, '1, 2'));
      expect(sums(3, '0')).toEqual([]);
      expect(sums(0, '1, 2')).toEqual([]);
      expect(v7.db.prepare('SELECT DISTINCT unit FROM space_usage WHERE level = 3').pluck().all()).toEqual([(2026 - 1970) * 12]);
      // Rejections keep it right from now on: accepted again, rejected again (with INSERT OR REPLACE, as the engine writes them).
      v7.db.exec('DELETE FROM usage_rejections WHERE event_seq = 4');
      expect(rows(2, 2)[1]).toMatchObject({ key: 'summer', rejected: 0 });
      v7.db.exec("INSERT OR REPLACE INTO usage_rejections (event_seq, plan_ref, reason, decided_at) VALUES (5, 1, 'exhausted', 1)");
      v7.db.exec("INSERT OR REPLACE INTO usage_rejections (event_seq, plan_ref, reason, decided_at) VALUES (5, 1, 'daily_limit', 2)");
      expect(rows(2, 1)[1]).toMatchObject({ key: 'bo', mt: 2, rejected: 2 });
      expect(rows(0, 0).reduce((s: number, r) => s + (r as { rejected: number }).rejected, 0)).toBe(2);
      expect(rows(3, 1).find((r) => (r as { key: string }).key === 'bo')).toMatchObject({ mt: 702, rejected: 2 });
      expect(v7.db.prepare('SELECT count(*) AS n FROM usage_labels').get()).toEqual({ n: 4 });
      expect(v7.db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('8 (plan credits) upgrades a version-7 ledger: its plan keeps its state, and credits given to it are a record that is never changed', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const v8 = t.reopen({ targetVersion: 8 });
      expect(v8.db.pragma('user_version', { simple: true })).toBe(8);
      const insert = (id: string, kind: string, bucket: string | null, credits: number | null, expires: string | null): unknown =>
        v8.db
          .prepare('INSERT INTO plan_credits (id, plan_ref, kind, bucket, credits, expires, price, answer, at, actor) VALUES (?, 1, ?, ?, ?, ?, NULL, ?, 1767400000000, ?)')
          .run(id, kind, bucket, credits, expires, '{"credits":{"SMS":50},"price":null}', 'ana');
      insert('TU-1', 'top_up', 'SMS', 50, 'never');
      insert('CN-1', 'charge_now', null, null, null);
      expect(() => insert('TU-1', 'top_up', 'SMS', 5, 'never')).toThrow(/UNIQUE/);
      expect(() => insert('TU-2', 'top_up', null, 5, 'never')).toThrow(/CHECK/);
      expect(() => insert('TU-3', 'top_up', 'SMS', 0, 'never')).toThrow(/CHECK/);
      expect(() => v8.db.exec("UPDATE plan_credits SET credits = 500 WHERE id = 'TU-1'")).toThrow(/never changed/);
      expect(() => v8.db.exec("DELETE FROM plan_credits WHERE id = 'TU-1'")).toThrow(/never deleted/);
      expect(v8.db.pragma('foreign_key_check')).toEqual([]);
      // The services read the record back, newest first.
      const services = createServices({ ledger: v8, clock: testClock('2026-01-05T00:00:00Z') });
      expect(services.credits.list('CP-OLD')).toMatchObject([{ id: 'CN-1' }, { id: 'TU-1', credits: { SMS: 50 }, actor: 'ana' }]);
    } finally {
      t.cleanup();
    }
  });

  it('9 (credit history) upgrades a version-8 ledger: every history entry and e-mail kept with its seq and order, every index and trigger as it was, and credits given are recorded', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const v8 = t.reopen({ targetVersion: 8 });
      v8.db.exec(`
        UPDATE history_log SET sync = 'confirmed', change_id = 'c-1' WHERE seq = 1;
        INSERT INTO plan_versions (plan_ref, version, action, config, at, actor) VALUES (1, 2, 'updated', '${PLAN}', 1767312000000, 'bob');
        INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync)
          VALUES (1, 'CP-OLD', 'SP-1', 2, 'updated', 'bob', 1767312000000, '${PLAN}', '[{"field":"overage","old":false,"new":true}]', 'c-2', 'conflicted');
        INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync)
          VALUES (1, 'CP-OLD', 'SP-1', 2, 'updated', 'cy', 1767312001000, '${PLAN}', '[]', 'c-3', 'confirmed');
        INSERT INTO notifications (id, plan_ref, plan_id, space_id, change_id, kind, recipient, subject, text_body, html_body, created_at, updated_at)
          VALUES ('NT-0', 1, 'CP-OLD', 'SP-1', NULL, 'updated', 'ana@example.com', 's2', 't2', 'h2', 1, 1);
      `);
      const schemaOf = (db: Database.Database): unknown[] =>
        db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE tbl_name IN ('history_log', 'notifications') AND type IN ('index', 'trigger') ORDER BY name").all();
      const history = 'SELECT seq, plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync FROM history_log ORDER BY seq';
      const mails = 'SELECT rowid, * FROM notifications ORDER BY rowid';
      const before = { schema: schemaOf(v8.db), history: v8.db.prepare(history).all(), mails: v8.db.prepare(mails).all() };
      expect(before.schema.length).toBeGreaterThanOrEqual(18);

      const v9 = t.reopen({ targetVersion: 9 });
      expect(v9.db.pragma('user_version', { simple: true })).toBe(9);
      expect(v9.db.prepare(history).all()).toEqual(before.history);
      expect(v9.db.prepare(mails).all()).toEqual(before.mails);
      expect(schemaOf(v9.db)).toEqual(before.schema);
      expect(v9.db.prepare('SELECT count(*) AS n FROM history_log WHERE credit IS NOT NULL').get()).toEqual({ n: 0 });
      expect(v9.db.pragma('foreign_key_check')).toEqual([]);

      const credit = '{"id":"TU-1","kind":"top_up","credits":{"SMS":50},"expires":"never","price":null,"week":null}';
      const entry = (action: string, sync: string, creditJson: string | null): unknown =>
        v9.db
          .prepare(`INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, sync, credit) VALUES (1, 'CP-OLD', 'SP-1', 2, ?, 'dee', 1767400000000, ?, '[]', ?, ?)`)
          .run(action, PLAN, sync, creditJson);
      // Credits given share the plan's version with its live entry, and are kept here.
      entry('credits_added', 'console_only', credit);
      expect(() => entry('credits_added', 'local', credit)).toThrow(/CHECK/);
      expect(() => entry('charged_now', 'console_only', null)).toThrow(/CHECK/);
      expect(() => entry('updated', 'console_only', null)).toThrow(/CHECK/);
      expect(() => entry('topped_up', 'console_only', credit)).toThrow(/CHECK/);
      // The live versions stay unique, and the log append-only.
      expect(() => entry('updated', 'local', null)).toThrow(/UNIQUE/);
      expect(() => v9.db.exec("UPDATE history_log SET sync = 'confirmed' WHERE action = 'credits_added'")).toThrow(/append-only/);
      expect(() => v9.db.exec("UPDATE history_log SET actor = 'mallory' WHERE seq = 1")).toThrow(/append-only/);
      expect(() => v9.db.exec('DELETE FROM history_log WHERE seq = 2')).toThrow(/append-only/);
      v9.db.exec("UPDATE history_log SET sync = 'dropped' WHERE seq = 2");

      const mail = (kind: string): unknown =>
        v9.db
          .prepare(`INSERT INTO notifications (id, plan_ref, plan_id, space_id, change_id, kind, recipient, subject, text_body, html_body, created_at, updated_at)
            VALUES (?, 1, 'CP-OLD', 'SP-1', NULL, ?, 'ana@example.com', 's', 't', 'h', 2, 2)`)
          .run(`NT-${kind}`, kind);
      mail('credits_added');
      expect(() => mail('bogus')).toThrow(/CHECK/);
      const plan = v9.db.prepare("EXPLAIN QUERY PLAN SELECT * FROM history_log INDEXED BY history_by_space_action WHERE space_id = 'SP-1' AND action = 'credits_added' ORDER BY at DESC").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/history_by_space_action/);

      // The services read the new entries back.
      const services = createServices({ ledger: v9, clock: testClock('2026-01-05T00:00:00Z') });
      expect(services.history.list({ spaceId: 'SP-1', action: 'credits_added' }, null, 10).entries).toMatchObject([
        { action: 'credits_added', actor: 'dee', version: 2, sync: 'console_only', credit: { id: 'TU-1', credits: { SMS: 50 }, expires: 'never', price: null } },
      ]);
    } finally {
      t.cleanup();
    }
  });

  it('10 (credit sync) upgrades a version-9 ledger: outbox and history kept row for row, credits may wait in the outbox and settle', () => {
    const t = tempLedger({ targetVersion: 1 });
    try {
      seedVersion1(t.ledger.db);
      const v9 = t.reopen({ targetVersion: 9 });
      const credit = '{"id":"TU-1","kind":"top_up","credits":{"SMS":50},"expires":"never","price":null,"week":null}';
      v9.db
        .prepare(`INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, sync, credit) VALUES (1, 'CP-OLD', 'SP-1', 1, 'credits_added', 'dee', 1767400000000, ?, '[]', 'console_only', ?)`)
        .run(PLAN, credit);
      const history = 'SELECT * FROM history_log ORDER BY seq';
      const outbox = 'SELECT * FROM outbox ORDER BY seq';
      const before = { history: v9.db.prepare(history).all(), outbox: v9.db.prepare(outbox).all() };

      const v10 = t.reopen({ targetVersion: 10 });
      expect(v10.db.pragma('user_version', { simple: true })).toBe(10);
      expect(v10.db.prepare(history).all()).toEqual(before.history);
      expect(v10.db.prepare(outbox).all()).toEqual(before.outbox);
      expect(v10.db.pragma('foreign_key_check')).toEqual([]);

      const queue = (id: string, kind: string, version: number | null): unknown =>
        v10.db
          .prepare("INSERT INTO outbox (change_id, plan_ref, plan_id, kind, version, base_version, payload, created_at) VALUES (?, 1, 'CP-OLD', ?, ?, NULL, '{}', 1)")
          .run(id, kind, version);
      queue('TU-2', 'plan.top_up', null);
      queue('CN-2', 'plan.charge_now', null);
      expect(() => queue('TU-3', 'plan.top_up', 1)).toThrow(/CHECK/);
      expect(() => queue('TU-4', 'plan.top_off', null)).toThrow(/CHECK/);
      expect(() => queue('X-5', 'plan.edit', null)).toThrow(/CHECK/);

      const entry = (sync: string, creditJson: string | null, action = 'credits_added'): unknown =>
        v10.db
          .prepare(`INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync, credit) VALUES (1, 'CP-OLD', 'SP-1', 1, ?, 'dee', 1767400000000, ?, '[]', 'TU-2', ?, ?)`)
          .run(action, PLAN, sync, creditJson);
      // Credit entries wait (local) beside the plan's live version 1 and settle; versions stay unique.
      entry('local', credit);
      expect(() => entry('conflicted', credit)).toThrow(/CHECK/);
      expect(() => entry('refused', null, 'updated')).toThrow(/CHECK/);
      expect(() => entry('local', null, 'updated')).toThrow(/UNIQUE/);
      v10.db.exec("UPDATE history_log SET sync = 'confirmed' WHERE change_id = 'TU-2'");
      expect(() => v10.db.exec("UPDATE history_log SET sync = 'refused' WHERE change_id = 'TU-2'")).toThrow(/append-only/);
      expect(() => v10.db.exec("UPDATE history_log SET actor = 'mallory' WHERE credit IS NOT NULL AND sync = 'console_only'")).toThrow(/append-only/);
      expect(() => v10.db.exec('DELETE FROM history_log WHERE credit IS NOT NULL')).toThrow(/append-only/);
    } finally {
      t.cleanup();
    }
  });

  it('a failing migration leaves the ledger at the version before it', () => {
    const t = tempLedger({ targetVersion: 2 });
    try {
      // A table the next migration wants to create already exists: migration 3 fails midway.
      t.ledger.db.exec('CREATE TABLE drafts (x INTEGER)');
      t.ledger.close();
      expect(() => openLedger(t.path)).toThrow(/drafts already exists/);
      const ledger = openLedger(t.path, { targetVersion: 2 });
      expect(ledger.db.pragma('user_version', { simple: true })).toBe(2);
      expect(ledger.db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'history_by_actor'").get()).toEqual({ n: 0 });
      t.ledger = ledger;
    } finally {
      t.cleanup();
    }
  });
});
