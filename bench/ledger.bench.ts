/**
 * The local ledger's figures (issue 3):
 *
 *   npm run bench -- ledger
 *
 * 1. Usage import: a CSV file of N events (BENCH_IMPORT_EVENTS, default 1,000,000) streamed
 *    through the import path (parse, check, attribute to plans, engine decisions, raw rows,
 *    15-min/hour/day aggregates, one transaction per 20,000 rows) into a fresh ledger; against
 *    the baseline of the same rows, already parsed, inserted with one prepared INSERT into the
 *    same usage_events table, 20,000 per transaction. Target ≥ 300,000 events/s.
 * 2. Plan details with 10,000,000 events in the ledger: the events' aggregates are generated in
 *    memory by the ledger's own AggregateDelta (the import path's aggregation step) and written
 *    directly — raw rows are not stored for this part (BENCH_RAW=1 also streams the 10M raw
 *    events through the import path first). Used credits per channel over a local week and a
 *    local year in several zones (+05:45 included), aligned and unaligned. Target ≤ 5 ms.
 * 3. The credit history log with 1,000,000 entries: a keyset page at depths from 0 to the last
 *    page, unfiltered and filtered. Target ≤ 1 ms.
 *
 * Each timed figure is the median of several runs, with the best shown; ratios compare runs
 * taken side by side so that a busy machine skews both alike.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { CHANNELS, type Channel, type PlanConfig } from '../src/shared/domain';
import { AggregateDelta, openLedger, encodeCursor, historyPage, type Ledger } from '../src/main/ledger';
import { createServices, type Services } from '../src/main/services';

const IMPORT_EVENTS = Number(process.env.BENCH_IMPORT_EVENTS ?? 1_000_000);
const QUERY_EVENTS = Number(process.env.BENCH_QUERY_EVENTS ?? 10_000_000);
const HISTORY_ENTRIES = Number(process.env.BENCH_HISTORY ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const only = (process.env.BENCH_PART ?? 'import,query,history').split(',');

const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => `${n.toFixed(3)} ms`;
let failures = 0;
function verdict(ok: boolean): string {
  if (!ok) failures += 1;
  return ok ? 'ok' : 'MISSED';
}

const NOW = Date.parse('2027-01-01T00:00:00Z');
const START = Date.parse('2026-01-01T00:00:00Z');
const SPACES = ['SP-A', 'SP-B', 'SP-C', 'SP-D'];

function freshServices(name: string): { services: Services; ledger: Ledger; path: string } {
  const path = join(dir, `${name}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const ledger = openLedger(path, { verify: 'none' });
  const services = createServices({ ledger, clock: () => NOW });
  const env = services.org.createEnvironment({ id: 'ENV-B', name: 'Bench' });
  for (const id of SPACES) {
    services.org.createSpace({
      id,
      environmentId: env.id,
      name: id,
      accountManager: { name: 'Bench', email: 'bench@example.com' },
      channels: CHANNELS.map((channel) => ({ channel, bidirectional: true })),
    });
  }
  const activation = { date: '2026-01-01', timeZone: 'Asia/Kathmandu' };
  // Large allocations so that the traffic is decided, not mostly rejected.
  services.plans.create('SP-A', { limit: 'all_channels', credits: 900_000_000, renew: 'monthly', rollover: true, overage: true, activation }, 'bench');
  services.plans.create('SP-B', { limit: 'channel_specific', credits: { SMS: 500_000_000, WhatsApp: 500_000_000 }, renew: 'weekly', rollover: false, overage: true, activation }, 'bench');
  services.plans.create('SP-B', { limit: 'channel_specific', credits: { Email: 500_000_000 }, renew: null, rollover: false, overage: false, activation }, 'bench');
  services.plans.create('SP-C', { limit: 'all_channels', credits: 900_000_000, renew: 'quarterly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'America/Mexico_City' } }, 'bench');
  return { services, ledger, path };
}

interface GenEvent {
  id: string;
  space: string;
  channel: Channel;
  direction: 'MT' | 'MO';
  credits: number;
  t: number;
}

/** Events over [from, to), in time order, across four spaces and five channels. */
function generate(count: number, seed: number, idPrefix: string, from = START, to = NOW): GenEvent[] {
  const r = prng(seed);
  const events: GenEvent[] = new Array(count);
  const step = (to - from) / count;
  for (let i = 0; i < count; i += 1) {
    events[i] = {
      id: `${idPrefix}${i.toString(36)}`,
      space: SPACES[Math.floor(r() * SPACES.length)]!,
      channel: CHANNELS[Math.floor(r() * CHANNELS.length)]!,
      direction: r() < 0.05 ? 'MO' : 'MT',
      credits: 1 + Math.floor(r() * 3),
      t: Math.floor(from + i * step),
    };
  }
  return events;
}

async function writeCsv(path: string, events: GenEvent[]): Promise<void> {
  const out = createWriteStream(path);
  let buffer = 'id,spaceId,channel,direction,credits,occurredAt\n';
  for (const e of events) {
    buffer += `${e.id},${e.space},${e.channel},${e.direction},${e.credits},${new Date(e.t).toISOString()}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise((resolve) => out.end(resolve));
}

async function benchImport(): Promise<void> {
  console.log(`\n-- usage import: ${fmt(IMPORT_EVENTS)} events over 30 days, 4 spaces, 5 channels, 4 plans --`);
  // A month of a busy platform's traffic, as a usage export file would hold it.
  const events = generate(IMPORT_EVENTS, 1, 'ev-', NOW - 30 * 86_400_000, NOW);
  const csvPath = join(dir, 'usage.csv');
  await writeCsv(csvPath, events);
  console.log(`CSV file: ${(statSync(csvPath).size / 1e6).toFixed(1)} MB`);
  const importRates: number[] = [];
  const baseRates: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    // Baseline: the same rows, parsed already, one prepared INSERT, 20,000 per transaction.
    {
      const { ledger } = freshServices('baseline');
      const insert = ledger.db.prepare(
        `INSERT OR IGNORE INTO usage_events (id, space_id, channel, direction, credits, occurred_at, plan_ref, identity, campaign, import_ref)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const batch = ledger.db.transaction((from: number, to: number) => {
        for (let i = from; i < to; i += 1) {
          const e = events[i]!;
          insert.run(e.id, e.space, e.channel, e.direction, e.credits, e.t, 1, null, null, 1);
        }
      });
      const started = performance.now();
      for (let i = 0; i < events.length; i += 20_000) batch(i, Math.min(events.length, i + 20_000));
      baseRates.push(events.length / ((performance.now() - started) / 1000));
      ledger.close();
    }
    {
      const { services, ledger } = freshServices('import');
      let progressCalls = 0;
      const started = performance.now();
      const report = await services.usage.importFile(csvPath, 'bench', () => (progressCalls += 1));
      const seconds = (performance.now() - started) / 1000;
      if (report.inserted !== events.length || report.badRows.length > 0) throw new Error(`import went wrong: ${JSON.stringify(report).slice(0, 300)}`);
      importRates.push(events.length / seconds);
      if (run === 0) console.log(`progress reports: ${progressCalls}; rejected by plans: ${report.rejectedByPlan}`);
      ledger.close();
    }
  }
  const base = median(baseRates);
  const imp = median(importRates);
  console.log(`baseline raw batched INSERT:  ${fmt(base)} events/s (best ${fmt(Math.max(...baseRates))})`);
  console.log(`import path (CSV file):       ${fmt(imp)} events/s (best ${fmt(Math.max(...importRates))})  target ≥ 300,000: ${verdict(imp >= 300_000)}`);
  console.log(`ratio import / baseline:      ${(imp / base).toFixed(2)}`);
}

async function main(): Promise<void> {
  if (only.includes('import')) await benchImport();
  if (failures > 0) {
    console.log(`\n${failures} figure(s) missed their target`);
    process.exitCode = 1;
  }
}

void main();
