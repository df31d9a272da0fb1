/**
 * What explaining one usage event costs the central service (`GET /v1/usage/events/:id/explanation`,
 * usage/explain.ts): one plan with N decided events (200,000 by default, written straight to
 * usage_events as the decision path writes them), on PostgreSQL when reachable, else the
 * embedded database. "First" explains the plan's last event with no checkpoint yet: a replay of
 * the whole history, which keeps a checkpoint every 10,000 events. "Later" explains random
 * events once those exist. The floor is the database alone doing the same reads (the checkpoint
 * row and the windows of events up to the event), in the same run.
 *
 *   npm run bench -- central-explain     (BENCH_CENTRAL_EXPLAIN_EVENTS to change the count)
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Database } from '../src/central/store';
import { explainStoredEvent } from '../src/central/usage';
import { openTestDatabase, planCreate, postgresReachable, smsPlan, spaceSetup, type Backend } from '../src/central/testing';
import { seededRandom } from '../src/shared/seeded-random';

const EVENTS = Number(process.env.BENCH_CENTRAL_EXPLAIN_EVENTS ?? 200_000);
const LOOKUPS = 100;
const WINDOW = 2_000;
const START_MS = Date.parse('2026-11-01T08:00:00Z');

const ms = (n: number): string => `${n.toFixed(1)} ms`;
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]): number => sorted(xs)[Math.floor(xs.length * 0.99)]!;
const uptime = (): string => `load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;

/** The reads of a replay from `fromOrd` to `toOrd`, without the engine. */
async function floorReads(db: Database, fromOrd: number, toOrd: number): Promise<void> {
  await db.query('SELECT ord, version, state::text AS state FROM plan_checkpoints WHERE plan_id = $1 AND ord < $2 ORDER BY ord DESC LIMIT 1', ['plan-b', toOrd]);
  await db.query('SELECT version, action, config, effective_ms, ord FROM plan_versions WHERE plan_id = $1 AND ord > $2 AND ord <= $3 ORDER BY ord', ['plan-b', fromOrd, toOrd]);
  for (let lo = fromOrd; lo < toOrd; lo += WINDOW) {
    await db.query('SELECT id, channel, direction, credits, decided_ms, ord FROM usage_events WHERE plan_id = $1 AND ord > $2 AND ord <= $3 ORDER BY ord', [
      'plan-b',
      lo,
      Math.min(lo + WINDOW, toOrd),
    ]);
  }
}

async function main(): Promise<void> {
  const backend: Backend = (await postgresReachable()) ? 'postgres' : 'embedded';
  const test = await openTestDatabase(backend, { poolSize: 2 });
  const { db } = test;
  try {
    const { pushChanges } = await import('../src/central/sync');
    const principal = { tokenId: 'bench', name: 'bench', role: 'admin' as const, environments: null };
    const pushed = await pushChanges({ db, principal, nowMs: Date.now() }, [
      ...spaceSetup('bench-env', 'space-b', undefined, ['SMS']),
      planCreate('plan-b', 'space-b', smsPlan(1_000_000_000, { rollover: true })),
    ] as never);
    if (pushed.kind !== 'done' || pushed.results.some((r) => r.status !== 'applied')) throw new Error(JSON.stringify(pushed));
    const ord0 = Number((await db.query<{ ops: number }>("SELECT ops FROM plan_states WHERE plan_id = 'plan-b'")).rows[0]!.ops);
    // As the engine path writes them: one ord each, decided 10 s apart.
    await db.query(
      `INSERT INTO usage_events (environment_id, id, space_id, channel, direction, credits, occurred_ms, received_ms, plan_id, accepted,
                                 reason, bucket, consumed, overage_triggered, decided_ms, ord)
       SELECT 'bench-env', 'b' || i, 'space-b', 'SMS', 'MT', 1 + i % 3, $1::bigint + i * 10000, $1::bigint + i * 10000, 'plan-b', true,
              NULL, 'SMS', 1 + i % 3, false, $1::bigint + i * 10000, $2::integer + i - 1
         FROM generate_series(1, $3::integer) AS i`,
      [START_MS, ord0, EVENTS],
    );
    await db.query('UPDATE plan_states SET ops = $1 WHERE plan_id = $2', [ord0 + EVENTS, 'plan-b']);
    if (backend === 'postgres') await db.query('ANALYZE usage_events');
    const ordOf = (i: number) => ord0 + i - 1;

    console.log(`central event explanation: one plan, ${EVENTS.toLocaleString('en-US')} decided events, ${backend} database`);
    let t = performance.now();
    await floorReads(db, -1, ordOf(EVENTS));
    const floorFirst = performance.now() - t;
    t = performance.now();
    const first = await explainStoredEvent(db, 'bench-env', `b${EVENTS}`);
    const firstMs = performance.now() - t;
    if (!first?.explain?.accepted) throw new Error('the last event was not explained as accepted');
    const kept = Number((await db.query<{ n: number }>("SELECT count(*)::integer AS n FROM plan_checkpoints WHERE plan_id = 'plan-b'")).rows[0]!.n);
    console.log(`  first (no checkpoint)   ${ms(firstMs).padStart(10)}   floor ${ms(floorFirst)}   ratio ${(firstMs / floorFirst).toFixed(2)}   (${kept} checkpoints kept)  [${uptime()}]`);

    const r = seededRandom(11);
    const later: number[] = [];
    const floor: number[] = [];
    for (let k = 0; k < LOOKUPS; k += 1) {
      const i = 1 + Math.floor(r() * EVENTS);
      const cp = (await db.query<{ ord: number }>('SELECT ord FROM plan_checkpoints WHERE plan_id = $1 AND ord < $2 ORDER BY ord DESC LIMIT 1', ['plan-b', ordOf(i)])).rows[0];
      t = performance.now();
      await floorReads(db, cp ? Number(cp.ord) : -1, ordOf(i));
      floor.push(performance.now() - t);
      t = performance.now();
      const answer = await explainStoredEvent(db, 'bench-env', `b${i}`);
      later.push(performance.now() - t);
      if (answer?.explain?.paidBy.reduce((sum, x) => sum + x.credits, 0) !== answer?.decision.consumed) throw new Error(`b${i}: tranches do not add up`);
    }
    console.log(
      `  later (from checkpoints) median ${ms(median(later))} p99 ${ms(p99(later))}   floor median ${ms(median(floor))} p99 ${ms(p99(floor))}   ratio ${(median(later) / median(floor)).toFixed(2)}  [${uptime()}]`,
    );
  } finally {
    await test.dispose();
  }
}

await main();
