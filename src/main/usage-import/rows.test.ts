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
