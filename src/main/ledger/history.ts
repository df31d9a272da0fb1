import type { PlanConfig } from '../../shared/domain';
import { decodeConfig } from './codec';
import type { Ledger } from './ledger';
import type { PlanAction } from './plans';
import type { HISTORY_SYNC_STATES, HistoryEntryAction } from '../../shared/api/constants';
import { historyCreditSchema, type HistoryCredit } from '../../shared/api/schemas';

/**
 * The credit history log: append-only (triggers refuse updates and deletes), read newest
 * first in keyset pages on (at, seq), so a page costs the same at any depth.
 */

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface HistoryRow {
  seq: number;
  planRef: number;
  planId: string;
  spaceId: string;
  version: number;
  action: HistoryEntryAction;
  actor: string;
  at: number;
  plan: PlanConfig;
  changes: FieldChange[];
  sync: HistorySync;
  /** Credits given (actions credits_added and charged_now); null for a plan version. */
  credit: HistoryCredit | null;
}

export type HistorySync = (typeof HISTORY_SYNC_STATES)[number];

export interface HistoryFilterMs {
  fromMs?: number;
  toMs?: number;
  spaceId?: string;
  planId?: string;
  action?: HistoryEntryAction;
  actor?: string;
}

/** The page query's columns, read as arrays (row objects with named keys cost twice as much). */
const PAGE_COLUMNS = 'h.seq, h.plan_ref, h.plan_id, h.space_id, h.version, h.action, h.actor, h.at, h.plan, h.changes, h.sync, h.credit';
type PageTuple = [number, number, string, string, number, HistoryEntryAction, string, number, string, string, HistorySync, string | null];

const decodeCredit = (text: string | null): HistoryCredit | null => (text === null ? null : historyCreditSchema.parse(JSON.parse(text)));

const fromTuple = (r: Readonly<[...PageTuple, ...unknown[]]>): HistoryRow => ({
  seq: r[0],
  planRef: r[1],
  planId: r[2],
  spaceId: r[3],
  version: r[4],
  action: r[5],
  actor: r[6],
  at: r[7],
  plan: decodeConfig(r[8]),
  // Creations and deletions change no field: skip the parse of their "[]".
  changes: r[9] === '[]' ? [] : (JSON.parse(r[9]) as FieldChange[]),
  sync: r[10],
  credit: decodeCredit(r[11]),
});

/**
 * A change made here. Its time is kept to the second, as the central service records it (SPEC
 * §8): once confirmed, an entry takes the central service's time, and one kept to the ms would
 * sort after a later change of the same second that was confirmed first. Ties are ordered by seq.
 */
export function insertHistory(ledger: Ledger, row: Omit<HistoryRow, 'seq' | 'sync' | 'credit' | 'action'> & { action: PlanAction }): number {
  const at = Math.floor(row.at / 1000) * 1000;
  const info = ledger
    .stmt(
      `INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(row.planRef, row.planId, row.spaceId, row.version, row.action, row.actor, at, JSON.stringify(row.plan), JSON.stringify(row.changes));
  return Number(info.lastInsertRowid);
}

/**
 * Credits given to a plan (a top-up or a charge-now), recorded beside its versions with who,
 * when, what and the price; the time is kept to the second like every entry's. `local` until the
 * central service accepts them (their outbox change carries the credit's id, kept as the entry's
 * change id), `confirmed` when pulled from it.
 */
export function insertCreditHistory(
  ledger: Ledger,
  row: { planRef: number; planId: string; spaceId: string; version: number; actor: string; at: number; plan: PlanConfig; credit: HistoryCredit; sync: 'local' | 'confirmed' },
): number {
  const at = Math.floor(row.at / 1000) * 1000;
  const action: HistoryEntryAction = row.credit.kind === 'charge_now' ? 'charged_now' : 'credits_added';
  const info = ledger
    .stmt(
      `INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync, credit)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?)`,
    )
    .run(row.planRef, row.planId, row.spaceId, row.version, action, row.actor, at, JSON.stringify(row.plan), row.credit.id, row.sync, JSON.stringify(historyCreditSchema.parse(row.credit)));
  return Number(info.lastInsertRowid);
}

/** Where credits given here stand with the central service: accepted, or refused (kept here, on record). */
export function settleCreditHistory(ledger: Ledger, creditId: string, sync: 'confirmed' | 'refused'): void {
  ledger.stmt("UPDATE history_log SET sync = ? WHERE change_id = ? AND credit IS NOT NULL AND sync = 'local'").run(sync, creditId);
}

export interface HistoryCursor {
  at: number;
  seq: number;
}

/**
 * The WHERE clause of a page, and the index that serves it. Every index ends with `at` (and the
 * rowid, seq), so each gives the rows newest first; the most selective filter picks the index.
 * The upper bound is one row value — the cursor, or the `to` filter, whichever is lower — so
 * that SQLite seeks straight to it instead of scanning down from `to`.
 */
function whereClause(filter: HistoryFilterMs, actors: readonly string[] | null, cursor: HistoryCursor | null): { sql: string; params: unknown[]; index: string } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.planId !== undefined) {
    parts.push('h.plan_id = ?');
    params.push(filter.planId);
  }
  if (actors !== null) {
    parts.push(actors.length === 1 ? 'h.actor = ?' : `h.actor IN (${actors.map(() => '?').join(', ')})`);
    params.push(...actors);
  }
  if (filter.spaceId !== undefined) {
    parts.push('h.space_id = ?');
    params.push(filter.spaceId);
  }
  if (filter.action !== undefined) {
    parts.push('h.action = ?');
    params.push(filter.action);
  }
  if (filter.fromMs !== undefined) {
    parts.push('h.at >= ?');
    params.push(filter.fromMs);
  }
  // seq is at least 1, so (at, seq) < (to, 0) is exactly at < to.
  let upper: HistoryCursor | null = filter.toMs !== undefined ? { at: filter.toMs, seq: 0 } : null;
  if (cursor !== null && (upper === null || cursor.at < upper.at)) upper = cursor;
  if (upper !== null) {
    parts.push('(h.at, h.seq) < (?, ?)');
    params.push(upper.at, upper.seq);
  }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params, index: indexFor(filter, actors) };
}

/**
 * The index whose leading columns are the filter's equalities, so the newest matching entry is
 * one seek away. A plan belongs to one space, so a plan filter leads; one person is more
 * selective than an action (three values), so with both, the person's index is used and the
 * action is checked on its entries. Several people matched by a part of a name are found through
 * the other filters' index, newest first, and the names checked on each entry.
 */
function indexFor(filter: HistoryFilterMs, actors: readonly string[] | null): string {
  const by = actors !== null && actors.length === 1 ? 'actor' : filter.action !== undefined ? 'action' : null;
  if (filter.planId !== undefined) return by === null ? 'history_by_plan' : `history_by_plan_${by}`;
  if (filter.spaceId !== undefined) return by === null ? 'history_by_space' : `history_by_space_${by}`;
  return by === null ? 'history_by_time' : `history_by_${by}`;
}

/**
 * The people the Who filter means: every name, among those with entries in the filter's plan or
 * space, that contains the typed text in any case ("ana" finds "Ana Admin"). The names are few
 * beside the entries, so they are listed first — one index seek per distinct name, skipping
 * over each person's entries — and the page then seeks by name; a text nobody matches costs no
 * walk through the log. null when the filter names no person.
 */
function actorsMatching(ledger: Ledger, filter: HistoryFilterMs): string[] | null {
  if (filter.actor === undefined) return null;
  const [index, scope, params] =
    filter.planId !== undefined
      ? ['history_by_plan_actor', 'plan_id = ? AND', [filter.planId]]
      : filter.spaceId !== undefined
        ? ['history_by_space_actor', 'space_id = ? AND', [filter.spaceId]]
        : ['history_by_actor', '', []];
  const names = ledger
    .stmt(
      `WITH RECURSIVE names(name) AS (
         SELECT (SELECT min(actor) FROM history_log INDEXED BY ${index} WHERE ${scope} actor IS NOT NULL)
         UNION ALL
         SELECT (SELECT min(actor) FROM history_log INDEXED BY ${index} WHERE ${scope} actor > names.name) FROM names WHERE names.name IS NOT NULL
       ) SELECT name FROM names WHERE name IS NOT NULL`,
    )
    .pluck()
    .all(...params, ...params) as string[];
  const wanted = filter.actor.toLowerCase();
  return names.filter((name) => name.toLowerCase().includes(wanted));
}

export interface HistoryPage {
  rows: HistoryRow[];
  next: HistoryCursor | null;
}

/** One page, newest first, strictly after `cursor` in that order. */
export function historyPage(ledger: Ledger, filter: HistoryFilterMs, cursor: HistoryCursor | null, limit: number): HistoryPage {
  const actors = actorsMatching(ledger, filter);
  if (actors !== null && actors.length === 0) return { rows: [], next: null };
  const where = whereClause(filter, actors, cursor);
  const rows = ledger
    .stmt(`SELECT ${PAGE_COLUMNS} FROM history_log h INDEXED BY ${where.index} ${where.sql} ORDER BY h.at DESC, h.seq DESC LIMIT ?`)
    .raw(true)
    .all(...where.params, limit + 1) as PageTuple[];
  const more = rows.length > limit;
  const page = (more ? rows.slice(0, limit) : rows).map(fromTuple);
  const last = page[page.length - 1];
  return { rows: page, next: more && last ? { at: last.at, seq: last.seq } : null };
}

export interface HistoryExportRow extends HistoryRow {
  spaceName: string | null;
  environmentName: string | null;
}

/**
 * Every matching entry newest first, read in keyset chunks: no statement stays open between
 * chunks, so a consumer may await between rows while other calls use the connection.
 */
export function* iterateHistory(ledger: Ledger, filter: HistoryFilterMs, chunk = 1000): Generator<HistoryExportRow> {
  const actors = actorsMatching(ledger, filter);
  if (actors !== null && actors.length === 0) return;
  let cursor: HistoryCursor | null = null;
  for (;;) {
    const where = whereClause(filter, actors, cursor);
    const rows = ledger
      .stmt(
        `SELECT ${PAGE_COLUMNS}, s.name, e.name
         FROM history_log h INDEXED BY ${where.index} LEFT JOIN spaces s ON s.id = h.space_id LEFT JOIN environments e ON e.id = s.environment_id
         ${where.sql} ORDER BY h.at DESC, h.seq DESC LIMIT ?`,
      )
      .raw(true)
      .all(...where.params, chunk) as [...PageTuple, string | null, string | null][];
    let last: HistoryRow | null = null;
    for (const raw of rows) {
      last = fromTuple(raw);
      yield { ...last, spaceName: raw[12], environmentName: raw[13] };
    }
    if (rows.length < chunk || !last) return;
    cursor = { at: last.at, seq: last.seq };
  }
}

export function countHistory(ledger: Ledger): number {
  return (ledger.stmt('SELECT count(*) AS n FROM history_log').get() as { n: number }).n;
}
