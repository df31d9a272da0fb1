import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPlanState, recordUsage, snapshotAt, type PlanState } from '../../shared/engine';
import { PG_TEST_URL, describeOnBackends, dropSchema, openTestDatabase, uniqueSchemaName, type TestDatabase } from '../testing';
import { integerArrayLiteral, textArrayLiteral } from './arrays';
import { decodePlanState, encodePlanState } from './codec';
import { openPostgres } from './database';
import { MIGRATIONS, migrate } from './migrations';

it('keeps a plan state exact through its JSON text, infinities included', () => {
  const state = createPlanState({
    limit: 'channel_specific',
    credits: { WhatsApp: 5, SMS: 10 },
    renew: null,
    rollover: false,
    overage: true,
    activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
  });
  recordUsage(state, { id: 'a', channel: 'SMS', credits: 12, direction: 'MT' }, Date.parse('2026-02-01T00:00:00Z'));
  const withInfinities: PlanState = { ...state, clockMs: state.clockMs, period: state.period && { ...state.period, endMs: Infinity } };
  const back = decodePlanState(encodePlanState(withInfinities));
  expect(back).toEqual(withInfinities);
  expect(back.period?.endMs).toBe(Infinity);
  expect(Object.keys(back.buckets)).toEqual(['WhatsApp', 'SMS']);
  const copy = decodePlanState(encodePlanState(state));
  expect(snapshotAt(copy, Date.parse('2026-03-01T00:00:00Z'))).toEqual(snapshotAt(state, Date.parse('2026-03-01T00:00:00Z')));
  expect(JSON.parse(encodePlanState({ ...state, clockMs: -Infinity })).clockMs).toBe('-Infinity');
});

await describeOnBackends('database and migrations', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(backend);
  });
  afterAll(async () => database?.dispose());

  it('applies each numbered migration once', async () => {
    expect(await migrate(database.db)).toEqual([]);
    const applied = await database.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(applied.rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('stamps every fed row with its transaction and a growing sequence, on insert and on update', async () => {
    const { db } = database;
    await db.query("INSERT INTO environments (id, environment_id, name, updated_ms) VALUES ('e1', 'e1', 'One', 1)");
    const first = await db.query<{ tx: string; seq: string }>("SELECT tx::text AS tx, seq::text AS seq FROM environments WHERE id = 'e1'");
    await db.query("UPDATE environments SET name = 'Uno' WHERE id = 'e1'");
    const second = await db.query<{ tx: string; seq: string }>("SELECT tx::text AS tx, seq::text AS seq FROM environments WHERE id = 'e1'");
    expect(BigInt(second.rows[0]!.seq)).toBeGreaterThan(BigInt(first.rows[0]!.seq));
    expect(BigInt(second.rows[0]!.tx)).toBeGreaterThan(BigInt(first.rows[0]!.tx));
  });

  it('reads array literals built for large parameters back as they were', async () => {
    const texts = ['plain', 'with "quotes"', 'back\\slash', 'a,b', '{braces}', ' spaced ', 'NULL', '', 'ünï €', 'end\\'];
    const numbers = [0, 1, -1, 9007199254740991, 1796467462071];
    const read = await database.db.query<{ t: string[]; n: string[] }>('SELECT $1::text[] AS t, $2::bigint[]::text[] AS n', [
      textArrayLiteral(texts),
      integerArrayLiteral(numbers),
    ]);
    expect(read.rows[0]!.t).toEqual(texts);
    expect(read.rows[0]!.n).toEqual(numbers.map(String));
  });

  it('rolls a failed transaction back whole', async () => {
    const { db } = database;
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO environments (id, environment_id, name, updated_ms) VALUES ('e2', 'e2', 'Two', 1)");
        await tx.query('SELECT * FROM no_such_table');
      }),
    ).rejects.toMatchObject({ code: '42P01' });
    expect((await db.query("SELECT 1 FROM environments WHERE id = 'e2'")).rowCount).toBe(0);
    expect((await db.query("SELECT 1 FROM environments WHERE id = 'e1'")).rowCount).toBe(1);
  });

  // A prepared statement keeps the plan made on its connection's first runs: one made while the
  // usage counters are a page long would scan them for good, dead row versions and all.
  it.runIf(backend === 'postgres')('plans prepared statements without sequential scans, and only those', async () => {
    const { db } = database;
    expect((await db.query<{ enable_seqscan: string }>('SHOW enable_seqscan', [], 'test_show_seqscan')).rows[0]!.enable_seqscan).toBe('off');
    expect((await db.query<{ enable_seqscan: string }>('SHOW enable_seqscan')).rows[0]!.enable_seqscan).toBe('on');
    // Eight counters, a page: the planner's own choice is a sequential scan.
    await db.exec(`INSERT INTO usage_counters (plan_id, bucket, generation, period_end_ms, spendable, used, clock_ms, fast_events, environment_id)
      SELECT 'seqscan-plan-' || i, 'shared', 1, 0, 10, 0, 0, 0, 'seqscan-env' FROM generate_series(1, 8) AS i; ANALYZE usage_counters`);
    try {
      const explain = 'EXPLAIN (COSTS OFF) SELECT plan_id, generation FROM usage_counters WHERE plan_id = ANY($1::text[]) ORDER BY plan_id, bucket';
      const planOf = async (prepareAs?: string) =>
        (await db.query<{ 'QUERY PLAN': string }>(explain, [['seqscan-plan-1', 'seqscan-plan-2']], prepareAs)).rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(await planOf()).toMatch(/Seq Scan on usage_counters/);
      const prepared = await planOf('test_explain_counters');
      expect(prepared).toMatch(/Index (Only )?Scan using usage_counters_pkey/);
      expect(prepared).not.toMatch(/Seq Scan/);
    } finally {
      await db.exec("DELETE FROM usage_counters WHERE environment_id = 'seqscan-env'; ANALYZE usage_counters");
    }
    // In the schema the statement was prepared for.
    expect((await db.query<{ s: string }>('SELECT current_schema() AS s', [], 'test_schema')).rows[0]!.s).toBe((await db.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s);
  });

  it.runIf(backend === 'postgres')('lets several instances migrate one fresh database at the same time', async () => {
    const schema = uniqueSchemaName('central_migrate');
    const opened = await Promise.allSettled([1, 2, 3].map(() => openPostgres({ url: PG_TEST_URL, schema, poolSize: 2 })));
    const instances = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    try {
      expect(instances).toHaveLength(3);
      const ran = await Promise.all(instances.map((db) => migrate(db)));
      expect(ran.flat()).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(instances.map((db) => db.close()));
      await dropSchema(schema);
    }
  });
});
