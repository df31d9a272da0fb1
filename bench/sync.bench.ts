/**
 * A pull of 1,000,000 events' worth of usage into a fresh console ledger (target ≤ 3 s).
 *
 * The central service (embedded PostgreSQL, in this process, on loopback) gets one space with
 * an all-channels plan, pushed by a console through the real sync protocol; its usage is then
 * written as aggregates straight into the central `usage_slots` table (one statement: 90 days of
 * 15-minute slots on five channels, 43,200 slot records whose events add up to exactly
 * 1,000,000) — what the usage path would leave behind, without spending minutes authorizing a
 * million events. The figure is a fresh console's first full sync: every page over HTTP,
 * validated, and applied with its cursor in one transaction per page. The central service runs in
 * this process, so its share of the work (and, on the embedded database, PostgreSQL itself)
 * counts against the same thread as the console's. Each backend is measured RUNS times on a
 * fresh central and ledger; the median is judged.
 */
import { postgresReachable } from '../src/central/testing/databases';
import { startTestCentral, type TestCentral } from '../src/central/testing/harness';
import { makeConsole } from '../src/main/sync/testing';

const EVENTS = 1_000_000;
const DAYS = 90;
const SLOTS = DAYS * 96;
const CHANNELS = ['SMS', 'WhatsApp', 'Email', 'Push', 'RCS'];
const RUNS = Number(process.env.SYNC_BENCH_RUNS ?? 3);
const TARGET_S = 3;

async function pullOnce(backend: 'embedded' | 'postgres'): Promise<number> {
  const central: TestCentral = await startTestCentral(backend);
  const writer = makeConsole('writer');
  const progress: { done: number; total: number | null }[] = [];
  const reader = makeConsole('reader', {
    pageLimit: 5_000,
    timeoutMs: 60_000,
    onStatus: (status) => {
      if (status.pull) progress.push(status.pull);
    },
  });
  try {
    const env = writer.services.org.createEnvironment({ name: 'Bench', id: 'ENV-BENCH' }, 'bench');
    writer.services.org.createSpace(
      { id: 'SP-BENCH', environmentId: env.id, name: 'Bench', accountManager: { name: 'Ana', email: 'ana@example.com' }, channels: CHANNELS.map((channel) => ({ channel: channel as 'SMS', bidirectional: true })) },
      'bench',
    );
    const plan = writer.services.plans.create(
      'SP-BENCH',
      { limit: 'all_channels', credits: 2_000_000, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
      'bench',
    );
    writer.connect(central.central.url, central.admin.token!);
    await writer.settle();

    const records = SLOTS * CHANNELS.length;
    const base = Math.floor(EVENTS / records);
    const extra = EVENTS - base * records; // the first `extra` records carry one event more
    const start = Date.parse('2026-01-01T00:00:00Z');
    await central.database.db.query(
      `INSERT INTO usage_slots (space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events, rejected_events, rejected_credits)
       SELECT 'SP-BENCH', $1, c.channel, $2::bigint + s.i::bigint * 900000, 'ENV-BENCH', n.events, n.events, 0, 0, 0
         FROM generate_series(0, $3::int - 1) AS s(i)
         CROSS JOIN unnest($4::text[]) WITH ORDINALITY AS c(channel, k)
         CROSS JOIN LATERAL (SELECT $5::int + CASE WHEN s.i * 5 + c.k - 1 < $6 THEN 1 ELSE 0 END AS events) n`,
      [plan.id, start, SLOTS, CHANNELS, base, extra],
    );

    // What autovacuum does after a bulk write: without statistics the feed query sorts every
    // remaining row for each page instead of walking the (tx, seq) index.
    await central.database.db.query('ANALYZE usage_slots');

    reader.connect(central.central.url, central.admin.token!);
    const t0 = performance.now();
    const status = await reader.client.syncNow();
    const seconds = (performance.now() - t0) / 1000;
    const totals = reader.services.ledger
      .stmt('SELECT count(*) AS slots, sum(mt_events) AS events FROM central_usage_slots')
      .get() as { slots: number; events: number };
    if (status.state !== 'connected' || totals.events !== EVENTS) {
      throw new Error(`pull incomplete: ${JSON.stringify({ status, totals })}`);
    }
    const last = progress.at(-1);
    if (last === undefined || last.total === null || last.total < totals.slots) throw new Error(`no progress with a total: ${JSON.stringify(progress)}`);
    // The pulled plan's details show the central service's count (not timed against the target).
    const end = start + DAYS * 86_400_000;
    const d0 = performance.now();
    const used = reader.services.details.usedByChannel(plan.id, start, end).grandTotal;
    const d1 = performance.now();
    reader.services.details.usageSeries(plan.id, start, end, 'day');
    const d2 = performance.now();
    if (used !== EVENTS) throw new Error(`plan details show ${used} used credits, not ${EVENTS}`);
    console.log(
      `  ${seconds.toFixed(2)} s (${totals.events.toLocaleString('en')} events in ${totals.slots.toLocaleString('en')} slot records; progress ${progress.map((p) => p.done).join(', ')} of ${last.total}); ` +
        `plan details then: used per channel over the ${DAYS} days ${(d1 - d0).toFixed(0)} ms (first read of the central slots), by day ${(d2 - d1).toFixed(1)} ms`,
    );
    return seconds;
  } finally {
    await writer.cleanup();
    await reader.cleanup();
    await central.dispose();
  }
}

async function pullBench(backend: 'embedded' | 'postgres'): Promise<void> {
  const name = backend === 'embedded' ? 'embedded PostgreSQL (PGlite)' : 'PostgreSQL 127.0.0.1';
  console.log(`sync pull [${name}], ${RUNS} runs:`);
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await pullOnce(backend));
  const median = [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  console.log(
    `sync pull [${name}]: 1,000,000 events' worth of usage into a fresh console ledger: median ${median.toFixed(2)} s ` +
      `(min ${Math.min(...runs).toFixed(2)}, max ${Math.max(...runs).toFixed(2)}) = ${(median / TARGET_S).toFixed(2)}× the ${TARGET_S} s target ${median <= TARGET_S ? 'OK' : 'OVER'}`,
  );
}

await pullBench('embedded');
if (await postgresReachable()) await pullBench('postgres');
else console.log('sync pull on PostgreSQL: skipped (no server at the test URL)');
