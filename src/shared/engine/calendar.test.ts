import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { RENEWALS } from '../domain';
import { seededRandom } from '../seeded-random';
import {
  boundaryDate,
  boundaryMs,
  initialSegment,
  isIsoDate,
  isoSecond,
  isTimeZone,
  localMidnightMs,
  parseInstant,
  periodAt,
  periodOfSegment,
  previewBoundaries,
  segmentFrom,
} from './calendar';
import { referenceBoundaryDate, referenceMidnight } from './testing/reference-model';

const utc = (iso: string): number => Temporal.Instant.from(iso).epochMilliseconds;
const dates = (
  anchor: string,
  renew: Parameters<typeof boundaryDate>[1],
  count: number,
): string[] => Array.from({ length: count }, (_, k) => boundaryDate(anchor, renew, k).toString());
const midnight = (date: string, zone: string): string => isoSecond(localMidnightMs(date, zone));

describe('period boundaries: every one from the anchor date, clamped to the month', () => {
  it('Jan 31 monthly gives Feb 28, Mar 31, Apr 30, … and never drifts', () => {
    expect(dates('2026-01-31', 'monthly', 13)).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
      '2026-11-30',
      '2026-12-31',
      '2027-01-31',
    ]);
  });

  it('Jan 31 monthly gives Feb 29 in a leap year', () => {
    expect(dates('2024-01-31', 'monthly', 4)).toEqual([
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
    ]);
    expect(boundaryDate('2027-01-31', 'monthly', 13).toString()).toBe('2028-02-29');
  });

  it('Jan 30 and Jan 29 monthly clamp only in February', () => {
    expect(dates('2026-01-30', 'monthly', 3)).toEqual(['2026-01-30', '2026-02-28', '2026-03-30']);
    expect(dates('2026-01-29', 'monthly', 3)).toEqual(['2026-01-29', '2026-02-28', '2026-03-29']);
    expect(dates('2024-01-29', 'monthly', 3)).toEqual(['2024-01-29', '2024-02-29', '2024-03-29']);
  });

  it('Feb 29 annually gives Feb 28 in common years and Feb 29 again in leap years', () => {
    expect(dates('2024-02-29', 'annually', 5)).toEqual([
      '2024-02-29',
      '2025-02-28',
      '2026-02-28',
      '2027-02-28',
      '2028-02-29',
    ]);
  });

  it('Aug 31 quarterly gives Nov 30, Feb 28/29, May 31, Aug 31', () => {
    expect(dates('2025-08-31', 'quarterly', 11)).toEqual([
      '2025-08-31',
      '2025-11-30',
      '2026-02-28',
      '2026-05-31',
      '2026-08-31',
      '2026-11-30',
      '2027-02-28',
      '2027-05-31',
      '2027-08-31',
      '2027-11-30',
      '2028-02-29',
    ]);
  });

  it('Aug 31 half-yearly gives Feb 28 and Aug 31', () => {
    expect(dates('2025-08-31', 'half_year', 5)).toEqual([
      '2025-08-31',
      '2026-02-28',
      '2026-08-31',
      '2027-02-28',
      '2027-08-31',
    ]);
  });

  it('weekly steps seven days, across month and year ends', () => {
    expect(dates('2025-12-24', 'weekly', 4)).toEqual([
      '2025-12-24',
      '2025-12-31',
      '2026-01-07',
      '2026-01-14',
    ]);
  });

  it('agrees with the hand-written date arithmetic of the reference model for many anchors', () => {
    const anchors = [
      '2024-01-31',
      '2024-02-29',
      '2025-03-31',
      '2025-05-30',
      '2025-08-31',
      '2025-12-31',
      '2026-01-01',
      '2026-10-29',
    ];
    for (const anchor of anchors) {
      for (const renew of RENEWALS) {
        for (let k = 0; k < 60; k += 1) {
          expect(boundaryDate(anchor, renew, k).toString(), `${anchor} ${renew} ${k}`).toBe(
            referenceBoundaryDate(anchor, renew, k),
          );
        }
      }
    }
  });
});

describe('local midnight in any IANA zone', () => {
  it('starts the plan at 00:00 local time in unusual offsets', () => {
    expect(midnight('2026-01-01', 'Europe/Madrid')).toBe('2025-12-31T23:00:00Z');
    expect(midnight('2026-01-01', 'Asia/Kathmandu')).toBe('2025-12-31T18:15:00Z'); // +05:45
    expect(midnight('2026-01-01', 'Pacific/Chatham')).toBe('2025-12-31T10:15:00Z'); // +13:45 (summer)
    expect(midnight('2026-07-01', 'Pacific/Chatham')).toBe('2026-06-30T11:15:00Z'); // +12:45
    expect(midnight('2026-01-01', 'Australia/Lord_Howe')).toBe('2025-12-31T13:00:00Z'); // +11 (half-hour DST)
    expect(midnight('2026-07-01', 'Australia/Lord_Howe')).toBe('2026-06-30T13:30:00Z'); // +10:30
    expect(midnight('2026-01-01', 'Pacific/Kiritimati')).toBe('2025-12-31T10:00:00Z'); // +14
    expect(midnight('2026-01-01', 'Pacific/Pago_Pago')).toBe('2026-01-01T11:00:00Z'); // -11
    expect(midnight('2026-01-01', 'UTC')).toBe('2026-01-01T00:00:00Z');
  });

  it('a midnight inside a daylight-saving gap resolves to the first instant after the gap', () => {
    // Each of these zones skips from 00:00 straight to 01:00 on that date.
    expect(midnight('2022-09-11', 'America/Santiago')).toBe('2022-09-11T04:00:00Z'); // 01:00 -03
    expect(midnight('2021-03-14', 'America/Havana')).toBe('2021-03-14T05:00:00Z'); // 01:00 -04
    expect(midnight('2022-03-27', 'Asia/Beirut')).toBe('2022-03-26T22:00:00Z'); // 01:00 +03
    expect(midnight('2022-10-02', 'America/Asuncion')).toBe('2022-10-02T04:00:00Z'); // 01:00 -03
    expect(midnight('2021-03-28', 'Atlantic/Azores')).toBe('2021-03-28T01:00:00Z'); // 01:00 +00
    // The whole of 2011-12-30 does not exist in Samoa: the period starts at Dec 31 00:00 (+14).
    expect(midnight('2011-12-30', 'Pacific/Apia')).toBe('2011-12-30T10:00:00Z');
    // The instant just before is still the previous day, so nothing in between is lost.
    const start = localMidnightMs('2022-09-11', 'America/Santiago');
    const before = Temporal.Instant.fromEpochMilliseconds(start - 1).toZonedDateTimeISO(
      'America/Santiago',
    );
    expect(before.toPlainDate().toString()).toBe('2022-09-10');
    expect(before.toPlainTime().toString({ smallestUnit: 'minute' })).toBe('23:59');
  });

  it('a midnight that exists twice (an overlap) resolves to the earlier instant', () => {
    // Havana: 01:00 -04 falls back to 00:00 -05, so 00:00 happens at 04:00Z and again at 05:00Z.
    expect(midnight('2021-11-07', 'America/Havana')).toBe('2021-11-07T04:00:00Z');
    // Azores: 01:00 +00 falls back to 00:00 -01: 00:00 at 00:00Z and at 01:00Z.
    expect(midnight('2021-10-31', 'Atlantic/Azores')).toBe('2021-10-31T00:00:00Z');
    expect(midnight('2021-10-31', 'America/Scoresbysund')).toBe('2021-10-31T00:00:00Z');
  });

  it('agrees with an independent Intl-based computation at every midnight gap and overlap of 2000–2030', () => {
    const DAY_NS = 86_400_000_000_000n;
    const zones = [
      'America/Santiago',
      'America/Havana',
      'Asia/Beirut',
      'America/Asuncion',
      'Atlantic/Azores',
      'America/Scoresbysund',
      'Asia/Amman',
      'Asia/Damascus',
      'Asia/Gaza',
      'Africa/Cairo',
      'Asia/Tehran',
      'America/Sao_Paulo',
      'America/Campo_Grande',
      'Pacific/Apia',
      'Africa/Casablanca',
    ];
    let gaps = 0;
    let overlaps = 0;
    for (const timeZone of zones) {
      let cursor = Temporal.ZonedDateTime.from({ year: 2000, month: 1, day: 1, timeZone });
      for (;;) {
        const next = cursor.getTimeZoneTransition('next');
        if (!next || next.year > 2030) break;
        cursor = next;
        // The wall-clock stretch that the transition skips or repeats.
        const wallBefore =
          next.epochNanoseconds + BigInt(next.subtract({ nanoseconds: 1 }).offsetNanoseconds);
        const wallAfter = next.epochNanoseconds + BigInt(next.offsetNanoseconds);
        const [lo, hi] = wallBefore < wallAfter ? [wallBefore, wallAfter] : [wallAfter, wallBefore];
        const localMidnight = ((lo + DAY_NS - 1n) / DAY_NS) * DAY_NS;
        if (localMidnight >= hi) continue;
        const date = Temporal.Instant.fromEpochNanoseconds(localMidnight)
          .toZonedDateTimeISO('UTC')
          .toPlainDate()
          .toString();
        if (wallBefore < wallAfter) gaps += 1;
        else overlaps += 1;
        expect(localMidnightMs(date, timeZone), `${date} ${timeZone}`).toBe(
          referenceMidnight(date, timeZone),
        );
      }
    }
    expect(gaps).toBeGreaterThan(200);
    expect(overlaps).toBeGreaterThan(50);
  });
});

describe('periods', () => {
  it('a week across a spring-forward is an hour short (Europe/Madrid, America/New_York)', () => {
    const madrid = initialSegment('2026-03-23', 'Europe/Madrid', 'weekly');
    const p0 = periodOfSegment(madrid, 0);
    expect(isoSecond(p0.startMs)).toBe('2026-03-22T23:00:00Z');
    expect(p0.endMs === null ? null : isoSecond(p0.endMs)).toBe('2026-03-29T22:00:00Z');
    expect((p0.endMs ?? 0) - p0.startMs).toBe(167 * 3_600_000);
    expect(periodAt(madrid, utc('2026-03-29T21:59:59.999Z')).index).toBe(0);
    expect(periodAt(madrid, utc('2026-03-29T22:00:00Z')).index).toBe(1);

    const newYork = previewBoundaries('2026-03-02', 'America/New_York', 'weekly', 2);
    expect(newYork.map((b) => isoSecond(b.startMs))).toEqual([
      '2026-03-02T05:00:00Z',
      '2026-03-09T04:00:00Z',
    ]);
    expect(newYork[1]).toMatchObject({
      localTime: '00:00',
      offset: '-04:00',
      offsetChanged: true,
      shiftedByDst: false,
    });
  });

  it('a week across a fall-back is an hour long', () => {
    const p0 = periodOfSegment(initialSegment('2026-10-19', 'Europe/Madrid', 'weekly'), 0);
    expect((p0.endMs ?? 0) - p0.startMs).toBe(169 * 3_600_000);
  });

  it('a week whose boundary falls in a midnight gap starts when the gap ends (America/Santiago)', () => {
    // 2022-09-11 00:00 does not exist in Santiago; the week from 2022-09-04 ends at 01:00 -03.
    const segment = initialSegment('2022-09-04', 'America/Santiago', 'weekly');
    const p0 = periodOfSegment(segment, 0);
    expect(isoSecond(p0.startMs)).toBe('2022-09-04T04:00:00Z');
    expect(p0.endMs === null ? null : isoSecond(p0.endMs)).toBe('2022-09-11T04:00:00Z');
    expect(periodAt(segment, utc('2022-09-11T03:59:59Z')).index).toBe(0);
    expect(periodAt(segment, utc('2022-09-11T04:00:00Z')).index).toBe(1);
    const preview = previewBoundaries('2022-09-04', 'America/Santiago', 'weekly', 3);
    expect(preview[1]).toMatchObject({
      localDate: '2022-09-11',
      localTime: '01:00',
      offset: '-03:00',
      shiftedByDst: true,
      offsetChanged: true,
    });
    expect(preview[2]).toMatchObject({
      localTime: '00:00',
      shiftedByDst: false,
      offsetChanged: false,
    });
  });

  it('a monthly boundary on an overlapped midnight takes the earlier instant (America/Havana)', () => {
    const segment = initialSegment('2021-10-07', 'America/Havana', 'monthly');
    expect(periodOfSegment(segment, 1).startMs).toBe(utc('2021-11-07T04:00:00Z'));
    expect(periodAt(segment, utc('2021-11-07T04:30:00Z')).index).toBe(1); // 00:30 -04, the first pass
    expect(periodAt(segment, utc('2021-11-07T03:59:59Z')).index).toBe(0);
  });

  it('monthly in Lord Howe follows its half-hour daylight-saving change', () => {
    const starts = previewBoundaries('2026-01-01', 'Australia/Lord_Howe', 'monthly', 5).map(
      (b) => `${isoSecond(b.startMs)} ${b.offset}`,
    );
    expect(starts).toEqual([
      '2025-12-31T13:00:00Z +11:00',
      '2026-01-31T13:00:00Z +11:00',
      '2026-02-28T13:00:00Z +11:00',
      '2026-03-31T13:00:00Z +11:00',
      '2026-04-30T13:30:00Z +10:30',
    ]);
  });

  it('Jan 31 monthly periods in Kathmandu start at 00:00 +05:45 on the clamped dates', () => {
    const segment = initialSegment('2026-01-31', 'Asia/Kathmandu', 'monthly');
    expect([0, 1, 2, 3].map((i) => isoSecond(periodOfSegment(segment, i).startMs))).toEqual([
      '2026-01-30T18:15:00Z',
      '2026-02-27T18:15:00Z',
      '2026-03-30T18:15:00Z',
      '2026-04-29T18:15:00Z',
    ]);
    expect(
      previewBoundaries('2026-01-31', 'Asia/Kathmandu', 'monthly', 3).map((b) => b.clamped),
    ).toEqual([false, true, false]);
  });

  it('periods are start-inclusive and end-exclusive, found far from the anchor', () => {
    const segment = initialSegment('2026-01-31', 'Pacific/Chatham', 'monthly');
    for (const index of [0, 1, 5, 17, 40, 120]) {
      const period = periodOfSegment(segment, index);
      expect(periodAt(segment, period.startMs).index).toBe(index);
      expect(periodAt(segment, (period.endMs ?? 0) - 1).index).toBe(index);
      expect(periodAt(segment, period.endMs ?? 0).index).toBe(index + 1);
      expect(period.startMs).toBe(boundaryMs('2026-01-31', 'Pacific/Chatham', 'monthly', index));
    }
  });

  it('without renewal there is one period with no end', () => {
    const segment = initialSegment('2026-03-01', 'America/Mexico_City', null);
    const period = periodAt(segment, utc('2031-01-01T00:00:00Z'));
    expect(period).toEqual({ index: 0, startMs: utc('2026-03-01T06:00:00Z'), endMs: null });
    expect(previewBoundaries('2026-03-01', 'America/Mexico_City', null, 5)).toHaveLength(1);
  });

  it('a segment that starts mid-period runs to the next boundary of its own calendar', () => {
    const at = utc('2026-02-10T12:00:00Z');
    const segment = segmentFrom(at, 3, '2026-01-01', 'UTC', 'monthly');
    expect(periodOfSegment(segment, 3)).toEqual({
      index: 3,
      startMs: at,
      endMs: utc('2026-03-01T00:00:00Z'),
    });
    expect(periodAt(segment, utc('2026-03-15T00:00:00Z'))).toEqual({
      index: 4,
      startMs: utc('2026-03-01T00:00:00Z'),
      endMs: utc('2026-04-01T00:00:00Z'),
    });
    // Exactly on a boundary of the new calendar: the first period is a whole one.
    const onBoundary = segmentFrom(utc('2026-03-01T00:00:00Z'), 1, '2026-01-01', 'UTC', 'monthly');
    expect(periodOfSegment(onBoundary, 1).endMs).toBe(utc('2026-04-01T00:00:00Z'));
    // An anchor still in the future: the first period runs until that date.
    const early = segmentFrom(at, 1, '2026-06-15', 'UTC', 'quarterly');
    expect(periodOfSegment(early, 1).endMs).toBe(utc('2026-06-15T00:00:00Z'));
    expect(periodOfSegment(early, 2).endMs).toBe(utc('2026-09-15T00:00:00Z'));
    // Without renewal the segment never ends.
    expect(periodOfSegment(segmentFrom(at, 2, '2026-01-01', 'UTC', null), 2).endMs).toBeNull();
  });
});

describe('dates, zones and instants', () => {
  it('writes instants to the second exactly as Temporal.Instant does, from −271821 to +275760', () => {
    const temporal = (ms: number): string => new Temporal.Instant(BigInt(Math.floor(ms / 1000)) * 1_000_000_000n).toString();
    const edges = [0, -1, -999, -1000, -1001, 1767225600999, 253402300799999, 253402300800000, -62167219200000, -62167219200001, 8.64e15, -8.64e15];
    const random = seededRandom(20260101);
    for (const ms of [...edges, ...Array.from({ length: 2000 }, () => Math.round((random() * 2 - 1) * 8.64e15))]) {
      expect(isoSecond(ms)).toBe(temporal(ms));
    }
    expect(() => isoSecond(8.64e15 + 1000)).toThrow(RangeError);
  });

  it('accepts only real calendar dates written YYYY-MM-DD', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2026-12-31')).toBe(true);
    for (const bad of [
      '2026-02-29',
      '2026-02-30',
      '2026-13-01',
      '2026-00-10',
      '2026-1-01',
      '2026-01-1',
      '20260101',
      '2026-01-01T00:00',
      ' 2026-01-01',
      '',
    ]) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
  });

  it('accepts IANA zones and refuses made-up names and bare offsets', () => {
    for (const zone of [
      'Europe/Madrid',
      'America/Argentina/Buenos_Aires',
      'Asia/Kathmandu',
      'Pacific/Chatham',
      'Australia/Lord_Howe',
      'UTC',
      'Etc/GMT+5',
    ]) {
      expect(isTimeZone(zone), zone).toBe(true);
    }
    for (const zone of [
      'Mars/Olympus',
      'Europe/Madird',
      '+05:00',
      '-03',
      'Europe/Madrid ',
      '',
      'Europe\\Madrid',
    ]) {
      expect(isTimeZone(zone), zone).toBe(false);
    }
  });

  it('writes instants as UTC to the second with Z, and reads instants with a zone only', () => {
    expect(isoSecond(utc('2026-02-28T23:00:00.999Z'))).toBe('2026-02-28T23:00:00Z');
    expect(isoSecond(0)).toBe('1970-01-01T00:00:00Z');
    expect(parseInstant('2026-01-10T09:00:00Z')).toBe(utc('2026-01-10T09:00:00Z'));
    expect(parseInstant('2026-01-10T10:00:00+01:00')).toBe(utc('2026-01-10T09:00:00Z'));
    expect(parseInstant('2026-01-10T09:00:00')).toBeNull();
    expect(parseInstant('2026-01-10')).toBeNull();
    expect(parseInstant('yesterday')).toBeNull();
  });
});
