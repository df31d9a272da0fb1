import { describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../shared/domain';
import { seededRandom } from '../../shared/seeded-random';
import { CsvRowReader, LineSplitter, parseCsvHeader, parseCsvRow, parseIsoInstant, splitCsv, type CsvHeader, type RowContext } from './rows';

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
    // Runs of instants on the same date and on the next (the date's midnight is kept between rows).
    const random = seededRandom(7);
    for (let i = 0, t = Date.parse('1999-12-30T00:00:00Z'); i < 2000; i += 1, t += Math.floor(random() * 4 * 3_600_000)) {
      const whole = i % 2 === 0 ? t : Math.floor(t / 1000) * 1000;
      const text = i % 2 === 0 ? new Date(whole).toISOString() : new Date(whole).toISOString().replace(/\.\d{3}Z$/, 'Z');
      expect(parseIsoInstant(text), text).toBe(whole);
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
    const sink = (text: string, start: number, end: number, line: number): number => records.push([text.slice(start, end), line]);
    splitter.push('\uFEFFh1,h2\r\n1,"two\r\nlines"\n3,', sink);
    splitter.push('4\n5,6', sink);
    splitter.end(sink);
    expect(records).toEqual([
      ['h1,h2', 1],
      ['1,"two\nlines"', 2],
      ['3,4', 4],
      ['5,6', 5],
    ]);
    expect(splitCsv(records[1]![0])).toEqual(['1', 'two\nlines']);
  });

  it('reads a CSV row in place exactly as the general path does, or leaves it to that path', () => {
    // Random rows from good and bad values of every field, under several headers, each row
    // at an offset in a longer text: whatever the in-place reader accepts, the general path
    // accepts with the same values. Good rows it leaves to the general path are those with
    // spaces around a field, a lower-case channel or z, an offset or quotes.
    const ctx: RowContext = { spaces: new Map([['SP-A', new Set<Channel>(['SMS', 'Email'])], ['SP-B', new Set<Channel>(CHANNELS)]]), nowMs: Date.parse('2027-01-01T00:00:00Z') };
    const values: Record<string, string[]> = {
      id: ['a1', 'ev-zz9', '', ' a1', 'a1 ', 'x'.repeat(200), 'x'.repeat(201), '\u00a0a', 'é'],
      spaceid: ['SP-A', 'SP-B', 'SP-NOPE', ' SP-A', ''],
      channel: ['SMS', 'Email', 'Push', 'sms', 'Fax', ' SMS', '', 'SMSX'],
      direction: ['', 'MT', 'mt', 'MO', 'mo', 'Mo', 'XX', ' MO', 'M'],
      credits: ['', '1', '3', '0', '1000000000000', '1000000000001', '01', '1.5', ' 2', '-1', '12345678901234567'],
      occurredat: [
        '2026-03-02T10:00:00Z',
        '2026-03-02T10:00:00.250Z',
        '2024-02-29T23:59:59.999Z',
        '2026-02-30T10:00:00Z',
        '2026-03-02T24:00:00Z',
        '2026-03-02T11:00:00+01:00',
        '2026-03-02T10:00:00z',
        '2030-01-01T00:00:00Z',
        '1969-12-31T23:59:59Z',
        '0050-01-01T00:00:00Z',
        '2026-03-02 10:00:00Z',
        ' 2026-03-02T10:00:00Z',
        '',
      ],
      identity: ['', '+34600000000', ' x', 'x '],
      campaign: ['', 'spring', 'a b'],
    };
    const headers = [
      'id,spaceId,channel,direction,credits,occurredAt',
      'id,spaceId,channel,direction,credits,occurredAt,identity,campaign',
      'occurredAt,credits,channel,spaceId,id',
      'campaign,id,spaceId,channel,occurredAt,extra',
    ];
    const random = seededRandom(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    let accepted = 0;
    let good = 0;
    for (const headerLine of headers) {
      const header = parseCsvHeader(headerLine) as CsvHeader;
      const names = splitCsv(headerLine).map((n) => n.toLowerCase());
      const reader = new CsvRowReader(header, ctx);
      for (let i = 0; i < 5000; i += 1) {
        // Mostly good values (the first two of each list), so that good rows are common.
        const fields = names.map((name) => {
          const list = values[name] ?? ['', 'x'];
          return random() < 0.7 ? list[Math.floor(random() * Math.min(2, list.length))]! : pick(list);
        });
        if (random() < 0.03) fields.push('x');
        if (random() < 0.03) fields.pop();
        if (random() < 0.03) fields[0] = `"${fields[0]}"`;
        const record = fields.join(',');
        const text = `junk,line\n${record}\nmore`;
        const general = parseCsvRow(record, 7, header, ctx);
        const fast = reader.read(text, 10, 10 + record.length, 7);
        if (!('reason' in general)) good += 1;
        if (fast !== null) {
          accepted += 1;
          expect({ ...fast }, record).toEqual(general);
        }
      }
    }
    expect(good).toBeGreaterThan(2000);
    expect(accepted).toBeGreaterThan(good / 2);
    const header = parseCsvHeader('id,spaceId,channel,direction,credits,occurredAt,identity,campaign') as CsvHeader;
    const reader = new CsvRowReader(header, ctx);
    for (const record of ['a,SP-A,SMS,MT,2,2026-03-02T10:00:00Z,,', 'b,SP-B,RCS,mo,,2026-03-02T10:00:00.250Z,+34600,c', 'c,SP-A,Email,,1000000000000,2026-12-31T23:59:59.999Z,,']) {
      expect({ ...reader.read(record, 0, record.length, 2) }, record).toEqual(parseCsvRow(record, 2, header, ctx));
    }
  });
});

describe('cutting usage text into records, within bounds', () => {
  /** Records and bad records of a text pushed in pieces of `piece` characters. */
  function cut(text: string, piece: number, limits = { maxRecordChars: 60, maxQuotedLines: 3 }, csv = true) {
    const records: [string, number][] = [];
    const bad: [number, string][] = [];
    const splitter = new LineSplitter(csv, { limits, onBad: (line, reason) => bad.push([line, reason]) });
    const sink = (t: string, start: number, end: number, line: number): number => records.push([t.slice(start, end), line]);
    for (let i = 0; i < text.length; i += piece) splitter.push(text.slice(i, i + piece), sink);
    splitter.end(sink);
    return { records, bad };
  }

  it('reports a quote left open as "unterminated quote from line N" and reads the lines after it as rows', () => {
    const lines = ['h1,h2', 'a,1', 'b,2', 'c,"oops', 'd,4', 'e,5', 'f,6', 'g,"two', 'lines",7', 'h,8'];
    for (const piece of [1, 3, 7, 1000]) {
      const { records, bad } = cut(lines.join('\n'), piece);
      expect(bad, `pieces of ${piece}`).toEqual([[4, 'unterminated quote from line 4: no closing quote within 3 lines; the lines after it were read as rows of their own']]);
      expect(records, `pieces of ${piece}`).toEqual([
        ['h1,h2', 1],
        ['a,1', 2],
        ['b,2', 3],
        ['d,4', 5],
        ['e,5', 6],
        ['f,6', 7],
        ['g,"two\nlines",7', 8],
        ['h,8', 10],
      ]);
    }
  });

  it('reports a quote the file ends in, and reads the lines after it', () => {
    const { records, bad } = cut('h1,h2\na,"open\nb,2\nc,3', 2, { maxRecordChars: 60, maxQuotedLines: 100 });
    expect(bad).toEqual([[2, 'unterminated quote from line 2: the file ends before the closing quote; the lines after it were read as rows of their own']]);
    expect(records).toEqual([
      ['h1,h2', 1],
      ['b,2', 3],
      ['c,3', 4],
    ]);
  });

  it('takes a quote inside an unquoted field as a character, as splitCsv does', () => {
    const { records, bad } = cut('h1,h2\na,it"s\nb,"say ""hi"""\nc,3\n', 5);
    expect(bad).toEqual([]);
    expect(records.map(([text]) => splitCsv(text))).toEqual([['h1', 'h2'], ['a', 'it"s'], ['b', 'say "hi"'], ['c', '3']]);
  });

  it('skips a line longer than the bound without keeping it, in CSV and in JSON Lines', () => {
    for (const csv of [true, false]) {
      for (const piece of [4, 17, 64, 10_000]) {
        const long = 'x'.repeat(5_000);
        const { records, bad } = cut(`a,1\n${long}\nb,2\r\n${'y'.repeat(61)}\r\nc,3\n${'z'.repeat(70)}`, piece, { maxRecordChars: 60, maxQuotedLines: 3 }, csv);
        const reason = 'the line is longer than 60 characters, too long for a usage row; it was skipped';
        expect(bad, `pieces of ${piece}`).toEqual([
          [2, reason],
          [4, reason],
          [6, reason],
        ]);
        expect(records).toEqual([
          ['a,1', 1],
          ['b,2', 3],
          ['c,3', 5],
        ]);
      }
    }
  });
});
