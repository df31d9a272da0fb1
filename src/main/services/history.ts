import type { HistoryEntry, HistoryFilter } from '../../shared/api';
import { HISTORY_SYNC_LABEL } from '../../shared/api/constants';
import { parseInstant } from '../../shared/engine';
import {
  historyPage,
  iso,
  iterateHistory,
  type HistoryCursor,
  type HistoryFilterMs,
  type HistoryRow,
  type Ledger,
} from '../ledger';
import { fieldLabel, fieldValueLabel } from '../../shared/domain';
import { csvLine } from './csv';
import { creditGrantWords } from '../../shared/mail';
import { ApiFailure } from '../../shared/api';
import { creditsLabel, limitLabel, renewLabel, yesNo } from './format';

/** A page position as the contract carries it: opaque text, so callers cannot build their own. */
export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(`h1:${cursor.at}:${cursor.seq}`, 'utf8').toString('base64url');
}

/** null when the text is not a cursor this console produced. */
export function decodeCursor(text: string): HistoryCursor | null {
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  const match = /^h1:(-?\d{1,16}):(\d{1,16})$/.exec(decoded);
  if (!match) return null;
  return { at: Number(match[1]), seq: Number(match[2]) };
}

/** The credit history log: filtered keyset pages, and a streamed CSV export. */

export function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    id: `H${row.seq}`,
    planId: row.planId,
    spaceId: row.spaceId,
    version: row.version,
    action: row.action,
    actor: row.actor,
    at: iso(row.at),
    config: row.plan,
    changes: row.changes,
    sync: row.sync,
    ...(row.credit !== null ? { credit: row.credit } : {}),
  };
}

/** The Changes column: old → new per field, or for credits given, what was given in words. */
function changesText(row: HistoryRow): string {
  if (row.credit !== null) return `${row.credit.id}: ${creditGrantWords(row.credit)}`;
  return row.changes.map((ch) => `${fieldLabel(ch.field)}: ${fieldValueLabel(ch.field, ch.old)} → ${fieldValueLabel(ch.field, ch.new)}`).join('; ');
}

function toFilterMs(filter: HistoryFilter): HistoryFilterMs {
  const result: HistoryFilterMs = {};
  if (filter.from !== undefined) {
    const ms = parseInstant(filter.from);
    if (ms === null) throw new ApiFailure('validation', `"${filter.from}" is not a date and time the filter understands.`);
    result.fromMs = ms;
  }
  if (filter.to !== undefined) {
    const ms = parseInstant(filter.to);
    if (ms === null) throw new ApiFailure('validation', `"${filter.to}" is not a date and time the filter understands.`);
    result.toMs = ms;
  }
  if (result.fromMs !== undefined && result.toMs !== undefined && result.toMs <= result.fromMs) {
    throw new ApiFailure('validation', 'The date range must end after it starts.');
  }
  if (filter.spaceId !== undefined) result.spaceId = filter.spaceId;
  if (filter.planId !== undefined) result.planId = filter.planId;
  if (filter.action !== undefined) result.action = filter.action;
  if (filter.actor !== undefined && filter.actor.trim() !== '') result.actor = filter.actor.trim();
  return result;
}

export const HISTORY_CSV_HEADER = [
  'Credit Plan ID',
  'Version',
  'Action',
  'Who',
  'When (UTC)',
  'Environment',
  'Space',
  // The plan's columns go by the names its fields have everywhere else.
  ...(['limit', 'credits', 'renew', 'rollover', 'overage', 'activation.date', 'activation.timeZone'] as const).map(fieldLabel),
  'Changes',
  'Sync',
];

export class HistoryService {
  constructor(private readonly ledger: Ledger) {}

  list(filter: HistoryFilter, cursor: string | null | undefined, limit: number): { entries: HistoryEntry[]; nextCursor: string | null } {
    let position = null;
    if (cursor !== null && cursor !== undefined && cursor !== '') {
      position = decodeCursor(cursor);
      if (position === null) throw new ApiFailure('validation', 'The page cursor is not one this console produced; start again from the first page.');
    }
    const page = historyPage(this.ledger, toFilterMs(filter), position, Math.max(1, Math.min(500, limit)));
    return { entries: page.rows.map(toHistoryEntry), nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** The CSV, one line at a time (header first), read in keyset chunks. */
  *csvLines(filter: HistoryFilter): Generator<string> {
    const filterMs = toFilterMs(filter);
    yield csvLine(HISTORY_CSV_HEADER);
    for (const row of iterateHistory(this.ledger, filterMs)) {
      const c = row.plan;
      yield csvLine([
        row.planId,
        row.version,
        row.action,
        row.actor,
        iso(row.at),
        row.environmentName,
        row.spaceName,
        limitLabel(c),
        creditsLabel(c),
        renewLabel(c.renew),
        yesNo(c.rollover),
        yesNo(c.overage),
        c.activation.date,
        c.activation.timeZone,
        changesText(row),
        HISTORY_SYNC_LABEL[row.sync],
      ]);
    }
  }

  /** Stream the export to a sink (a file, an HTTP response), yielding to the event loop between chunks. */
  async writeCsv(filter: HistoryFilter, write: (chunk: string) => void | Promise<void>): Promise<number> {
    let rows = -1;
    let buffer = '';
    for (const line of this.csvLines(filter)) {
      rows += 1;
      buffer += line;
      if (buffer.length >= 64 * 1024) {
        await write(buffer);
        buffer = '';
      }
    }
    if (buffer.length > 0) await write(buffer);
    return rows;
  }

  exportCsv(filter: HistoryFilter, now: number): { fileName: string; rowCount: number; csv: string } {
    const parts: string[] = [];
    let rows = -1;
    for (const line of this.csvLines(filter)) {
      parts.push(line);
      rows += 1;
    }
    const stamp = iso(now).slice(0, 19).replace(/[:T]/g, '-');
    return { fileName: `credit-history-${stamp}.csv`, rowCount: rows, csv: parts.join('') };
  }
}
