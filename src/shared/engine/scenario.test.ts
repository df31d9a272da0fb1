import { describe, expect, it } from 'vitest';
import { formatIssue } from './validation';
import { parseScenario, runScenario, type ScenarioOutput } from './scenario';

const madridPlan = {
  limit: 'channel_specific',
  credits: { SMS: 500 },
  renew: 'monthly',
  rollover: true,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
};

/** Parse and run a scenario given as its JSON value; throws with the messages when it is invalid. */
function run(input: unknown): ScenarioOutput {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('; '));
  return runScenario(parsed.value);
}

function problems(input: unknown): string[] {
  const parsed = parseScenario(input);
  return parsed.ok ? [] : parsed.issues.map(formatIssue);
}

describe('running a scenario (SPEC §8)', () => {
  it('answers the SPEC example exactly', () => {
    expect(
      run({
        plan: madridPlan,
        events: [
          { at: '2026-01-10T09:00:00Z', usage: { id: 'u1', channel: 'SMS', credits: 300 } },
          { at: '2026-02-03T09:00:00Z', edit: { credits: { SMS: 600 } } },
        ],
        queries: [{ at: '2026-02-01T12:00:00Z' }],
      }),
    ).toStrictEqual({
      events: [
        { index: 0, accepted: true },
        { index: 1, accepted: true },
      ],
      queries: [
        {
          at: '2026-02-01T12:00:00Z',
          period: { index: 1, start: '2026-01-31T23:00:00Z', end: '2026-02-28T23:00:00Z' },
          buckets: {
            SMS: {
              allocated: 700,
              used: 0,
              remaining: 700,
              carriedIn: 200,
              overage: { added: 0, at: null },
            },
          },
        },
      ],
    });
  });

  it('usage events may carry identity and campaign (SPEC §1); they do not change decisions', () => {
    const events = (tagged: boolean): unknown[] =>
      [300, 150, 100].map((credits, i) => ({
        at: `2026-01-1${i}T09:00:00Z`,
        usage: { id: `u${i}`, channel: 'SMS', credits, ...(tagged ? { identity: `agent-${i}`, campaign: 'spring' } : {}) },
      }));
    const tagged = run({ plan: madridPlan, events: events(true), queries: [{ at: '2026-01-20T00:00:00Z' }] });
    expect(tagged).toStrictEqual(run({ plan: madridPlan, events: events(false), queries: [{ at: '2026-01-20T00:00:00Z' }] }));
    expect(tagged.events.map((e) => e.accepted)).toEqual([true, true, false]);
    expect(problems({ plan: madridPlan, events: [{ at: '2026-01-10T09:00:00Z', usage: { id: 'u', channel: 'SMS', campaign: 7 } }] })).toEqual([
      'events[0].usage.campaign: must be a non-empty string',
    ]);
  });

  it('a query before activation has period null and no buckets', () => {
    const out = run({
      plan: madridPlan,
      events: [],
      queries: [{ at: '2025-12-31T22:59:59Z' }, { at: '2025-12-31T23:00:00Z' }],
    });
    expect(out.queries[0]).toStrictEqual({ at: '2025-12-31T22:59:59Z', period: null, buckets: {} });
    expect(out.queries[1]?.period).toEqual({
      index: 0,
      start: '2025-12-31T23:00:00Z',
      end: '2026-01-31T23:00:00Z',
    });
  });

  it('a query after deletion says deleted', () => {
    const out = run({
      plan: madridPlan,
      events: [{ at: '2026-01-15T00:00:00Z', delete: true }],
      queries: [
        { at: '2026-01-14T23:59:59Z' },
        { at: '2026-01-15T00:00:00Z' },
        { at: '2026-06-01T00:00:00Z' },
      ],
    });
    expect(out.events).toEqual([{ index: 0, accepted: true }]);
    expect(out.queries[0]?.deleted).toBeUndefined();
    expect(out.queries[0]?.buckets.SMS?.remaining).toBe(500);
    expect(out.queries[1]).toStrictEqual({
      at: '2026-01-15T00:00:00Z',
      deleted: true,
      period: null,
      buckets: {},
    });
    expect(out.queries[2]).toMatchObject({ deleted: true });
  });

  it('period.end is null without renewal', () => {
    const out = run({
      plan: { ...madridPlan, renew: null, rollover: false },
      queries: [{ at: '2030-01-01T00:00:00Z' }],
    });
    expect(out.queries[0]?.period).toEqual({ index: 0, start: '2025-12-31T23:00:00Z', end: null });
  });

  it('names the all-channels bucket ALL and takes credits as a number', () => {
    const out = run({
      plan: { ...madridPlan, limit: 'all_channels', credits: 50, overage: true },
      events: [
        { at: '2026-01-02T00:00:00Z', usage: { id: 'a', channel: 'SMS', credits: 30 } },
        { at: '2026-01-02T00:00:01Z', usage: { id: 'b', channel: 'WhatsApp', credits: 30 } },
        { at: '2026-01-02T00:00:02Z', usage: { id: 'c', channel: 'Email', credits: 50 } },
      ],
      queries: [{ at: '2026-01-03T00:00:00Z' }],
    });
    expect(out.events).toEqual([
      { index: 0, accepted: true },
      { index: 1, accepted: true },
      { index: 2, accepted: false, reason: 'exhausted' },
    ]);
    expect(out.queries[0]?.buckets).toStrictEqual({
      ALL: {
        allocated: 100,
        used: 60,
        remaining: 40,
        carriedIn: 0,
        overage: { added: 50, at: '2026-01-02T00:00:01Z' },
      },
    });
  });

  it('defaults usage to 1 credit, MT; MO costs nothing', () => {
    const out = run({
      plan: { ...madridPlan, credits: { SMS: 2 } },
      events: [
        { at: '2026-01-02T00:00:00Z', usage: { id: 'a', channel: 'SMS' } },
        {
          at: '2026-01-02T00:00:01Z',
          usage: { id: 'b', channel: 'SMS', credits: 50, direction: 'MO' },
        },
      ],
      queries: [{ at: '2026-01-03T00:00:00Z' }],
    });
    expect(out.events.every((e) => e.accepted)).toBe(true);
    expect(out.queries[0]?.buckets.SMS).toMatchObject({ used: 1, remaining: 1 });
  });

  it('applies events in time order (ties in file order) and reports them in input order', () => {
    const out = run({
      plan: { ...madridPlan, credits: { SMS: 10 }, rollover: false },
      events: [
        { at: '2026-01-05T00:00:00Z', usage: { id: 'late', channel: 'SMS', credits: 6 } },
        { at: '2026-01-04T00:00:00Z', usage: { id: 'early', channel: 'SMS', credits: 6 } },
        { at: '2026-01-06T00:00:00Z', usage: { id: 'tie-1', channel: 'SMS', credits: 4 } },
        { at: '2026-01-06T00:00:00Z', usage: { id: 'tie-2', channel: 'SMS', credits: 1 } },
      ],
      queries: [{ at: '2026-01-06T00:00:00Z' }, { at: '2026-01-04T00:00:00Z' }],
    });
    expect(out.events).toEqual([
      { index: 0, accepted: false, reason: 'exhausted' },
      { index: 1, accepted: true },
      { index: 2, accepted: true },
      { index: 3, accepted: false, reason: 'exhausted' },
    ]);
    // A query sees every event at or before its instant; queries come back in input order.
    expect(out.queries.map((q) => [q.at, q.buckets.SMS?.used])).toEqual([
      ['2026-01-06T00:00:00Z', 10],
      ['2026-01-04T00:00:00Z', 6],
    ]);
  });

  it('a duplicate usage id repeats the first decision', () => {
    const out = run({
      plan: { ...madridPlan, credits: { SMS: 10 } },
      events: [
        { at: '2026-01-02T00:00:00Z', usage: { id: 'x', channel: 'SMS', credits: 20 } },
        { at: '2026-01-03T00:00:00Z', usage: { id: 'x', channel: 'SMS', credits: 1 } },
        { at: '2026-01-04T00:00:00Z', usage: { id: 'y', channel: 'SMS', credits: 3 } },
        { at: '2026-01-05T00:00:00Z', usage: { id: 'y', channel: 'SMS', credits: 3 } },
      ],
      queries: [{ at: '2026-01-06T00:00:00Z' }],
    });
    expect(out.events.map((e) => e.accepted)).toEqual([false, false, true, true]);
    expect(out.queries[0]?.buckets.SMS?.used).toBe(3);
  });

  it('refuses an invalid edit with the reason naming the field; a second delete is refused', () => {
    const out = run({
      plan: madridPlan,
      events: [
        { at: '2026-01-02T00:00:00Z', edit: { credits: { SMS: -1 } } },
        { at: '2026-01-03T00:00:00Z', edit: { renew: null, rollover: true } },
        { at: '2026-01-04T00:00:00Z', delete: true },
        { at: '2026-01-05T00:00:00Z', delete: true },
        { at: '2026-01-06T00:00:00Z', edit: { overage: true } },
      ],
    });
    expect(out.events[0]).toMatchObject({
      accepted: false,
      reason: expect.stringMatching(/^edit\.credits\.SMS: must be a positive integer/),
    });
    expect(out.events[1]).toMatchObject({
      accepted: false,
      reason: expect.stringMatching(/^edit\.rollover: needs a renewal period/),
    });
    expect(out.events[2]).toEqual({ index: 2, accepted: true });
    expect(out.events[3]).toMatchObject({
      accepted: false,
      reason: expect.stringContaining('deleted'),
    });
    expect(out.events[4]).toMatchObject({
      accepted: false,
      reason: expect.stringContaining('deleted'),
    });
  });

  it('gives byte-identical output when run again', () => {
    const input = {
      plan: { ...madridPlan, overage: true },
      events: Array.from({ length: 40 }, (_, i) => ({
        at: `2026-0${1 + (i % 6)}-1${i % 10}T0${i % 10}:00:00Z`,
        usage: { id: `u${i % 25}`, channel: 'SMS', credits: 37 + i },
      })),
      queries: [{ at: '2026-03-01T00:00:00Z' }, { at: '2026-07-01T00:00:00Z' }],
    };
    expect(JSON.stringify(run(input))).toBe(JSON.stringify(run(structuredClone(input))));
  });
});

describe('parsing a scenario names the place of every problem', () => {
  it('in the plan', () => {
    expect(problems({ plan: { ...madridPlan, credits: { SMS: -5 } } })).toEqual([
      expect.stringMatching(/^plan\.credits\.SMS: must be a positive integer/),
    ]);
    expect(problems({ plan: { ...madridPlan, renew: null } })).toEqual([
      expect.stringMatching(/^plan\.rollover: /),
    ]);
    expect(
      problems({
        plan: { ...madridPlan, activation: { date: '2026-01-01', timeZone: 'Europe/Atlantis' } },
      }),
    ).toEqual([expect.stringMatching(/^plan\.activation\.timeZone: .*"Europe\/Atlantis"/)]);
    expect(problems({ events: [] })).toEqual(['plan: must be an object']);
  });

  it('in events and queries', () => {
    expect(
      problems({
        plan: madridPlan,
        events: [{ at: '2026-01-10T09:00:00Z', usage: { id: 'u1', channel: 'Fax' } }],
      }),
    ).toEqual(['events[0].usage.channel: must be one of SMS, WhatsApp, Email, Push, RCS']);
    expect(
      problems({
        plan: madridPlan,
        events: [{ at: '2026-01-10T09:00:00Z', usage: { id: 'u1', channel: 'SMS', credits: -3 } }],
      }),
    ).toEqual(['events[0].usage.credits: must be a positive integer']);
    expect(
      problems({
        plan: madridPlan,
        events: [
          { at: '2026-01-10T09:00:00Z', usage: { id: 'u1', channel: 'SMS', direction: 'UP' } },
        ],
      }),
    ).toEqual(['events[0].usage.direction: must be MT or MO']);
    expect(
      problems({
        plan: madridPlan,
        events: [{ at: '2026-01-10', usage: { id: 'u1', channel: 'SMS' } }],
      })[0],
    ).toMatch(/^events\[0\]\.at: /);
    expect(
      problems({ plan: madridPlan, events: [{ at: '2026-01-10T09:00:00Z', delete: false }] }),
    ).toEqual(['events[0].delete: must be true']);
    expect(
      problems({
        plan: madridPlan,
        events: [{ at: '2026-01-10T09:00:00Z', delete: true, edit: { overage: true } }],
      }),
    ).toEqual(['events[0]: must have exactly one of usage, edit, delete, topUp, chargeNow']);
    expect(
      problems({
        plan: madridPlan,
        events: [{ at: '2026-01-10T09:00:00Z', edit: { colour: 'red' } }],
      }),
    ).toEqual(['events[0].edit.colour: is not a known field']);
    expect(problems({ plan: madridPlan, events: {} })).toEqual(['events: must be an array']);
    expect(problems({ plan: madridPlan, queries: [{ at: 'noon' }] })[0]).toMatch(
      /^queries\[0\]\.at: /,
    );
    expect(problems({ plan: madridPlan, query: [] })).toEqual(['query: is not a known field']);
    expect(problems([])).toEqual([
      'a scenario must be a JSON object with plan, events and queries',
    ]);
  });
});
