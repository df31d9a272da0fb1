import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMMAND_NAMES, GROUPINGS, USAGE_RANGES, HISTORY_ACTIONS, ROLES, apiErrorSchema, commands, type Caller, type CommandName, type Result } from '../../shared/api';
import { CHANNELS, DIRECTIONS, LIMITS, MAX_CREDITS, RENEWALS } from '../../shared/domain';
import { insertEnvironment, insertSpace, insertSpaceChannel, openLedger } from '../ledger';
import { LEDGER_FILE, callerSchema, openConsole, type ConsoleRuntime } from '.';

/**
 * The dispatcher over the real services and a real ledger file, fed random and hostile input
 * for every command and every role: every answer must be a typed error or a result that
 * matches the command's output schema, nothing may throw, and a refused call must leave the
 * database byte for byte as it was (checked on the file itself after a checkpoint).
 */

let dir: string;
let runtime: ConsoleRuntime;
let observer: Database.Database;
const ids = {
  environment: 'env-fuzz',
  spaceA: 'space-a',
  spaceB: 'space-b',
  planA: '',
  planB: '',
  draft: '',
  csv: '',
};

const ADMIN: Caller = { actor: 'Fuzz Admin', role: 'admin' };

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dispatcher-fuzz-'));
  runtime = await openConsole({ dataDir: path.join(dir, 'data'), empty: true });
  const setup = openLedger(runtime.ledgerPath);
  try {
    const createdAt = Date.UTC(2025, 0, 1);
    setup.transaction(() => {
      insertEnvironment(setup, { id: ids.environment, name: 'Fuzz', demo: false, createdAt });
      for (const spaceId of [ids.spaceA, ids.spaceB]) {
        insertSpace(setup, { id: spaceId, environmentId: ids.environment, name: spaceId, accountManager: { name: 'Alex', email: 'alex@example.com' }, createdAt });
        insertSpaceChannel(setup, spaceId, { channel: 'SMS', bidirectional: true, addedAt: createdAt });
        insertSpaceChannel(setup, spaceId, { channel: 'Email', bidirectional: false, addedAt: createdAt });
      }
    });
  } finally {
    setup.close();
  }
  const planA = await runtime.dispatcher.dispatch(
    'plans.create',
    { spaceId: ids.spaceA, config: { limit: 'channel_specific', credits: { SMS: 1000 }, renew: 'monthly', rollover: true, overage: false, activation: { date: '2025-01-01', timeZone: 'Europe/Madrid' } } },
    ADMIN,
  );
  const planB = await runtime.dispatcher.dispatch(
    'plans.create',
    { spaceId: ids.spaceB, config: { limit: 'all_channels', credits: 5000, renew: null, rollover: false, overage: true, activation: { date: '2025-02-01', timeZone: 'America/Mexico_City' } } },
    ADMIN,
  );
  const draft = await runtime.dispatcher.dispatch(
    'drafts.save',
    { spaceId: ids.spaceA, name: 'Draft', config: { limit: 'channel_specific', credits: { Email: 10 }, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } } },
    ADMIN,
  );
  if (!planA.ok || !planB.ok || !draft.ok) throw new Error(`fixture failed: ${JSON.stringify([planA, planB, draft])}`);
  ids.planA = (planA.value as { id: string }).id;
  ids.planB = (planB.value as { id: string }).id;
  ids.draft = (draft.value as { id: string }).id;
  ids.csv = path.join(dir, 'usage.csv');
  writeFileSync(ids.csv, `id,spaceId,channel,direction,credits,occurredAt\nu1,${ids.spaceA},SMS,MT,2,2025-03-01T10:00:00Z\n`);
  observer = new Database(runtime.ledgerPath);
}, 60_000);

afterAll(() => {
  observer?.close();
  runtime?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Hash of the ledger file once every committed page is in it (the WAL checkpointed to zero length). */
function ledgerFingerprint(): string {
  const [checkpoint] = observer.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  expect(checkpoint?.busy).toBe(0);
  const hash = createHash('sha256').update(readFileSync(runtime.ledgerPath));
  const wal = `${runtime.ledgerPath}-wal`;
  if (existsSync(wal)) hash.update(readFileSync(wal));
  return hash.digest('hex');
}

/**
 * Every table's rows, without what the background sync client writes on its own while offline
 * (its retry bookkeeping: attempts and errors on outbox rows, its state), as a hash.
 */
function ledgerRows(): string {
  const hash = createHash('sha256');
  for (const table of observer.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]) {
    for (const row of observer.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
      if (table === 'outbox') for (const column of ['attempts', 'last_attempt_at', 'last_error']) delete row[column];
      if (table === 'sync_state') for (const column of ['state', 'last_error', 'last_sync_at']) delete row[column];
      hash.update(`${table}:${JSON.stringify(row)}\n`);
    }
  }
  return hash.digest('hex');
}

// ── inputs ────────────────────────────────────────────────────────────────────────────────
const HUGE = 'Ω'.repeat(300_000);
const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'), fc.string({ maxLength: 12 }));
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', "'; DROP TABLE plans; --", '%s%n', '\uD800', 'NaN', '2025-13-45T99:99:99Z', HUGE, 'x'.repeat(201)),
);
const hostileNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, -1, 0));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, undefined, true, false, [], {}),
  fc.anything({ key: hostileKey, maxDepth: 3, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }),
  // As they arrive over HTTP: JSON.parse makes "__proto__" an own key instead of the prototype.
  fc.constantFrom(
    JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
    JSON.parse('{"constructor":{"prototype":{"polluted":true}}}') as unknown,
    JSON.parse('{"__proto__":{"role":"admin"},"limit":"all_channels"}') as unknown,
  ),
  fc.array(fc.integer(), { maxLength: 5 }),
);

function config(): Record<string, unknown> {
  return { limit: 'channel_specific', credits: { Email: 500 }, renew: 'weekly', rollover: false, overage: true, activation: { date: '2025-06-01', timeZone: 'Asia/Tokyo' } };
}

/** A valid input for each command, so that mutations reach past validation into the services. */
function templates(): Record<CommandName, unknown> {
  const filter = { from: '2024-01-01T00:00:00Z', planId: ids.planA, action: 'created', actor: 'Fuzz Admin' };
  return {
    'session.whoami': {},
    'environments.list': {},
    'spaces.list': { environmentId: ids.environment },
    'spaces.get': { spaceId: ids.spaceA },
    'spaces.addChannel': { spaceId: ids.spaceA, channel: 'Push', bidirectional: false },
    'plans.list': { spaceId: ids.spaceA, includeDeleted: true },
    'plans.get': { planId: ids.planA },
    'plans.create': { spaceId: ids.spaceA, config: config() },
    'plans.edit': { planId: ids.planA, baseVersion: 1, patch: { credits: { SMS: 2000 } } },
    'plans.delete': { planId: ids.planB, baseVersion: 1 },
    'plans.preview': { spaceId: ids.spaceA, config: config(), planId: ids.planA },
    'plans.addCredits': { planId: ids.planA, bucket: 'SMS', credits: 100, expires: 'never', price: { amount: '5.00', currency: 'USD' } },
    'plans.chargeNow': { planId: ids.planA, confirm: { week: 1 } },
    'plans.credits': { planId: ids.planA },
    'plans.statement': { planId: ids.planA, period: 'current' },
    'drafts.list': { spaceId: ids.spaceA },
    'drafts.save': { spaceId: ids.spaceA, name: 'Another', config: config() },
    'drafts.delete': { draftId: ids.draft },
    'details.state': { planId: ids.planA, at: '2025-03-02T00:00:00Z' },
    'details.usedByChannel': { planId: ids.planA, from: '2025-03-01T00:00:00Z', to: '2025-04-01T00:00:00Z' },
    'details.usageSeries': { planId: ids.planA, from: '2025-01-01T00:00:00Z', to: '2025-04-01T00:00:00Z', groupBy: 'week' },
    'usage.report': { scope: { kind: 'space', spaceId: ids.spaceA }, range: 'custom', custom: { from: '2025-03-01', to: '2025-03-31' }, groupBy: 'week' },
    'usage.explain': { scope: { kind: 'space', spaceId: ids.spaceA }, eventId: 'e1' },
    'history.list': { filter, cursor: null, limit: 10 },
    'history.exportCsv': { filter },
    'notifications.list': { planId: ids.planA },
    'usage.import': { source: { kind: 'path', path: ids.csv } },
    'usage.record': { events: [{ id: 'e1', spaceId: ids.spaceA, channel: 'SMS', occurredAt: '2025-03-03T10:00:00Z' }] },
    'sync.status': {},
    'sync.now': {},
    'sync.conflicts': { includeResolved: true },
    'sync.resolveConflict': { conflictId: 'CF-none', keep: 'central' },
    'settings.get': {},
    'settings.update': { centralUrl: 'http://127.0.0.1:9/', token: 'token' },
  };
}

/**
 * Well-formed calls that the services themselves must refuse or accept: unknown and real ids,
 * stale and current versions, plans that collide with the space's other plans, reversed time
 * ranges, duplicate usage events, bad import rows. These reach past validation, where a refusal
 * could leave a half-written change behind.
 */
function semantic(): Record<CommandName, fc.Arbitrary<unknown>> {
  const spaceId = fc.constantFrom(ids.spaceA, ids.spaceB, 'space-missing');
  const planId = fc.constantFrom(ids.planA, ids.planB, 'plan-missing');
  const environmentId = fc.constantFrom(ids.environment, 'env-missing');
  const channel = fc.constantFrom(...CHANNELS);
  const instant = fc.constantFrom('2024-12-31T23:00:00Z', '2025-01-01T00:00:00Z', '2025-03-01T10:00:00+01:00', '2025-06-30T00:00:00Z', '2030-01-01T00:00:00Z');
  const activation = fc.record({
    date: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('2025-01-01', '2025-01-31', '2026-03-29', '1999-12-31') }, { weight: 1, arbitrary: fc.constantFrom('2025-02-29', '2025-1-1') }),
    timeZone: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('UTC', 'Europe/Madrid', 'America/Mexico_City') }, { weight: 1, arbitrary: fc.constant('Mars/Olympus') }),
  });
  const renew = fc.constantFrom(null, ...RENEWALS);
  const credits = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 10_000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -5, 1.5, MAX_CREDITS, MAX_CREDITS + 1) });
  const channelCredits = fc.dictionary(channel, credits, { minKeys: 0, maxKeys: 2 });
  const planConfig = fc.oneof(
    fc.record({ limit: fc.constant('all_channels'), credits, renew, rollover: fc.boolean(), overage: fc.boolean(), activation }),
    fc.record({ limit: fc.constant('channel_specific'), credits: channelCredits, renew, rollover: fc.boolean(), overage: fc.boolean(), activation }),
  );
  const patch = fc.record(
    { limit: fc.constantFrom(...LIMITS), credits: fc.oneof(credits, channelCredits), renew, rollover: fc.boolean(), overage: fc.boolean(), activation },
    { requiredKeys: [] },
  );
  const baseVersion = fc.integer({ min: 1, max: 4 });
  const filter = fc.record(
    { from: instant, to: instant, spaceId, planId, action: fc.constantFrom(...HISTORY_ACTIONS), actor: fc.constantFrom('Fuzz Admin', 'nobody', '%', "'") },
    { requiredKeys: [] },
  );
  const usageEvent = fc.record(
    { id: fc.constantFrom('e1', 'e2', 'e3', 'e4'), spaceId, channel, direction: fc.constantFrom(...DIRECTIONS), credits: fc.integer({ min: 1, max: 50 }), occurredAt: instant },
    { requiredKeys: ['id', 'spaceId', 'channel', 'occurredAt'] },
  );
  const csvLine = fc.oneof(
    fc.tuple(fc.constantFrom('u1', 'u2', 'u3'), spaceId, channel, instant).map(([id, space, ch, at]) => `${id},${space},${ch},MT,1,${at}`),
    fc.constantFrom('broken', ',,,,', `u9,${ids.spaceA},Fax,MT,1,2025-01-01T00:00:00Z`, `u8,${ids.spaceA},SMS,MT,-3,2025-01-01T00:00:00Z`, `u7,${ids.spaceA},SMS,MT,1,yesterday`),
  );
  const importSource = fc.oneof(
    fc.record({ kind: fc.constant('path'), path: fc.constantFrom(ids.csv, path.join(dir, 'missing.csv'), dir, path.join(dir, 'data', LEDGER_FILE)) }),
    fc
      .tuple(fc.constantFrom('usage.csv', 'usage.jsonl', 'usage.txt'), fc.array(csvLine, { maxLength: 6 }))
      .map(([fileName, lines]) => ({ kind: 'text', fileName, text: ['id,spaceId,channel,direction,credits,occurredAt', ...lines].join('\n') })),
  );
  return {
    'session.whoami': fc.constant({}),
    'environments.list': fc.constant({}),
    'spaces.list': fc.record({ environmentId }),
    'spaces.get': fc.record({ spaceId }),
    'spaces.addChannel': fc.record({ spaceId, channel, bidirectional: fc.boolean() }),
    'plans.list': fc.record({ spaceId, includeDeleted: fc.boolean() }, { requiredKeys: ['spaceId'] }),
    'plans.get': fc.record({ planId }),
    'plans.create': fc.record({ spaceId, config: planConfig }),
    'plans.edit': fc.record({ planId, baseVersion, patch }),
    'plans.delete': fc.record({ planId, baseVersion }),
    'plans.preview': fc.record({ spaceId, config: fc.oneof(planConfig, hostileValue), planId }, { requiredKeys: ['spaceId', 'config'] }),
    'plans.addCredits': fc.record(
      {
        planId,
        bucket: fc.constantFrom('ALL', ...CHANNELS),
        credits,
        expires: fc.constantFrom('period_end', 'never'),
        price: fc.record({ amount: fc.constantFrom('0', '25.00', '1.005', '12.345'), currency: fc.constantFrom('USD', 'JPY', 'KWD', 'XXX', 'ZZZ') }),
      },
      { requiredKeys: ['planId', 'bucket', 'credits', 'expires'] },
    ),
    'plans.chargeNow': fc.record({ planId, confirm: fc.record({ week: fc.integer({ min: 1, max: 6 }) }) }, { requiredKeys: ['planId'] }),
    'plans.credits': fc.record({ planId }),
    'plans.statement': fc.record({ planId, period: fc.oneof(fc.constant('current' as const), fc.integer({ min: -1, max: 40 })) }),
    'drafts.list': fc.record({ spaceId }),
    'drafts.save': fc.record({ spaceId, draftId: fc.constantFrom(ids.draft, 'draft-missing'), name: fc.constantFrom('A', 'B'), config: planConfig }, { requiredKeys: ['spaceId', 'name', 'config'] }),
    'drafts.delete': fc.record({ draftId: fc.constantFrom(ids.draft, 'draft-missing') }),
    'details.state': fc.record({ planId, at: instant }, { requiredKeys: ['planId'] }),
    'details.usedByChannel': fc.record({ planId, from: instant, to: instant }),
    'details.usageSeries': fc.record({ planId, from: instant, to: instant, groupBy: fc.constantFrom(...GROUPINGS) }),
    'usage.report': fc.record(
      {
        scope: fc.oneof(fc.record({ kind: fc.constant('space' as const), spaceId }), fc.record({ kind: fc.constant('environment' as const), environmentId })),
        range: fc.constantFrom(...USAGE_RANGES),
        custom: fc.record({ from: fc.constantFrom('2025-03-01', '2025-02-30', '2024-12-31', '2031-01-01'), to: fc.constantFrom('2025-03-31', '2025-01-01', '2026-13-01') }),
        groupBy: fc.constantFrom(...GROUPINGS),
        top: fc.integer({ min: -1, max: 101 }),
      },
      { requiredKeys: ['scope', 'range', 'groupBy'] },
    ),
    'usage.explain': fc.record({
      scope: fc.oneof(fc.record({ kind: fc.constant('space' as const), spaceId }), fc.record({ kind: fc.constant('environment' as const), environmentId })),
      eventId: fc.constantFrom('e1', '', 'missing', 'x'.repeat(201)),
    }),
    'history.list': fc.record({ filter, cursor: fc.constantFrom(null, 'garbage', 'eyJhIjoxfQ'), limit: fc.integer({ min: 1, max: 500 }) }, { requiredKeys: ['filter'] }),
    'history.exportCsv': fc.record({ filter }),
    'notifications.list': fc.record({ planId, spaceId }, { requiredKeys: [] }),
    'usage.import': fc.record({ source: importSource }),
    'usage.record': fc.record({ events: fc.array(usageEvent, { minLength: 1, maxLength: 4 }) }),
    'sync.status': fc.constant({}),
    'sync.now': fc.constant({}),
    'sync.conflicts': fc.record({ includeResolved: fc.boolean() }, { requiredKeys: [] }),
    'sync.resolveConflict': fc.record({ conflictId: fc.string({ maxLength: 120 }), keep: fc.constantFrom('central', 'mine', 'both') }),
    'settings.get': fc.constant({}),
    'settings.update': fc.record({ centralUrl: fc.constantFrom(null, 'http://127.0.0.1:9/', 'https://central.example/'), token: fc.constantFrom(null, 't0ken') }, { requiredKeys: ['centralUrl'] }),
  };
}

/** Keeps, replaces, drops or adds fields at any depth of a valid input. */
function mutated(template: unknown): fc.Arbitrary<unknown> {
  if (template === null || typeof template !== 'object') return fc.oneof({ weight: 3, arbitrary: fc.constant(template) }, { weight: 1, arbitrary: hostileValue });
  if (Array.isArray(template)) {
    return fc.oneof(fc.tuple(...template.map(mutated)), hostileValue);
  }
  const entries = Object.entries(template as Record<string, unknown>);
  const fields = entries.map(([key, value]) =>
    fc.oneof(
      { weight: 4, arbitrary: mutated(value).map((v) => [key, v] as const) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
  );
  return fc
    .tuple(fc.tuple(...fields), fc.option(fc.tuple(hostileKey, hostileValue), { freq: 5 }))
    .map(([kept, extra]) => {
      const object: Record<string, unknown> = {};
      for (const field of kept) if (field) Object.defineProperty(object, field[0], { value: field[1], enumerable: true, writable: true, configurable: true });
      if (extra) Object.defineProperty(object, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true });
      return object;
    });
}

/** Every caller a host can establish (callerSchema): any role, any non-empty trimmed actor. */
const callerArb = fc.record({
  actor: fc.oneof(
    fc.constantFrom('Fuzz Admin', "'; DROP TABLE plans; --", '__proto__', 'Ω'.repeat(200), '%s%n', 'a\u0000b'),
    fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }).map((s) => s.trim()).filter((s) => s.length > 0 && s.length <= 200),
  ),
  role: fc.constantFrom(...ROLES),
});

function knownCall(): fc.Arbitrary<{ name: unknown; input: unknown; caller: Caller }> {
  const wellFormed = semantic();
  const valid = templates();
  return fc.constantFrom(...COMMAND_NAMES).chain((name) =>
    fc.record({
      name: fc.constant<unknown>(name),
      input: fc.oneof({ weight: 4, arbitrary: wellFormed[name] }, { weight: 2, arbitrary: mutated(valid[name]) }, { weight: 1, arbitrary: hostileValue }),
      caller: callerArb,
    }),
  );
}
const unknownCall = fc.record({
  name: fc.oneof(hostileString, hostileValue, fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'plans', 'plans.', 'PLANS.LIST', ' plans.list')),
  input: hostileValue,
  caller: callerArb,
});

// ── the property ──────────────────────────────────────────────────────────────────────────
/** A printable name for any value (String() throws on null-prototype objects). */
function label(value: unknown): string {
  return typeof value === 'string' ? value : fc.stringify(value);
}

function checkAnswer(name: unknown, caller: Caller, result: Result<unknown>): void {
  expect(typeof result.ok).toBe('boolean');
  if (result.ok) {
    expect(typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name)).toBe(true);
    const spec = commands[name as CommandName];
    expect(spec.roles).toContain(caller.role);
    expect(spec.output.safeParse(result.value).success).toBe(true);
  } else {
    expect(apiErrorSchema.safeParse(result.error).success).toBe(true);
    // Hostile input is the caller's problem, never an unexpected failure of the console. The one
    // exception is deliberate and temporary: no network sync client exists yet to hand to sync.now.
    const noSyncClient = name === 'sync.now' && /without a sync client/.test(result.error.message);
    if (!noSyncClient) expect(result.error.kind, `${label(name)}: ${result.error.message}`).not.toBe('internal');
    if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name) && !commands[name as CommandName].roles.includes(caller.role)) {
      expect(result.error.kind).toBe('forbidden');
    }
  }
}

describe('the dispatcher under random and hostile input', () => {
  test('answers every call with a typed error or a valid result; refused calls leave the ledger file unchanged', async () => {
    let refused = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 8, arbitrary: knownCall() }, { weight: 1, arbitrary: unknownCall }), async ({ name, input, caller }) => {
        expect(callerSchema.safeParse(caller).success).toBe(true);
        const before = ledgerFingerprint();
        const beforeRows = ledgerRows();
        const result = await runtime.dispatcher.dispatch(name, input, caller);
        checkAnswer(name, caller, result);
        expect(JSON.parse(JSON.stringify(result))).toBeTruthy(); // crosses IPC / HTTP as JSON
        if (result.ok) accepted += 1;
        else {
          refused += 1;
          // The file byte for byte, or else (the sync client retried in the background while an
          // awaiting command ran) every row but the sync client's own retry bookkeeping.
          if (ledgerFingerprint() !== before) expect(ledgerRows(), `refused ${label(name)} changed the ledger`).toBe(beforeRows);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
        expect(({} as Record<string, unknown>)['role']).toBeUndefined();
      }),
      { numRuns: Number(process.env['FUZZ_RUNS'] ?? 600), seed: Number(process.env['FUZZ_SEED'] ?? 20_260_110) },
    );
    // Both sides of the property were exercised.
    expect(refused).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(20);
  }, 180_000);

  test('every command refuses every role it does not list, before looking at the input', async () => {
    for (const name of COMMAND_NAMES) {
      for (const role of ROLES) {
        if (commands[name].roles.includes(role)) continue;
        const before = ledgerFingerprint();
        const result = await runtime.dispatcher.dispatch(name, templates()[name], { actor: 'x', role });
        expect(result, `${name} as ${role}`).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
        expect(ledgerFingerprint()).toBe(before);
      }
    }
  });
});
