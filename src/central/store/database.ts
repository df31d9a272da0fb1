import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * The one small query interface the central service uses, over PostgreSQL (the `pg` driver)
 * or the embedded PostgreSQL (PGlite). Both speak the same SQL; the service never needs to
 * know which one it has, except that PGlite runs one transaction at a time.
 *
 * Values come back as the drivers give them: bigint columns may be strings (pg) or numbers
 * (PGlite), so readers convert them with Number()/BigInt() and never rely on either.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R extends Row = Row> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /**
   * `prepareAs`: a name under which PostgreSQL keeps the statement planned per connection (hot
   * statements whose planning costs as much as running them, and that read rows by key only:
   * they run where sequential scans are off, see openPostgres); the embedded database ignores it.
   */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[], prepareAs?: string): Promise<QueryResult<R>>;
  /** Run a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface TransactionOptions {
  /** REPEATABLE READ and READ ONLY: one snapshot for every statement (pulls). */
  snapshot?: boolean;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'embedded';
  transaction<T>(work: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

function beginStatement(options: TransactionOptions | undefined): string {
  return options?.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN';
}

export interface PostgresOptions {
  url: string;
  /** A schema to work in (created if missing), e.g. one per test run; default: the search path. */
  schema?: string;
  /**
   * Connections in the pool, and half as many more (at least one) for the prepared statements.
   */
  poolSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`schema name "${options.schema}" must be lower-case letters, digits and _`);
  }
  const poolSize = options.poolSize ?? 10;
  const searchPath = options.schema ? [`-c search_path=${options.schema}`] : [];
  const newPool = (max: number, settings: string[]) => {
    const created = new pg.Pool({ connectionString: options.url, max, ...(settings.length > 0 ? { options: settings.join(' ') } : {}) });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    created.on('error', () => undefined);
    return created;
  };
  const pool = newPool(poolSize, searchPath);
  // The prepared statements (the usage fast path's) run on connections of their own where the
  // planner never picks a sequential scan. Their plan is made once per connection and kept; made
  // while a table is a page or two (the usage counters: one row per plan bucket), it scans the
  // table, and each update of a counter leaves a dead row version behind (it changes the feed
  // index, so it is never HOT) until vacuum: after ~6,000 groups the scan read 165 pages twice
  // per group, 10-30 % of the statement's time (measured). These statements read by key only.
  const keyedPool = newPool(Math.max(1, Math.floor(poolSize / 2)), [...searchPath, '-c enable_seqscan=off']);
  const endPools = async () => {
    await Promise.all([pool.end(), keyedPool.end()]);
  };
  if (options.schema) {
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    } catch (error) {
      // Two instances creating it at once: IF NOT EXISTS does not cover that race; one wins.
      const code = (error as { code?: unknown }).code;
      if (code !== '23505' && code !== '42P06') {
        await endPools();
        throw error;
      }
    }
  }

  const query = async <R extends Row>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[], prepareAs?: string) => {
    const result = prepareAs
      ? await client.query<R>({ name: prepareAs, text: sql, values: params as unknown[] | undefined })
      : await client.query<R>(sql, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
  };

  return {
    kind: 'postgres',
    // Not pool.query: it closes the connection after any error, and the fast path's refusal is an
    // error by design (a refused group would cost a new connection). An error the server reported
    // leaves the connection usable; anything else (a broken socket) discards it.
    async query<R extends Row>(sql: string, params?: readonly unknown[], prepareAs?: string): Promise<QueryResult<R>> {
      const client = await (prepareAs ? keyedPool : pool).connect();
      try {
        const result = await query<R>(client, sql, params, prepareAs);
        client.release();
        return result;
      } catch (error) {
        client.release(error instanceof pg.DatabaseError ? undefined : (error as Error));
        throw error;
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    async transaction(work, txOptions) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(beginStatement(txOptions));
        const tx: Queryable = {
          query: (sql, params, prepareAs) => query(client, sql, params, prepareAs),
          exec: async (sql) => {
            await client.query(sql);
          },
        };
        try {
          const result = await work(tx);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
          throw error;
        }
      } finally {
        client.release(broken);
      }
    },
    close: endPools,
  };
}

export interface EmbeddedOptions {
  /** A directory to keep the data in; in memory when absent (tests). */
  dataDir?: string;
  /** A tarball of a data directory to start from (a migrated template, in tests). */
  loadDataDir?: Blob;
}

const embeddedHandles = new WeakMap<Database, PGlite>();

/**
 * PGlite is one connection in this process. Its own lock runs one transaction at a time and
 * makes lone queries wait for it, which is what keeps usage authorization exact here: a
 * plan's bucket is read and written by one transaction while all others wait.
 */
export async function openEmbedded(options: EmbeddedOptions = {}): Promise<Database> {
  const lite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const run = async <R extends Row>(target: Pick<PGlite, 'query'>, sql: string, params?: readonly unknown[]) => {
    const result = await target.query<R>(sql, params as unknown[] | undefined);
    // PGlite reports affectedRows 0 for a SELECT; pg's rowCount counts the rows returned.
    const rowCount = result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
    return { rows: result.rows, rowCount };
  };
  const database: Database = {
    kind: 'embedded',
    query: (sql, params) => run(lite, sql, params),
    exec: async (sql) => {
      await lite.exec(sql);
    },
    transaction: (work, txOptions) =>
      lite.transaction(async (tx) => {
        if (txOptions?.snapshot) await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        return work({
          query: (sql, params) => run(tx, sql, params),
          exec: async (sql) => {
            await tx.exec(sql);
          },
        });
      }),
    async close() {
      if (!lite.closed) await lite.close();
    },
  };
  embeddedHandles.set(database, lite);
  return database;
}

/** A dump of an embedded database's data directory (to start other instances from it). */
export async function dumpEmbedded(database: Database): Promise<Blob> {
  const lite = embeddedHandles.get(database);
  if (!lite) throw new Error('not an embedded database');
  return lite.dumpDataDir('none');
}
