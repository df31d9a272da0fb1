import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../ledger/testing';
import type { ParseContext, ParseResume, ParsedBatch } from './parse';
import { parseFilePieces } from './parse-file';

const dir = tempDir('usage-parse-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const context: ParseContext = { sourceName: 'u.csv', spaces: [{ id: 'SP-A', channels: ['SMS', 'Email'] }], nowMs: Date.parse('2027-01-01T00:00:00Z'), maxBadRows: 100 };

/** What a reading gives, pieces put together: the rows' ids and identities, and the bad rows. */
function summary(batches: ParsedBatch[]): { ids: string[]; identities: (string | null)[]; rowsRead: number; bad: { line: number; reason: string }[] } {
  const ids: string[] = [];
  const identities: (string | null)[] = [];
  let rowsRead = 0;
  const bad: { line: number; reason: string }[] = [];
  for (const batch of batches) {
    ids.push(...batch.rows.id);
    for (let i = 0; i < batch.rows.count; i += 1) identities.push(batch.rows.identity?.[i] ?? null);
    rowsRead += batch.rowsRead;
    bad.push(...batch.badRows);
  }
  return { ids, identities, rowsRead, bad };
}

async function read(path: string, pieceBytes: number, resume?: ParseResume, handOverAfter?: number): Promise<{ batches: ParsedBatch[]; resume: ParseResume | null }> {
  const batches: ParsedBatch[] = [];
  let pieces = 0;
  const generator = parseFilePieces(path, context, pieceBytes, resume, handOverAfter === undefined ? undefined : () => ++pieces >= handOverAfter);
  for (;;) {
    const next = await generator.next();
    if (next.done === true) return { batches, resume: next.value };
    batches.push(next.value);
  }
}

describe('reading a usage file in two places', () => {
  it('hands over at a record boundary wherever the pieces end: the two readings give what one gives', async () => {
    // BOM, CRLF, blank lines, bad rows, quoted fields holding line breaks, and characters of
    // two and three bytes, so that pieces end inside records and inside characters.
    const lines = ['\uFEFFid,spaceId,channel,direction,credits,occurredAt,identity'];
    for (let i = 0; i < 60; i += 1) {
      if (i % 7 === 0) lines.push(`q${i},SP-A,SMS,MT,1,2026-03-02T10:00:00Z,"two\r\nlines, ""quoted"" ${i}"`);
      else if (i % 11 === 0) lines.push(`b${i},SP-NOPE,SMS,MT,1,2026-03-02T10:00:00Z,`);
      else if (i % 13 === 0) lines.push('');
      else lines.push(`r${i},SP-A,${i % 2 === 0 ? 'Email' : 'SMS'},MT,${1 + (i % 3)},2026-03-02T10:${String(i).padStart(2, '0')}:00Z,${i % 5 === 0 ? `Zoë ☎ ${i}` : ''}`);
    }
    const path = join(dir, 'pieces.csv');
    writeFileSync(path, lines.join('\r\n'));
    const whole = summary((await read(path, 37)).batches);
    expect(whole.ids.length).toBeGreaterThan(40);
    expect(whole.bad.length).toBeGreaterThan(3);
    let handedOver = 0;
    for (let after = 1; after < 80; after += 1) {
      const first = await read(path, 37, undefined, after);
      if (first.resume === null) {
        expect(summary(first.batches)).toEqual(whole);
        continue;
      }
      handedOver += 1;
      const rest = await read(path, 41, first.resume);
      expect(rest.resume).toBeNull();
      expect(summary([...first.batches, ...rest.batches]), `handed over after piece ${after}`).toEqual(whole);
    }
    expect(handedOver).toBeGreaterThan(40);
  });
});
