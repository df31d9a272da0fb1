import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { MIGRATIONS, dumpEmbedded, migrate, openEmbedded, openPostgres, type Database } from '../store';

/**
 * Databases for tests and benchmarks: an embedded one in memory (started from a migrated
 * template kept in the temp directory, because PGlite's initdb takes seconds), and, when a
 * PostgreSQL server is reachable, a fresh schema on it that is dropped afterwards.
 */
export type Backend = 'embedded' | 'postgres';

export const PG_TEST_URL = process.env.CENTRAL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | null = null;

export function postgresReachable(url = PG_TEST_URL): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

export interface TestDatabase {
  backend: Backend;
  db: Database;
  /** For child processes: how to reach the same data. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

function templatePath(): string {
  const hash = createHash('sha256').update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `credit-central-template-${hash}.tar`);
}

async function embeddedTemplate(): Promise<Blob | undefined> {
  const file = templatePath();
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const db = await openEmbedded();
  await migrate(db);
  const dump = await dumpEmbedded(db);
  await db.close();
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
  renameSync(temp, file);
  return new Blob([readFileSync(file)]);
}

/**
 * A data directory for the embedded database, already migrated: unpacked from the template, so
 * a child process opening it skips PGlite's initdb (seconds). Same layout as the service uses.
 */
export async function prepareEmbeddedDataDir(dataDir: string): Promise<void> {
  const template = await embeddedTemplate();
  const db = await openEmbedded({ dataDir: path.join(dataDir, 'pgdata'), ...(template ? { loadDataDir: template } : {}) });
  await migrate(db);
  await db.close();
}

export function uniqueSchemaName(prefix = 'central_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(schema: string, url = PG_TEST_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export async function openTestDatabase(backend: Backend, options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (backend === 'embedded') {
    const template = await embeddedTemplate();
    const db = await openEmbedded(template ? { loadDataDir: template } : {});
    await migrate(db);
    return { backend, db, env: {}, dispose: () => db.close() };
  }
  const schema = uniqueSchemaName();
  const db = await openPostgres({ url: PG_TEST_URL, schema, poolSize: options.poolSize ?? 12 });
  await migrate(db);
  return {
    backend,
    db,
    env: { DATABASE_URL: PG_TEST_URL, CENTRAL_DB_SCHEMA: schema },
    async dispose() {
      await db.close();
      await dropSchema(schema);
    },
  };
}
