import type Database from 'better-sqlite3';
import { openDatabase, type OpenOptions } from './open';

/**
 * The one connection to the ledger file, with a cache of prepared statements. Every write
 * goes through `transaction`, which nests (savepoints) so that a repository function can be
 * transactional on its own and still join a caller's transaction.
 */
export class Ledger {
  readonly db: Database.Database;
  readonly path: string;
  private readonly statements = new Map<string, Database.Statement>();
  /** Bumped whenever plans change, so that caches of plan timelines know to reload. */
  plansGeneration = 0;

  constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
  }

  /** The prepared statement for `sql`, prepared once per connection. */
  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Run `fn` in a transaction (IMMEDIATE at top level: take the write lock before reading). */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    try {
      return this.db.transaction(fn).immediate();
    } catch (error) {
      // Whatever was cached from inside the rolled-back transaction is void.
      this.plansGeneration += 1;
      throw error;
    }
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

export function openLedger(path: string, options: OpenOptions = {}): Ledger {
  return new Ledger(openDatabase(path, options), path);
}
