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

describe('local midnights asked in any order', () => {
  it('agree with the library when the first date asked is a midnight transition (Santiago, 2026-09-06)', () => {
    // That midnight does not exist: the day starts at 01:00, exactly at the transition. The stretch
    // of constant offset learned there starts at that transition, not at the one before it.
    const days = new LocalMidnights('America/Santiago');
    expect(days.of(Temporal.PlainDate.from('2026-09-06'))).toBe(localMidnightMs(Temporal.PlainDate.from('2026-09-06'), 'America/Santiago'));
    for (const date of ['2026-05-01', '2026-04-10', '2026-08-30', '2026-12-01'])
      expect(days.of(Temporal.PlainDate.from(date)), date).toBe(localMidnightMs(Temporal.PlainDate.from(date), 'America/Santiago'));
  });

  it('agree with the library for random dates in random order, in zones that move their clocks', () => {
    const zones = ['America/Santiago', 'America/Havana', 'Europe/Madrid', 'Australia/Lord_Howe', 'Pacific/Apia', 'Asia/Kathmandu'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (const zone of zones) {
      const days = new LocalMidnights(zone);
      for (let i = 0; i < 400; i += 1) {
        const date = Temporal.PlainDate.from('2008-01-01').add({ days: next(366 * 20) });
        expect(days.of(date), `${zone} ${date.toString()}`).toBe(localMidnightMs(date, zone));
      }
    }
  });
});
