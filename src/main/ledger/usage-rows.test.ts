import { describe, expect, it } from 'vitest';
import { LineSplitter, parseIsoInstant, splitCsv } from './usage-rows';

describe('reading usage rows', () => {
  it('parses ISO-8601 instants exactly like the platform, and refuses impossible ones', () => {
    for (const text of [
      '2026-01-10T09:00:00Z',
      '2026-01-10T09:00:00.250Z',
      '2024-02-29T23:59:59.999Z',
      '2026-03-29T01:30:00+01:00',
      '2026-03-29T01:30-05:45',
      '2026-03-29T01:30:00.123456789Z',
      '1999-12-31T23:59:59z',
    ]) {
      expect(parseIsoInstant(text), text).toBe(Math.floor(new Date(text.replace(/(\.\d{3})\d+/, '$1')).getTime()));
    }
    for (const text of ['2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-10T24:00:00Z', '2026-01-10 09:00:00Z', '2026-01-10T09:00:00', '2026-01-10T09:00:00+25:00', 'x026-01-10T09:00:00Z', '']) {
      expect(parseIsoInstant(text), text).toBeNull();
    }
  });

  it('splits CSV records with quotes, doubled quotes and line breaks inside quotes', () => {
    expect(splitCsv('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsv('"a,1","say ""hi""",x')).toEqual(['a,1', 'say "hi"', 'x']);
    const records: [string, number][] = [];
    const splitter = new LineSplitter(true);
    splitter.push('\uFEFFh1,h2\r\n1,"two\r\nlines"\n3,', (r, l) => records.push([r, l]));
    splitter.push('4\n5,6', (r, l) => records.push([r, l]));
    splitter.end((r, l) => records.push([r, l]));
    expect(records).toEqual([
      ['h1,h2', 1],
      ['1,"two\nlines"', 2],
      ['3,4', 4],
      ['5,6', 5],
    ]);
    expect(splitCsv(records[1]![0])).toEqual(['1', 'two\nlines']);
  });
});
