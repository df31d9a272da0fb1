import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../ledger';
import { tempDir } from '../ledger/testing';
import { createServices } from './index';

/**
 * Crash safety: a child process writes plan changes and usage imports to a real ledger file and
 * acknowledges each committed write (thousands in all); it is killed with SIGKILL at random
 * moments, 50 times.
 * After each kill the file must pass integrity_check, every acknowledged write must be there,
 * and every plan version must have exactly one history row and one outbox row. The ledger is
 * then reopened (as the console would) and its aggregates must agree with its raw events.
 *
 * The child is bundled once with esbuild (dependencies left to node_modules) so that each of
 * the 50 rounds starts in ~100 ms instead of compiling TypeScript again.
 */

const ROUNDS = 50;
/** Writes acknowledged across the suite's kills, at least. */
const MIN_ACKS = 3000;
const MAX_ROUNDS_PER_LANE = 150;
let dir: string;
let child: string;

beforeAll(async () => {
  dir = tempDir('ledger-crash-');
  const cacheDir = resolve('node_modules/.cache/ledger-crash');
  mkdirSync(cacheDir, { recursive: true });
  child = join(cacheDir, 'crash-child.mjs');
  await build({
    entryPoints: [resolve('src/main/services/testing/crash-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: child,
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Round {
  acks: string[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** A writer started ahead of its turn: modules loaded, waiting for "go". */
interface Writer {
  loaded: Promise<void>;
  run(killAfterMs: number): Promise<Round>;
  /** Not needed after all: end it unused. */
  stop(): void;
}

function startWriter(file: string, seed: number): Writer {
  const proc = spawn(process.execPath, [child, file, String(seed)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  let onLoaded: () => void = () => undefined;
  let onReady: () => void = () => undefined;
  const loaded = new Promise<void>((r) => (onLoaded = r));
  const ready = new Promise<void>((r) => (onReady = r));
  const exited = new Promise<NodeJS.Signals | null>((r, reject) => {
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => r(signal));
  });
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    out += chunk;
    if (out.includes('loaded\n')) onLoaded();
    if (out.includes('ready\n')) onReady();
  });
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    loaded,
    stop() {
      proc.kill('SIGKILL');
    },
    async run(killAfterMs) {
      await loaded;
      proc.stdin.write('go\n');
      await Promise.race([ready, exited]);
      await new Promise((r) => setTimeout(r, killAfterMs));
      proc.kill('SIGKILL');
      const signal = await exited;
      const lines = out.split('\n');
      lines.pop(); // a line cut by the kill is not an acknowledgement
      return { acks: lines.filter((l) => l.startsWith('ack ')).map((l) => l.slice(4)), signal, stderr };
    },
  };
}

function check(file: string, acked: { plans: Map<string, number>; imports: Map<string, number> }): void {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const version = db.prepare('SELECT max(v.version) AS v FROM plan_versions v JOIN plans p ON p.ref = v.plan_ref WHERE p.id = ?');
    for (const [planId, v] of acked.plans) expect((version.get(planId) as { v: number | null }).v ?? 0).toBeGreaterThanOrEqual(v);
    const count = db.prepare("SELECT count(*) AS n FROM usage_events WHERE id >= ? AND id < ? || '~'");
    for (const [prefix, n] of acked.imports) expect((count.get(prefix, prefix) as { n: number }).n).toBe(n);
    const broken = db
      .prepare(
        `SELECT v.plan_ref, v.version,
           (SELECT count(*) FROM history_log h WHERE h.plan_ref = v.plan_ref AND h.version = v.version) AS history,
           (SELECT count(*) FROM outbox o WHERE o.plan_ref = v.plan_ref AND o.version = v.version) AS outbox
         FROM plan_versions v WHERE history != 1 OR outbox != 1`,
      )
      .all();
    expect(broken).toEqual([]);
    const currentVersions = db.prepare('SELECT count(*) AS n FROM plans p WHERE version != (SELECT max(version) FROM plan_versions WHERE plan_ref = p.ref)').get();
    expect(currentVersions).toEqual({ n: 0 });
  } finally {
    db.close();
  }
}

/** After reopening (which settles what a kill interrupted), aggregates equal the raw events. */
function checkAggregates(file: string): void {
  const ledger = openLedger(file);
  try {
    createServices({ ledger, clock: () => Date.now() });
    const raw = ledger.db
      .prepare(
        `SELECT e.plan_ref AS ref, sum(CASE WHEN e.direction = 'MT' THEN e.credits ELSE 0 END) AS mt, sum(e.direction = 'MO') AS mo,
                sum(CASE WHEN r.event_seq IS NOT NULL THEN e.credits ELSE 0 END) AS rejected
         FROM usage_event_rows e LEFT JOIN usage_rejections r ON r.event_seq = e.seq WHERE e.plan_ref IS NOT NULL GROUP BY e.plan_ref ORDER BY ref`,
      )
      .all();
    for (const table of ['usage_slots', 'usage_hours', 'usage_days']) {
      const agg = ledger.db
        .prepare(`SELECT plan_ref AS ref, sum(mt_credits) AS mt, sum(mo_count) AS mo, sum(rejected_credits) AS rejected FROM ${table} GROUP BY plan_ref HAVING mt != 0 OR mo != 0 ORDER BY ref`)
        .all();
      expect(agg, table).toEqual(raw);
    }
    expect(ledger.db.prepare('SELECT count(*) AS n FROM plan_accounts WHERE dirty_from IS NOT NULL').get()).toEqual({ n: 0 });
  } finally {
    ledger.close();
  }
}

interface Lane {
  kills: number;
  acks: number;
  plans: number;
  imports: number;
}

/**
 * One ledger file, written and killed round after round: at least `minRounds` kills, and more
 * until `minAcks` writes were acknowledged (a slow machine takes more rounds, not fewer writes).
 */
async function lane(file: string, minRounds: number, minAcks: number, firstSeed: number): Promise<Lane> {
  const acked = { plans: new Map<string, number>(), imports: new Map<string, number>() };
  let kills = 0;
  let total = 0;
  const enough = (): boolean => kills >= minRounds && total >= minAcks;
  let next = startWriter(file, firstSeed);
  for (let round = 0; !enough(); round += 1) {
    if (round >= MAX_ROUNDS_PER_LANE) throw new Error(`only ${total} writes acknowledged in ${round} rounds`);
    const writer = next;
    // Killed 0.1–1.5 s after it started writing.
    const result = writer.run(100 + Math.floor(Math.random() * 1400));
    // The next writer loads its modules while this one writes; it opens the file only on "go".
    next = startWriter(file, firstSeed + round + 1);
    const { acks, signal, stderr } = await result;
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    kills += 1;
    total += acks.length;
    for (const line of acks) {
      const [kind, key, value] = line.split(' ');
      if (kind === 'plan') acked.plans.set(key!, Math.max(acked.plans.get(key!) ?? 0, Number(value)));
      else acked.imports.set(key!, Number(value));
    }
    check(file, acked);
    if (round % 10 === 9 || enough()) checkAggregates(file);
  }
  next.stop();
  return { kills, acks: total, plans: acked.plans.size, imports: acked.imports.size };
}

describe('crash safety', () => {
  it(`survives at least ${ROUNDS} SIGKILLs mid-write with ${MIN_ACKS}+ acknowledged writes all intact`, async () => {
    // Two ledger files side by side, so the two cores share the work.
    const lanes = await Promise.all([lane(join(dir, 'a.db'), ROUNDS / 2, MIN_ACKS / 2, 1), lane(join(dir, 'b.db'), ROUNDS / 2, MIN_ACKS / 2, 1001)]);
    const kills = lanes.reduce((s, l) => s + l.kills, 0);
    const acks = lanes.reduce((s, l) => s + l.acks, 0);
    expect(kills).toBeGreaterThanOrEqual(ROUNDS);
    expect(acks).toBeGreaterThanOrEqual(MIN_ACKS);
    console.log(
      `crash safety: ${kills} kills, ${acks} acknowledged writes (${lanes.reduce((s, l) => s + l.plans, 0)} plans, ${lanes.reduce((s, l) => s + l.imports, 0)} imports), all intact`,
    );
  }, 400_000);
});
