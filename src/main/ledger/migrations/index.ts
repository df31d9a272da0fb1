import type Database from 'better-sqlite3';
import { migration001 } from './001_core';
import { migration002 } from './002_usage';
import { migration003 } from './003_drafts';
import { migration004 } from './004_sync';
import { migration005 } from './005_history_filters';
import { migration006 } from './006_usage_codes';
import { migration007 } from './007_space_usage';
import { migration008 } from './008_plan_credits';
import { migration009 } from './009_credit_history';
import { migration010 } from './010_credit_sync';
import { migration011 } from './011_central_usage_labels';
import type { Migration } from './types';

export type { Migration } from './types';

/** Every schema step in order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011];
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Marks a file as a credit-console ledger (PRAGMA application_id), "CPCL". */
export const APPLICATION_ID = 0x4350434c;

/**
 * Bring the schema to `target` (default: the latest). Each migration runs in its own
 * transaction together with the user_version bump, so a crash leaves either the old or the
 * new version, never half of one.
 */
export function migrate(db: Database.Database, target = LATEST_VERSION): number[] {
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version > target) break;
    const current = db.pragma('user_version', { simple: true }) as number;
    if (migration.version <= current) continue;
    if (migration.version !== current + 1) {
      throw new Error(`ledger schema is at version ${current}; migration ${migration.version} cannot follow it`);
    }
    // As SQLite's procedure for rebuilding a table says: foreign keys off while a migration
    // replaces a table others refer to, and every reference checked before it commits.
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        migration.up(db);
        const broken = db.pragma('foreign_key_check') as { table: string; parent: string }[];
        if (broken.length > 0) {
          throw new Error(`migration ${migration.version} would break ${broken.length} references (first: ${broken[0]!.table} → ${broken[0]!.parent})`);
        }
        if (migration.version === 1) db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    } finally {
      db.pragma(`foreign_keys = ${foreignKeys === 1 ? 'ON' : 'OFF'}`);
    }
    applied.push(migration.version);
  }
  return applied;
}
