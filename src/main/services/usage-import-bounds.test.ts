import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../shared/api';
import { importUsageFile, type ImportReport } from '../usage-import';
import { tempDir } from '../ledger/testing';
import { createHandlers } from './handlers';
import { makeWorld, type World } from './testing';

/**
 * A usage file that is not what it should be, imported as users import it: a real file, a real
 * ledger file, the parser on this thread and in its worker thread.
 */
const dir = tempDir('usage-bounds-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let w: World | null = null;
afterEach(() => {
  w?.cleanup();
  w = null;
});

const HEADER = 'id,spaceId,channel,direction,credits,occurredAt';
function rows(from: number, count: number, prefix = 'u'): string[] {
  const lines: string[] = [];
  for (let i = from; i < from + count; i += 1) lines.push(`${prefix}${i},SP-RETAIL,SMS,MT,1,2026-03-0${1 + (i % 9)}T${String(i % 24).padStart(2, '0')}:00:00Z`);
  return lines;
}
const count = (world: World, sql: string): number => (world.t.ledger.db.prepare(sql).get() as { n: number }).n;

describe('a usage file with a stray quote', () => {
  // 100,000 rows, a quote opened on line 4 and never closed: it once reported 3 rows read and
  // 1 bad row, and dropped the 99,997 rows after it without a word.
  const path = join(dir, 'stray-quote.csv');
  const lines = [HEADER, ...rows(0, 100_000)];
  lines[3] = lines[3]!.replace(',MT,1,', ',MT,1,"'); // line 4: its last field opens a quote that never closes
  writeFileSync(path, `${lines.join('\n')}\n`);

  it.each(['here', 'worker', 'auto'] as const)('reports "unterminated quote from line 4" and imports the other 99,999 rows (parsed %s)', async (parseIn) => {
    w = makeWorld('2026-03-20T00:00:00Z');
    const report: ImportReport = await importUsageFile(w.t.ledger, path, { actor: 'ana', clock: w.clock, parseIn });
    expect(report.rowsRead).toBe(100_000);
    expect(report.badRows).toEqual([{ line: 4, reason: expect.stringMatching(/^unterminated quote from line 4: no closing quote within 100 lines; the lines after it were read as rows of their own$/) }]);
    expect(report.inserted).toBe(99_999);
    expect(count(w, 'SELECT count(*) AS n FROM usage_events')).toBe(99_999);
  });
});

describe('an import that stops partway', () => {
  it('says what the ledger kept when the disk fills (a real SQLITE_FULL), not "nothing was changed", and the counts match the ledger', async () => {
    w = makeWorld('2026-03-20T00:00:00Z');
    const world = w;
    const dispatcher = createDispatcher(createHandlers(world.services));
    const admin = { role: 'admin', actor: 'Ana' } as const;
    // How many pages one piece of the file (1 MiB, some 20,000 rows) takes…
    const first = join(dir, 'first.csv');
    writeFileSync(first, `${[HEADER, ...rows(0, 20_000, 'f')].join('\n')}\n`);
    const pages = (): number => world.t.ledger.db.pragma('page_count', { simple: true }) as number;
    const before = pages();
    expect((await dispatcher.dispatch('usage.import', { source: { kind: 'path', path: first } }, admin)).ok).toBe(true);
    const perPiece = pages() - before;
    // …then a disk with room for about one more piece and a half, and a file of five.
    world.t.ledger.db.pragma(`max_page_count = ${pages() + Math.ceil(perPiece * 1.5)}`);
    const big = join(dir, 'big.csv');
    writeFileSync(big, `${[HEADER, ...rows(0, 100_000, 'b')].join('\n')}\n`);
    const result = await dispatcher.dispatch('usage.import', { source: { kind: 'path', path: big } }, admin);
    expect(result.ok).toBe(false);
    const message = !result.ok ? result.error.message : '';
    expect(message).not.toMatch(/nothing was changed/i);
    const said = /^The import stopped: the disk is full \(the ledger could not grow\)\. The first ([\d,]+) rows were saved \(([\d,]+) new events, 0 already there; import (IM-\S+)\); nothing after them\. Import the file again once this is fixed: rows already imported are recognised by their id and skipped\.$/.exec(message);
    expect(said, message).not.toBeNull();
    const [, rowsSaved, newEvents, importId] = said!;
    const n = (text: string): number => Number(text.replace(/,/g, ''));
    expect(n(newEvents!)).toBeGreaterThan(0);
    expect(n(newEvents!)).toBeLessThan(100_000);
    // What the message says is what the ledger holds.
    expect(count(world, "SELECT count(*) AS n FROM usage_events WHERE id LIKE 'b%'")).toBe(n(newEvents!));
    const record = world.t.ledger.db.prepare('SELECT status, rows_read AS rowsRead, inserted, error FROM imports WHERE id = ?').get(importId) as Record<string, unknown>;
    expect(record).toEqual({ status: 'failed', rowsRead: n(rowsSaved!), inserted: n(newEvents!), error: 'the disk is full (the ledger could not grow)' });

    // Room again: the same file finishes, the rows already there are recognised.
    world.t.ledger.db.pragma('max_page_count = 1073741823');
    const again = await dispatcher.dispatch('usage.import', { source: { kind: 'path', path: big } }, admin);
    expect(again.ok && again.value).toMatchObject({ rowsRead: 100_000, inserted: 100_000 - n(newEvents!), duplicates: n(newEvents!), badRows: [] });
  });
});
