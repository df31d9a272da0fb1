import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parseInstant } from '../../shared/engine';
import { fastInstant } from './request';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

it('reads instants as the engine does, or leaves them to it (fast-check)', () => {
  const text = fc
    .record({
      year: fc.integer({ min: 1960, max: 2300 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 24 }),
      minute: fc.integer({ min: 0, max: 60 }),
      second: fc.option(fc.integer({ min: 0, max: 60 })),
      fraction: fc.option(fc.stringMatching(/^\d{0,10}$/)),
      zone: fc.oneof(fc.constant('Z'), fc.constant('z'), fc.constant(''), fc.stringMatching(/^[+-]\d{2}:\d{2}$/)),
    })
    .map(({ year, month, day, hour, minute, second, fraction, zone }) => {
      const seconds = second === null ? '' : `:${pad(second)}${fraction === null ? '' : `.${fraction}`}`;
      return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}${seconds}${zone}`;
    });
  fc.assert(
    fc.property(fc.oneof(text, fc.string(), fc.date({ min: new Date(1), max: new Date(Date.UTC(2199, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString())), (t) => {
      const fast = fastInstant(t);
      // Whatever the quick reading accepts, the engine reads to the same instant.
      if (fast !== null) expect(fast).toBe(parseInstant(t));
    }),
    { numRuns: 5_000 },
  );
  // What senders write is read without the engine's help.
  for (const t of ['2026-11-03T08:00:00Z', '2026-11-03T08:00:00.123Z', '2026-11-03T08:00:00.123456789Z', '2026-11-03T09:00:00+01:00', '2024-02-29T23:59:59.9Z']) {
    expect(fastInstant(t), t).toBe(parseInstant(t));
  }
  expect(fastInstant('2026-11-03T08:00:00.Z')).toBeNull();
  expect(fastInstant('2025-02-29T00:00:00Z')).toBeNull();
});
