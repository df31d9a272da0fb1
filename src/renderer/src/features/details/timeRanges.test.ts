import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { defaultGrouping, rangeWindow } from './timeRanges';

// 2026-03-29 is the day Europe/Madrid moves to summer time; 10:00 UTC is noon there.
const now = Temporal.Instant.from('2026-03-29T10:00:00Z');

describe('time filter windows, in the plan’s zone', () => {
  it('today spans the local day, which is 23 hours long on a daylight-saving day', () => {
    const window = rangeWindow('today', 'Europe/Madrid', now);
    expect(window).toMatchObject({ fromDate: '2026-03-29', toDateExclusive: '2026-03-30', from: '2026-03-28T23:00:00Z', to: '2026-03-29T22:00:00Z' });
  });

  it('the same instant is another day in another zone', () => {
    const late = Temporal.Instant.from('2026-03-29T03:00:00Z');
    expect(rangeWindow('today', 'America/Mexico_City', late)?.fromDate).toBe('2026-03-28');
    expect(rangeWindow('yesterday', 'America/Mexico_City', late)?.fromDate).toBe('2026-03-27');
  });

  it('weeks start on Monday; months and years on their first day', () => {
    expect(rangeWindow('this_week', 'UTC', now)).toMatchObject({ fromDate: '2026-03-23', toDateExclusive: '2026-03-30' });
    expect(rangeWindow('last_week', 'UTC', now)).toMatchObject({ fromDate: '2026-03-16', toDateExclusive: '2026-03-23' });
    expect(rangeWindow('this_month', 'UTC', now)).toMatchObject({ fromDate: '2026-03-01', toDateExclusive: '2026-04-01' });
    expect(rangeWindow('last_month', 'UTC', now)).toMatchObject({ fromDate: '2026-02-01', toDateExclusive: '2026-03-01' });
    expect(rangeWindow('this_year', 'UTC', now)).toMatchObject({ fromDate: '2026-01-01', toDateExclusive: '2027-01-01' });
  });

  it('a custom range includes its last day and refuses a reversed or impossible range', () => {
    expect(rangeWindow('custom', 'UTC', now, { from: '2026-02-01', to: '2026-02-28' })).toMatchObject({ to: '2026-03-01T00:00:00Z' });
    expect(rangeWindow('custom', 'UTC', now, { from: '2026-03-02', to: '2026-03-01' })).toBeNull();
    expect(rangeWindow('custom', 'UTC', now, { from: '2026-02-30', to: '2026-03-01' })).toBeNull();
  });

  it('groups long windows coarser', () => {
    expect(defaultGrouping(rangeWindow('this_month', 'UTC', now)!)).toBe('day');
    expect(defaultGrouping(rangeWindow('this_year', 'UTC', now)!)).toBe('month');
  });
});
