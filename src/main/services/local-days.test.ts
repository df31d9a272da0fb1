import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { localMidnightMs } from '../../shared/engine';
import { LocalMidnights } from './local-days';

describe('local midnights of consecutive dates', () => {
  it('agree with the time-zone library for every date, through gaps and midnight transitions', () => {
    // Santiago and Havana move their clocks at midnight; Lord Howe by 30 minutes; Kathmandu +05:45.
    for (const zone of ['UTC', 'Europe/Madrid', 'America/Santiago', 'America/Havana', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia', 'America/Mexico_City']) {
      const days = new LocalMidnights(zone);
      let date = Temporal.PlainDate.from('2010-01-01');
      for (let i = 0; i < 366 * 3; i += 1) {
        expect(days.of(date), `${zone} ${date.toString()}`).toBe(localMidnightMs(date, zone));
        date = date.add({ days: 5 + (i % 3) });
      }
    }
  });
});
