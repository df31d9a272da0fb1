/**
 * The local ledger's figures (issue 3):
 *
 *   npm run bench -- ledger
 *
 * 1. Usage import: a CSV file of N events (BENCH_IMPORT_EVENTS, default 1,000,000) streamed
 *    through the import path (read and checked in the parser thread; attributed to plans,
 *    engine decisions, raw rows, 15-min/hour/day aggregates on the ledger's thread, one
 *    transaction per 1 MiB piece, some 20,000 rows) into a fresh ledger; against
 *    the baseline of the same rows, already parsed, inserted with one prepared INSERT into the
 *    same usage_events table, 20,000 per transaction. Target ≥ 300,000 events/s.
 * 2. Plan details with 10,000,000 events in the ledger: the events' aggregates are generated in
 *    memory by the ledger's own AggregateDelta (the import path's aggregation step) and written
 *    directly — raw rows are not stored for this part (BENCH_RAW=1 also streams the 10M raw
 *    events through the import path first). Used credits per channel over a local week and a
 *    local year in several zones (+05:45 included), aligned and unaligned. Target ≤ 5 ms.
 * 2b. The Usage screen's report (BENCH_PART=usage) with 10,000,000 events over a year in one space,
 *    spread over 200 identities and 40 campaigns (a few of each doing most): the per-space
 *    aggregates (migration 7) built by the import path's own SpaceUsageDelta and written directly.
 *    usage.report for ranges from a day to a year, grouped by day, week and month, in the plans'
 *    zone (+05:45) and in Europe/Madrid; against the floor of the bare SQLite query on the same
 *    table (a year's channel day rows and identity / campaign month rows, summed by SQLite).
 *    Raw events are not stored here: a +05:45 boundary's raw read (less than an hour) finds none.
 *    Target ≤ 50 ms.
 * 3. The credit history log with 1,000,000 entries: a keyset page at depths from 0 to the last
 *    page, unfiltered and filtered. Target ≤ 1 ms.
 *
 * Each timed figure is the median of several runs (imports) or of 200 calls (queries; the
 * verdict is on the median, p99 and worst are shown: on a shared machine they mostly measure
 * the scheduler); ratios compare runs taken side by side so that a busy machine skews both
 * alike.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { CHANNELS, type Channel } from '../src/shared/domain';
import { AggregateDelta, SpaceUsageDelta } from '../src/main/accounts';
import { openLedger, type Ledger } from '../src/main/ledger';
import { createServices, type Services } from '../src/main/services';
import { encodeCursor } from '../src/main/services/history';
import { seededRandom as prng } from '../src/shared/seeded-random';

const IMPORT_EVENTS = Number(process.env.BENCH_IMPORT_EVENTS ?? 1_000_000);
const QUERY_EVENTS = Number(process.env.BENCH_QUERY_EVENTS ?? 10_000_000);
const HISTORY_ENTRIES = Number(process.env.BENCH_HISTORY ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const only = (process.env.BENCH_PART ?? 'import,query,usage,history').split(',');

const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

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
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

async function benchImport(): Promise<void> {
  console.log(`\n-- usage import: ${fmt(IMPORT_EVENTS)} events over 30 days, 4 spaces, 5 channels, 4 plans --`);
  // A month of a busy platform's traffic, as a usage export file would hold it.
  const events = generate(IMPORT_EVENTS, 1, 'ev-', NOW - 30 * 86_400_000, NOW);
  const csvPath = join(dir, 'usage.csv');
  await writeCsv(csvPath, events);
  console.log(`CSV file: ${(statSync(csvPath).size / 1e6).toFixed(1)} MB`);
  const rates: Record<'single' | 'multi' | 'bare' | 'import', number[]> = { single: [], multi: [], bare: [], import: [] };
  const CHUNK = 50;
  // Which plan each row counts against, as the import decides it (the baselines store the same).
  const planOf = (e: GenEvent): number | null =>
    e.space === 'SP-A' ? 1 : e.space === 'SP-B' ? (e.channel === 'SMS' || e.channel === 'WhatsApp' ? 2 : e.channel === 'Email' ? 3 : null) : e.space === 'SP-C' ? 4 : null;
  const refs = events.map(planOf);
  /** The same rows, already parsed, inserted into `table` 20,000 per transaction, `perStatement` per INSERT. */
  const baseline = (ledger: Ledger, table: string, perStatement: number): number => {
    const sql = `INSERT OR IGNORE INTO ${table} (id, space_ref, kind, credits, occurred_at, plan_ref, identity, campaign, import_ref) VALUES `;
    const many = ledger.db.prepare(sql + Array(perStatement).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', '));
    const params: unknown[] = new Array(perStatement * 9);
    const spaceRef = new Map((ledger.db.prepare('SELECT space_id, ref FROM space_refs').all() as { space_id: string; ref: number }[]).map((r) => [r.space_id, r.ref]));
    const batch = ledger.db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += perStatement) {
        for (let j = 0; j < perStatement; j += 1) {
          const e = events[i + j]!;
          const o = j * 9;
          params[o] = e.id;
          params[o + 1] = spaceRef.get(e.space);
          params[o + 2] = CHANNELS.indexOf(e.channel) * 2 + (e.direction === 'MO' ? 1 : 0);
          params[o + 3] = e.credits;
          params[o + 4] = e.t;
          params[o + 5] = refs[i + j];
          params[o + 6] = null;
          params[o + 7] = null;
          params[o + 8] = 1;
        }
        many.run(params);
      }
    });
    const started = performance.now();
    for (let i = 0; i < events.length; i += 20_000) batch(i, Math.min(events.length, i + 20_000));
    return events.length / ((performance.now() - started) / 1000);
  };
  for (let run = 0; run < RUNS; run += 1) {
    // The import first, and the last run's baseline file gone: the kernel still flushing the
    // baselines' writes would slow the import's commits (each waits for the disk).
    {
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `baseline.db${suffix}`), { force: true });
      const { services, ledger } = freshServices('import');
      let progressCalls = 0;
      const started = performance.now();
      const report = await services.usage.importFile(csvPath, 'bench', () => (progressCalls += 1));
      const seconds = (performance.now() - started) / 1000;
      if (report.inserted !== events.length || report.badRows.length > 0) throw new Error(`import went wrong: ${JSON.stringify(report).slice(0, 300)}`);
      rates.import.push(events.length / seconds);
      if (run === 0) console.log(`progress reports: ${progressCalls}; rejected by plans: ${report.rejectedByPlan}`);
      ledger.close();
    }
    {
      const { ledger } = freshServices('baseline');
      rates.single.push(baseline(ledger, 'usage_events', 1));
      ledger.close();
    }
    {
      const { ledger } = freshServices('baseline');
      rates.multi.push(baseline(ledger, 'usage_events', CHUNK));
      ledger.close();
    }
    {
      const { ledger } = freshServices('baseline');
      ledger.db.exec('CREATE TABLE bare (id TEXT, space_ref INTEGER, kind INTEGER, credits INTEGER, occurred_at INTEGER, plan_ref INTEGER, identity TEXT, campaign TEXT, import_ref INTEGER)');
      rates.bare.push(baseline(ledger, 'bare', CHUNK));
      ledger.close();
    }
  }
  const m = (k: keyof typeof rates): number => median(rates[k]);
  const line = (label: string, k: keyof typeof rates): string => `${label.padEnd(58)} ${fmt(m(k)).padStart(9)} events/s (best ${fmt(Math.max(...rates[k]))})`;
  console.log(line('baseline: bare table, no index, 50 rows per INSERT', 'bare'));
  console.log(line('baseline: usage_events (id unique + plan index), 1 per INSERT', 'single'));
  console.log(line('baseline: usage_events, 50 rows per INSERT', 'multi'));
  console.log(`${line('import path, CSV file (parse, check, attribute, engine, aggregates)', 'import')}  target ≥ 300,000: ${verdict(m('import') >= 300_000)}`);
  console.log(`ratio import / bare raw batched inserts: ${(m('import') / m('bare')).toFixed(2)};  / same table 1 per INSERT: ${(m('import') / m('single')).toFixed(2)};  / same table 50 per INSERT: ${(m('import') / m('multi')).toFixed(2)}`);
}

/** Median, 99th percentile and worst of `runs` calls of `fn` (after a warm-up). */
function time(runs: number, fn: (i: number) => void): { median: number; p99: number; max: number } {
  for (let i = 0; i < 20; i += 1) fn(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    fn(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)]!, p99: samples[Math.floor(runs * 0.99)]!, max: samples[runs - 1]! };
}

const localMidnight = (date: Temporal.PlainDate, zone: string): number => date.toZonedDateTime({ timeZone: zone }).epochMilliseconds;

async function benchQueries(): Promise<void> {
  console.log(`\n-- plan details with ${fmt(QUERY_EVENTS)} events in the ledger --`);
  const { services, ledger } = freshServices('queries');
  const plans = services.plans.list('SP-A').concat(services.plans.list('SP-B'), services.plans.list('SP-C'));
  const refs = new Map(plans.map((p) => [p.id, (ledger.db.prepare('SELECT ref FROM plans WHERE id = ?').get(p.id) as { ref: number }).ref]));
  let started = performance.now();
  if (process.env.BENCH_RAW === '1') {
    const events = generate(QUERY_EVENTS, 7, 'q-');
    const csvPath = join(dir, 'query-usage.csv');
    await writeCsv(csvPath, events);
    await services.usage.importFile(csvPath, 'bench');
    console.log(`10M raw events imported through the import path in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } else {
    // The aggregates of QUERY_EVENTS events over a year, built by the import path's own
    // aggregation step (AggregateDelta) and written directly; 70 % of them on the plan queried.
    const r = prng(7);
    const step = (NOW - START) / QUERY_EVENTS;
    const target = refs.get(plans[0]!.id)!;
    const others = [...refs.values()].filter((ref) => ref !== target);
    const chunk = 1_000_000;
    for (let from = 0; from < QUERY_EVENTS; from += chunk) {
      const delta = new AggregateDelta();
      for (let i = from; i < Math.min(QUERY_EVENTS, from + chunk); i += 1) {
        const ref = r() < 0.7 ? target : others[Math.floor(r() * others.length)]!;
        const channel = CHANNELS[Math.floor(r() * CHANNELS.length)]!;
        const mo = r() < 0.05;
        delta.add(ref, channel, START + i * step, mo ? 0 : 1 + Math.floor(r() * 3), mo ? 1 : 0, 0);
      }
      ledger.transaction(() => delta.flush(ledger));
    }
    console.log(`aggregates of ${fmt(QUERY_EVENTS)} events written directly in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const rows = ['usage_slots', 'usage_hours', 'usage_days'].map((t) => `${t} ${fmt((ledger.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n)}`);
  console.log(`aggregate rows: ${rows.join(', ')}`);
  const planId = plans[0]!.id;
  const r = prng(11);
  const base = Temporal.PlainDate.from('2026-01-05');
  const cases: { name: string; window: (i: number) => [number, number] }[] = [
    {
      name: 'a local week, Asia/Kathmandu (+05:45)',
      window: () => {
        const monday = base.add({ weeks: Math.floor(r() * 50) });
        return [localMidnight(monday, 'Asia/Kathmandu'), localMidnight(monday.add({ weeks: 1 }), 'Asia/Kathmandu')];
      },
    },
    {
      name: 'a local week, Europe/Madrid',
      window: () => {
        const monday = base.add({ weeks: Math.floor(r() * 50) });
        return [localMidnight(monday, 'Europe/Madrid'), localMidnight(monday.add({ weeks: 1 }), 'Europe/Madrid')];
      },
    },
    {
      name: 'a local year, Asia/Kathmandu (+05:45)',
      window: () => [localMidnight(Temporal.PlainDate.from('2026-01-01'), 'Asia/Kathmandu'), localMidnight(Temporal.PlainDate.from('2027-01-01'), 'Asia/Kathmandu')],
    },
    {
      name: 'a year, UTC',
      window: () => [START, NOW],
    },
    {
      name: 'any 360 days, unaligned instants',
      window: () => {
        const from = START + Math.floor(r() * 5 * 86_400_000);
        return [from, from + 360 * 86_400_000 + Math.floor(r() * 86_400_000)];
      },
    },
  ];
  for (const c of cases) {
    const windows = Array.from({ length: 220 }, (_, i) => c.window(i));
    let grand = 0;
    const t = time(200, (i) => {
      const [from, to] = windows[i % windows.length]!;
      grand += services.details.usedByChannel(planId, from, to).grandTotal;
    });
    console.log(`used per channel, ${c.name.padEnd(40)} median ${ms(t.median)}  p99 ${ms(t.p99)}  max ${ms(t.max)}  target ≤ 5 ms: ${verdict(t.median <= 5)}`);
    if (grand <= 0) throw new Error('the queries found no usage');
  }
  const series = time(20, () => {
    services.details.usageSeries(planId, localMidnight(Temporal.PlainDate.from('2026-01-01'), 'Asia/Kathmandu'), localMidnight(Temporal.PlainDate.from('2027-01-01'), 'Asia/Kathmandu'), 'day');
  });
  console.log(`usage series, a year by local day in Asia/Kathmandu (365 points): median ${ms(series.median)}  max ${ms(series.max)}`);
  const weekly = time(20, () => {
    services.details.usageSeries(planId, START, NOW, 'week');
  });
  console.log(`usage series, a year by week:                               median ${ms(weekly.median)}  max ${ms(weekly.max)}`);
  const state = time(200, () => services.details.state(planId));
  console.log(`bucket states now (engine snapshot):                         median ${ms(state.median)}  max ${ms(state.max)}`);
  started = performance.now();
  ledger.close();
}

async function benchUsageReport(): Promise<void> {
  console.log(`\n-- usage report (Usage screen) with ${fmt(QUERY_EVENTS)} events over a year in one space, 200 identities, 40 campaigns --`);
  const { services, ledger } = freshServices('usage-report');
  const spaceRef = ledger.db.prepare("SELECT ref FROM space_refs WHERE space_id = 'SP-A'").pluck().get() as number;
  const identities = Array.from({ length: 200 }, (_, i) => `agent-${i}@example.com`);
  const campaigns = Array.from({ length: 40 }, (_, i) => `campaign-${i}`);
  // A few identities and campaigns do most of the sending (squared uniform: skewed to the first).
  const r = prng(13);
  const step = (NOW - START) / QUERY_EVENTS;
  let started = performance.now();
  const chunk = 1_000_000;
  for (let from = 0; from < QUERY_EVENTS; from += chunk) {
    const delta = new SpaceUsageDelta();
    for (let i = from; i < Math.min(QUERY_EVENTS, from + chunk); i += 1) {
      const mo = r() < 0.05;
      const identity = r() < 0.9 ? identities[Math.floor(r() ** 2 * identities.length)]! : null;
      const campaign = r() < 0.7 ? campaigns[Math.floor(r() ** 2 * campaigns.length)]! : null;
      delta.add(spaceRef, Math.floor(r() * CHANNELS.length), START + i * step, mo ? 0 : 1 + Math.floor(r() * 3), mo ? 1 : 0, identity, campaign);
    }
    ledger.transaction(() => delta.flush(ledger));
  }
  console.log(`aggregates written directly in ${((performance.now() - started) / 1000).toFixed(1)} s; space_usage rows: ${fmt(ledger.db.prepare('SELECT count(*) FROM space_usage').pluck().get() as number)}`);
  // The floor: the rows a year needs at the least, read and summed by SQLite alone — the channels'
  // day rows and the identities' and campaigns' month rows.
  const floorSql = ledger.db.prepare(
    'SELECT key, sum(mt_credits), sum(mo_count), sum(rejected_credits) FROM space_usage WHERE space_ref = ? AND dim = ? AND level = ? AND unit >= ? AND unit < ? GROUP BY key',
  );
  const yearDays = [Math.floor(START / 86_400_000), Math.floor(NOW / 86_400_000)];
  const yearMonths = [(2026 - 1970) * 12, (2027 - 1970) * 12];
  const floor = time(50, () => {
    floorSql.raw(true).all(spaceRef, 0, 2, yearDays[0], yearDays[1]);
    for (const dim of [1, 2]) floorSql.raw(true).all(spaceRef, dim, 3, yearMonths[0], yearMonths[1]);
  });
  console.log(`floor: bare SQLite, a year's channel day rows and identity / campaign month rows, summed per key: median ${ms(floor.median)}  max ${ms(floor.max)}`);
  const cases: { name: string; input: Parameters<Services['usageAnalytics']['report']>[0] }[] = [
    { name: '2026 by day, plans\' zone (+05:45)', input: { scope: { kind: 'space', spaceId: 'SP-A' }, range: 'custom', custom: { from: '2026-01-01', to: '2026-12-31' }, groupBy: 'day' } },
    { name: '2026 by week, plans\' zone', input: { scope: { kind: 'space', spaceId: 'SP-A' }, range: 'custom', custom: { from: '2026-01-01', to: '2026-12-31' }, groupBy: 'week' } },
    { name: '2026 by month, plans\' zone', input: { scope: { kind: 'space', spaceId: 'SP-A' }, range: 'custom', custom: { from: '2026-01-01', to: '2026-12-31' }, groupBy: 'month' } },
    { name: 'custom 2026, by month, Europe/Madrid', input: { scope: { kind: 'space', spaceId: 'SP-A' }, range: 'custom', custom: { from: '2026-01-01', to: '2026-12-31' }, groupBy: 'month', timeZone: 'Europe/Madrid' } },
    { name: 'custom 2026, by day, environment', input: { scope: { kind: 'environment', environmentId: 'ENV-B' }, range: 'custom', custom: { from: '2026-01-01', to: '2026-12-31' }, groupBy: 'day' } },
    { name: 'last month by day', input: { scope: { kind: 'space', spaceId: 'SP-A' }, range: 'last_month', groupBy: 'day' } },
    { name: 'last week by day', input: { scope: { kind: 'space', spaceId: 'SP-A' }, range: 'last_week', groupBy: 'day' } },
    { name: 'yesterday', input: { scope: { kind: 'space', spaceId: 'SP-A' }, range: 'yesterday', groupBy: 'day' } },
  ];
  for (const c of cases) {
    let used = 0;
    const t = time(50, () => {
      used = services.usageAnalytics.report(c.input).total.used;
    });
    console.log(
      `usage.report, ${c.name.padEnd(42)} median ${ms(t.median)}  p99 ${ms(t.p99)}  max ${ms(t.max)}  ratio to floor ${(t.median / floor.median).toFixed(1)}  target ≤ 50 ms: ${verdict(t.median <= 50)}`,
    );
    if (used <= 0) throw new Error(`the report found no usage (${c.name})`);
  }
  started = performance.now();
  ledger.close();
}

async function benchHistory(): Promise<void> {
  console.log(`\n-- credit history log with ${fmt(HISTORY_ENTRIES)} entries --`);
  const { services, ledger } = freshServices('history');
  const started = performance.now();
  const config = JSON.stringify({ limit: 'channel_specific', credits: { SMS: 500, WhatsApp: 250 }, renew: 'monthly', rollover: true, overage: false, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } });
  const changes = JSON.stringify([{ field: 'credits.SMS', old: 400, new: 500 }]);
  const insert = ledger.db.prepare('INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  // Entries written directly (the append-only log has no other cost here); foreign keys off and
  // the indexes built after the fill, as a bulk load does.
  ledger.db.pragma('foreign_keys = OFF');
  const indexes = ledger.db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'history_log' AND sql IS NOT NULL").all() as { sql: string }[];
  for (const { sql } of indexes) ledger.db.exec(`DROP INDEX ${/INDEX (\w+)/.exec(sql)![1]}`);
  const r = prng(3);
  const actors = Array.from({ length: 40 }, (_, i) => `admin${i}@example.com`);
  const fill = ledger.db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const plan = i % 5000;
      const action = i < 5000 ? 'created' : r() < 0.02 ? 'deleted' : 'updated';
      // Several entries share an instant now and then.
      insert.run(100_000 + plan, `CP-${plan}`, SPACES[plan % 4], 1 + Math.floor(i / 5000), action, actors[Math.floor(r() * actors.length)], START + Math.floor(i / 3) * 1000, config, changes);
    }
  });
  for (let i = 0; i < HISTORY_ENTRIES; i += 50_000) fill(i, Math.min(HISTORY_ENTRIES, i + 50_000));
  for (const { sql } of indexes) ledger.db.exec(sql);
  ledger.db.pragma('foreign_keys = ON');
  console.log(`filled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const total = HISTORY_ENTRIES;
  const cursorAt = (depth: number, where = '', params: unknown[] = []): string | null => {
    if (depth === 0) return null;
    const row = ledger.db.prepare(`SELECT at, seq FROM history_log ${where} ORDER BY at DESC, seq DESC LIMIT 1 OFFSET ?`).get(...params, depth - 1) as { at: number; seq: number } | undefined;
    return row ? encodeCursor(row) : null;
  };
  for (const depth of [0, 1_000, 100_000, 500_000, total - 50]) {
    const cursor = cursorAt(depth);
    let n = 0;
    const t = time(200, () => {
      n = services.history.list({}, cursor, 50).entries.length;
    });
    console.log(`page of ${n} at depth ${fmt(depth).padStart(9)}:                   median ${ms(t.median)}  p99 ${ms(t.p99)}  max ${ms(t.max)}  target ≤ 1 ms: ${verdict(t.median <= 1)}`);
  }
  const filtered: { name: string; filter: Record<string, string>; where: string; params: unknown[] }[] = [
    { name: 'one actor', filter: { actor: actors[7]! }, where: 'WHERE actor = ?', params: [actors[7]] },
    { name: 'deleted only', filter: { action: 'deleted' }, where: "WHERE action = 'deleted'", params: [] },
    { name: 'one plan', filter: { planId: 'CP-42' }, where: "WHERE plan_id = 'CP-42'", params: [] },
    { name: 'a date range', filter: { from: new Date(START + 86_400_000).toISOString(), to: new Date(START + 3 * 86_400_000).toISOString() }, where: 'WHERE at >= ? AND at < ?', params: [START + 86_400_000, START + 3 * 86_400_000] },
  ];
  for (const f of filtered) {
    const count = (ledger.db.prepare(`SELECT count(*) AS n FROM history_log ${f.where}`).get(...f.params) as { n: number }).n;
    const cursor = cursorAt(Math.max(0, Math.floor(count * 0.9)), f.where, f.params);
    const t = time(200, () => services.history.list(f.filter, cursor, 50));
    console.log(`page, filter ${f.name.padEnd(13)} (${fmt(count).padStart(7)} match, 90 % deep): median ${ms(t.median)}  p99 ${ms(t.p99)}  max ${ms(t.max)}  target ≤ 1 ms: ${verdict(t.median <= 1)}`);
  }
  ledger.close();
}

async function main(): Promise<void> {
  if (only.includes('import')) await benchImport();
  if (only.includes('query')) await benchQueries();
  if (only.includes('usage')) await benchUsageReport();
  if (only.includes('history')) await benchHistory();
  if (failures > 0) {
    console.log(`\n${failures} figure(s) missed their target`);
    process.exitCode = 1;
  }
}

void main();
