import { describe, expect, it } from 'vitest';
import type { UsageReport } from '../../../../shared/api/usage-report';
import { csvFileName, overTimeCsv, sharesCsv } from './csv';

const report: UsageReport = {
  scope: { kind: 'space', id: 'SP 1', name: 'Retail' },
  timeZone: 'Europe/Madrid',
  zoneSource: 'plans',
  planZones: ['Europe/Madrid'],
  groupBy: 'week',
  fromDate: '2026-03-01',
  toDateExclusive: '2026-04-01',
  from: '2026-02-28T23:00:00.000Z',
  to: '2026-03-31T22:00:00.000Z',
  channels: ['SMS', 'Email'],
  total: { used: 12, mo: 3, rejected: 2 },
  byChannel: [
    { channel: 'SMS', used: 10, mo: 3, rejected: 2 },
    { channel: 'Email', used: 2, mo: 0, rejected: 0 },
  ],
  series: [
    { start: '2026-03-01', byChannel: { SMS: 4 }, total: 4, mo: 1 },
    { start: '2026-03-02', byChannel: { SMS: 6, Email: 2 }, total: 8, mo: 2 },
  ],
  daily: [],
  byIdentity: [
    { name: '=cmd|calc', kind: 'named', count: 1, used: 7, mo: 1, rejected: 2 },
    { name: 'Doe, "Jane"', kind: 'named', count: 1, used: 3, mo: 0, rejected: 0 },
    { name: null, kind: 'others', count: 4, used: 1, mo: 0, rejected: 0 },
    { name: null, kind: 'none', count: 0, used: 1, mo: 2, rejected: 0 },
  ],
  byCampaign: [],
};

describe('CSV of the Usage screen', () => {
  it('writes the over-time table as shown, with its total row', () => {
    expect(overTimeCsv(report)).toBe(
      'Week starting (Europe/Madrid),SMS,Email,Total credits used,MO messages (free)\r\n2026-03-01,4,0,4,1\r\n2026-03-02,6,2,8,2\r\nTotal,10,2,12,3\r\n',
    );
  });
  it('writes identities with others and none, quoting and defusing formulas', () => {
    expect(sharesCsv(report.byIdentity, { one: 'identity', many: 'identities', title: 'Identity' })).toBe(
      "Identity,Credits used,MO messages (free),Rejected credits\r\n'=cmd|calc,7,1,2\r\n\"Doe, \"\"Jane\"\"\",3,0,0\r\nOthers (4 identities),1,0,0\r\nNo identity,1,2,0\r\n",
    );
  });
  it('names the file after the scope, the part and the days shown', () => {
    expect(csvFileName(report, 'identities')).toBe('usage-SP_1-identities-2026-03-01-to-2026-03-31.csv');
  });
});
