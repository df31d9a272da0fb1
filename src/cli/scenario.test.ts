/**
 * The scenario command as users run it: a real process on a real file. Checks SPEC §8's
 * example answer byte for byte (as JSON) and that invalid input exits with status 2 and
 * exactly one line on stderr naming the place.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'scenario-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function spawn(command: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** `node --import tsx src/cli/scenario.ts FILE`, the command behind `npm run scenario`. */
function scenario(file: string, input?: string): Promise<Run> {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/scenario.ts', file], input);
}

function file(name: string, content: unknown): string {
  const target = path.join(dir, name);
  writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return target;
}

const plan = {
  limit: 'channel_specific',
  credits: { SMS: 500 },
  renew: 'monthly',
  rollover: true,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
};

/** The output document printed in SPEC §8, verbatim. */
const SPEC_OUTPUT = `{
  "events": [ { "index": 0, "accepted": true }, { "index": 1, "accepted": true } ],
  "queries": [ {
    "at": "2026-02-01T12:00:00Z",
    "period": { "index": 1, "start": "2026-01-31T23:00:00Z", "end": "2026-02-28T23:00:00Z" },
    "buckets": {
      "SMS": { "allocated": 700, "used": 0, "remaining": 700, "carriedIn": 200,
               "overage": { "added": 0, "at": null } }
    }
  } ]
}`;

// Each case is a separate process; they run concurrently (hence the test context's own expect).
describe.concurrent('npm run --silent scenario -- FILE', () => {
  it("answers SPEC §8's example exactly (examples/spec-example.json)", async ({ expect }) => {
    const result = await scenario('examples/spec-example.json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toStrictEqual(JSON.parse(SPEC_OUTPUT));
  });

  it('moves a non-renewing plan to a later activation: the cut period ends there, a fresh allocation follows (examples/moved-activation.json)', async ({
    expect,
  }) => {
    const result = await scenario('examples/moved-activation.json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as {
      events: unknown[];
      queries: { period: unknown; buckets: Record<string, unknown> }[];
    };
    expect(out.events).toStrictEqual([0, 1, 2, 3].map((index) => ({ index, accepted: true })));
    expect(out.queries[0]?.period).toStrictEqual({
      index: 1,
      start: '2026-01-10T00:00:00Z',
      end: '2026-02-01T00:00:00Z',
    });
    expect(out.queries[1]?.period).toStrictEqual({
      index: 2,
      start: '2026-02-01T00:00:00Z',
      end: null,
    });
    expect(out.queries[1]?.buckets.ALL).toStrictEqual({
      allocated: 10,
      used: 10,
      remaining: 0,
      carriedIn: 0,
      overage: { added: 0, at: null },
    });
  });

  it("answers SPEC §9.7's additions (examples/policies-example.json): top-ups, charge now, daily limit, metered overage, rate card", async ({
    expect,
  }) => {
    const result = await scenario('examples/policies-example.json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as {
      events: unknown[];
      queries: { buckets: { ALL: unknown } }[];
    };
    const usd = (amount: string) => ({ amount, currency: 'USD' });
    expect(out.events).toStrictEqual([
      { index: 0, accepted: true, price: usd('45.00') },
      { index: 1, accepted: true },
      { index: 2, accepted: false, reason: 'daily_limit' },
      { index: 3, accepted: true },
      { index: 4, accepted: true },
      { index: 5, accepted: true },
      { index: 6, accepted: true, credits: { ALL: 250 }, price: usd('37.50') },
      { index: 7, accepted: true },
      { index: 8, accepted: false, reason: 'unknown_bucket' },
    ]);
    expect(out.queries[1]?.buckets.ALL).toStrictEqual({
      allocated: 1000,
      used: 1000,
      remaining: 0,
      carriedIn: 0,
      overage: { added: 0, at: '2026-04-29T10:00:00Z', metered: 7, charge: usd('0.07') },
      topUps: { available: 550, used: 550, remaining: 0 },
      daily: { limit: 600, used: 0 },
    });
    expect(out.queries[2]?.buckets.ALL).toMatchObject({
      remaining: 1000,
      topUps: { available: 0 },
      overage: { metered: 0, charge: usd('0.00') },
    });
  });

  it('prints only the JSON document through npm', async ({ expect }) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = await spawn(npm, [
      'run',
      '--silent',
      'scenario',
      '--',
      'examples/spec-example.json',
    ]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toStrictEqual(JSON.parse(SPEC_OUTPUT));
  });

  it('--explain adds, per usage event, the tranches that paid it and the balance before and after; without it the output is unchanged', async ({
    expect,
  }) => {
    const target = file('explain.json', {
      plan,
      events: [
        { at: '2026-01-10T09:00:00Z', usage: { id: 'u1', channel: 'SMS', credits: 300 } },
        { at: '2026-02-03T09:00:00Z', usage: { id: 'u2', channel: 'SMS', credits: 450 } },
        { at: '2026-02-04T09:00:00Z', usage: { id: 'u3', channel: 'SMS', credits: 400 } },
      ],
    });
    const result = await spawn(process.execPath, ['--import', 'tsx', 'src/cli/scenario.ts', '--explain', target]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as { events: { explain: unknown }[] };
    expect(out.events[1]).toStrictEqual({
      index: 1,
      accepted: true,
      explain: {
        accepted: true,
        reason: null,
        bucket: 'SMS',
        credits: 450,
        period: { index: 1, start: '2026-01-31T23:00:00Z', end: '2026-02-28T23:00:00Z' },
        paidBy: [
          { source: 'rollover', origin: 0, period: { index: 0, start: '2025-12-31T23:00:00Z', end: '2026-01-31T23:00:00Z' }, credits: 200 },
          { source: 'allocation', origin: 1, credits: 250 },
        ],
        before: { vintages: [{ origin: 0, credits: 200, period: { index: 0, start: '2025-12-31T23:00:00Z', end: '2026-01-31T23:00:00Z' } }], allocation: 500, allocationLeft: 500, overageAdded: 0, overageLeft: 0, remaining: 700, used: 0, topUpsLeft: 0 },
        after: { vintages: [{ origin: 0, credits: 0, period: { index: 0, start: '2025-12-31T23:00:00Z', end: '2026-01-31T23:00:00Z' } }], allocation: 500, allocationLeft: 250, overageAdded: 0, overageLeft: 0, remaining: 250, used: 450, topUpsLeft: 0 },
      },
    });
    expect(out.events[2]).toMatchObject({ accepted: false, reason: 'exhausted', explain: { reason: 'exhausted', credits: 400, paidBy: [], before: { remaining: 250 } } });
    const plain = await scenario(target);
    expect(JSON.parse(plain.stdout)).toStrictEqual({
      events: [
        { index: 0, accepted: true },
        { index: 1, accepted: true },
        { index: 2, accepted: false, reason: 'exhausted' },
      ],
      queries: [],
    });
  });

  it('reads standard input when FILE is -', async ({ expect }) => {
    const result = await scenario(
      '-',
      JSON.stringify({ plan, queries: [{ at: '2025-06-01T00:00:00Z' }] }),
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toStrictEqual({
      events: [],
      queries: [{ at: '2025-06-01T00:00:00Z', period: null, buckets: {} }],
    });
  });

  it('reads a file saved with a UTF-8 byte-order mark', async ({ expect }) => {
    const target = path.join(dir, 'bom.json');
    writeFileSync(target, `\uFEFF${JSON.stringify({ plan, queries: [{ at: '2025-06-01T00:00:00Z' }] })}`, 'utf8');
    const result = await scenario(target);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ queries: [{ at: '2025-06-01T00:00:00Z' }] });
  });

  const invalid: [string, unknown, RegExp][] = [
    ['bad JSON', '{ "plan": { "limit": "all_channels", ', /^\S*bad-json\.json: not valid JSON/],
    [
      'an unknown channel in the plan',
      { plan: { ...plan, credits: { Fax: 10 } } },
      /^plan\.credits\.Fax: is not a channel/,
    ],
    [
      'an unknown channel in a usage event',
      { plan, events: [{ at: '2026-01-10T09:00:00Z', usage: { id: 'u1', channel: 'Telegram' } }] },
      /^events\[0\]\.usage\.channel: must be one of SMS, WhatsApp, Email, Push, RCS/,
    ],
    [
      'negative credits',
      { plan: { ...plan, credits: { SMS: -500 } } },
      /^plan\.credits\.SMS: must be a positive integer/,
    ],
    [
      'negative usage credits',
      {
        plan,
        events: [{ at: '2026-01-10T09:00:00Z', usage: { id: 'u1', channel: 'SMS', credits: -1 } }],
      },
      /^events\[0\]\.usage\.credits: must be a positive integer/,
    ],
    [
      'rollover without renewal',
      { plan: { ...plan, renew: null } },
      /^plan\.rollover: needs a renewal period/,
    ],
    [
      'a zone that does not exist',
      { plan: { ...plan, activation: { date: '2026-01-01', timeZone: 'Europe/Atlantis' } } },
      /^plan\.activation\.timeZone: must be an IANA time zone.*Europe\/Atlantis/,
    ],
    [
      'a date that does not exist',
      { plan: { ...plan, activation: { date: '2026-02-30', timeZone: 'Europe/Madrid' } } },
      /^plan\.activation\.date: must be a calendar date/,
    ],
    [
      'an instant without a zone',
      { plan, queries: [{ at: '2026-02-01T12:00:00' }] },
      /^queries\[0\]\.at: /,
    ],
    ['not an object', '[1, 2, 3]', /^a scenario must be a JSON object/],
    [
      'a price that is a float',
      { plan: { ...plan, price: { amount: 150, currency: 'USD' } } },
      /^plan\.price: must be money/,
    ],
    [
      'a daily limit of zero',
      { plan: { ...plan, dailyLimit: { SMS: 0 } } },
      /^plan\.dailyLimit\.SMS: must be a positive integer/,
    ],
    [
      'metered overage without a rate',
      { plan: { ...plan, overage: 'metered' } },
      /^plan\.overageRate: is needed by metered overage/,
    ],
    [
      'a top-up without an id',
      {
        plan,
        events: [
          { at: '2026-01-10T09:00:00Z', topUp: { bucket: 'SMS', credits: 5, expires: 'never' } },
        ],
      },
      /^events\[0\]\.topUp\.id: must be a non-empty string/,
    ],
    [
      'an empty identity',
      {
        plan,
        events: [{ at: '2026-01-10T09:00:00Z', usage: { id: 'u1', channel: 'SMS', identity: '' } }],
      },
      /^events\[0\]\.usage\.identity: must be a non-empty string/,
    ],
  ];

  it.for(invalid)(
    'exits 2 with one stderr line naming the place for %s',
    async ([name, content, message], { expect }) => {
      const target = file(
        `${name === 'bad JSON' ? 'bad-json' : name.replace(/\W+/g, '-')}.json`,
        content,
      );
      const result = await scenario(target);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.endsWith('\n')).toBe(true);
      const lines = result.stderr.split('\n').filter((line) => line.length > 0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    },
  );

  it('puts several problems on the one line, the first one first', async ({ expect }) => {
    const target = file('many.json', {
      plan: { ...plan, credits: { SMS: -1, Fax: 2 }, renew: null },
    });
    const result = await scenario(target);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^plan\.credits\.SMS: .*\(and 2 more: plan\.credits\.Fax: .*; plan\.rollover: /,
    );
  });

  it('exits 2 with one line for a missing file or a missing argument', async ({ expect }) => {
    const missing = await scenario(path.join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/nope\.json: cannot read the file \(ENOENT\)/),
    ]);
    const none = await spawn(process.execPath, ['--import', 'tsx', 'src/cli/scenario.ts']);
    expect(none.status).toBe(2);
    expect(none.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^usage: /)]);
  });
});
