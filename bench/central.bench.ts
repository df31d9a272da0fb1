/**
 * Central service throughput: usage authorizations per second over real HTTP on 127.0.0.1,
 * single events and batches, one client and 8 in parallel, on the embedded database (on disk,
 * as `npm run central` runs it) and on PostgreSQL when one answers at CENTRAL_TEST_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/test; a fresh schema, dropped afterwards).
 * Also: how long a console's full pull of a month of usage aggregates takes.
 *
 *   npm run bench -- central          (CENTRAL_BENCH_SCALE=0.2 for a quick run)
 *
 * Every decision is a durable transaction: the plan's state row locked, the decision and the
 * aggregates written, committed. Plans are large enough that every event is accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCentral, type RunningCentral } from '../src/central';
import { migrate, openEmbedded, openPostgres, type Database } from '../src/central/store';
import {
  CentralClient,
  PG_TEST_URL,
  dropSchema,
  planCreate,
  postgresReachable,
  prepareEmbeddedDataDir,
  smsPlan,
  spaceSetup,
  testConfig,
  uniqueSchemaName,
} from '../src/central/testkit';
import { createToken } from '../src/central/auth';
import { pullResponseSchema } from '../src/shared/sync';

const SCALE = Number(process.env.CENTRAL_BENCH_SCALE ?? 1);
const n = (count: number) => Math.max(1, Math.round(count * SCALE));

interface Row {
  backend: string;
  case: string;
  events: number;
  seconds: number;
  p50?: number;
  p95?: number;
}
const rows: Row[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

let eventCounter = 0;
const nextId = () => `bench-${process.pid}-${(eventCounter += 1)}`;

async function singles(client: CentralClient, spaces: string[], total: number, concurrency: number): Promise<Omit<Row, 'backend' | 'case'>> {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      while (issued < total) {
        issued += 1;
        const t0 = performance.now();
        const answer = await client.post('/v1/usage', { id: nextId(), spaceId: spaces[c % spaces.length], channel: 'SMS', occurredAt: new Date().toISOString() });
        if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { events: total, seconds, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
}

async function batches(client: CentralClient, spaces: string[], batchCount: number, size: number, concurrency: number): Promise<Omit<Row, 'backend' | 'case'>> {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      while (issued < batchCount) {
        issued += 1;
        const occurredAt = new Date().toISOString();
        const events = Array.from({ length: size }, () => ({ id: nextId(), spaceId: spaces[c % spaces.length], channel: 'SMS', occurredAt }));
        const t0 = performance.now();
        const answer = await client.post('/v1/usage/batch', { events });
        if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { events: batchCount * size, seconds, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
}

async function run(backend: string, db: Database): Promise<void> {
  const central: RunningCentral = await startCentral({ config: testConfig(), db });
  try {
    const { secret } = await createToken(db, { name: 'bench', role: 'platform', environments: null }, Date.now());
    const { secret: adminSecret } = await createToken(db, { name: 'bench admin', role: 'admin', environments: null }, Date.now());
    const admin = new CentralClient(central.url, adminSecret);
    const client = new CentralClient(central.url, secret);
    const spaces = Array.from({ length: 8 }, (_, i) => `bench-space-${i}`);
    for (const space of spaces) {
      const answer = await admin.post('/v1/sync/push', { changes: [...spaceSetup('bench-env', space, undefined, ['SMS']), planCreate(`plan-${space}`, space, smsPlan(1_000_000_000))] });
      if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
    }
    const one = [spaces[0]!];
    await singles(client, one, 50, 1); // warm-up
    const measure = async (label: string, result: Promise<Omit<Row, 'backend' | 'case'>>) => {
      const row = { backend, case: label, ...(await result) };
      rows.push(row);
      console.log(`  ${label.padEnd(44)} ${Math.round(row.events / row.seconds).toLocaleString('en-US').padStart(8)} events/s`);
    };
    console.log(`\n${backend}`);
    await measure('single events, 1 client', singles(client, one, n(1_000), 1));
    await measure('single events, 8 clients, one bucket', singles(client, one, n(2_000), 8));
    await measure('single events, 8 clients, 8 plans', singles(client, spaces, n(2_000), 8));
    await measure('batches of 500, 1 client', batches(client, one, n(40), 500, 1));
    await measure('batches of 500, 8 clients, one bucket', batches(client, one, n(80), 500, 8));
    await measure('batches of 500, 8 clients, 8 plans', batches(client, spaces, n(80), 500, 8));

    // A month of traffic on two channels fills 2 × 2,880 fifteen-minute slots, however many
    // events there were (1,000,000 or more): that is what a console pulls for usage.
    const pullSpace = 'bench-pull';
    await admin.post('/v1/sync/push', { changes: [...spaceSetup('bench-env', pullSpace, undefined, ['SMS', 'WhatsApp']), planCreate('plan-pull', pullSpace, smsPlan(1_000_000_000, { credits: { SMS: 1_000_000_000, WhatsApp: 1_000_000_000 } }))] });
    const start = Date.now() - 30 * 86_400_000;
    const slotEvents = [];
    for (let slot = 0; slot < 2_880; slot += 1) {
      for (const channel of ['SMS', 'WhatsApp']) slotEvents.push({ id: nextId(), spaceId: pullSpace, channel, credits: 174, occurredAt: new Date(start + slot * 900_000).toISOString() });
    }
    for (let i = 0; i < slotEvents.length; i += 1_000) await admin.post('/v1/usage/batch', { events: slotEvents.slice(i, i + 1_000) });
    const reader = admin;
    const t0 = performance.now();
    let cursor = '0.0';
    let slots = 0;
    let items = 0;
    for (;;) {
      const page = pullResponseSchema.parse((await reader.get(`/v1/sync/pull?cursor=${cursor}&limit=5000`)).body);
      items += page.items.length;
      slots += page.items.filter((i) => i.kind === 'usageSlot' && i.usageSlot.spaceId === pullSpace).length;
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    const pullMs = performance.now() - t0;
    console.log(`  full pull: ${items.toLocaleString('en-US')} records (${slots.toLocaleString('en-US')} usage slots of one month, 2 channels) in ${Math.round(pullMs)} ms`);
    rows.push({ backend, case: `full pull, ${items} records`, events: items, seconds: pullMs / 1000 });
  } finally {
    await central.close();
  }
}

console.log(`central service benchmark (scale ${SCALE}); node ${process.version}, ${os.cpus().length} cores`);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'central-bench-'));
try {
  await prepareEmbeddedDataDir(dataDir);
  const embedded = await openEmbedded({ dataDir: path.join(dataDir, 'pgdata') });
  await migrate(embedded);
  await run('embedded PostgreSQL (PGlite, on disk)', embedded);
  await embedded.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

if (await postgresReachable()) {
  const schema = uniqueSchemaName('central_bench');
  const pg = await openPostgres({ url: PG_TEST_URL, schema, poolSize: 16 });
  try {
    await migrate(pg);
    await run(`PostgreSQL (${PG_TEST_URL})`, pg);
  } finally {
    await pg.close();
    await dropSchema(schema);
  }
} else {
  console.log(`\nPostgreSQL: not reachable at ${PG_TEST_URL}; skipped (set CENTRAL_TEST_PG_URL)`);
}

console.log('\nsummary (events per second; latency per request p50 / p95 in ms)');
for (const row of rows) {
  const rate = Math.round(row.events / row.seconds).toLocaleString('en-US');
  const latency = row.p50 === undefined ? '' : `  ${row.p50.toFixed(1)} / ${row.p95!.toFixed(1)} ms`;
  console.log(`  ${row.backend.slice(0, 38).padEnd(38)} ${row.case.padEnd(40)} ${rate.padStart(9)}${latency}`);
}
