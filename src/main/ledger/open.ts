import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { LedgerOpenError } from './errors';
import { APPLICATION_ID, LATEST_VERSION, migrate } from './migrations';

/** The oldest SQLite this ledger runs on: RETURNING, DROP COLUMN, ->> JSON operators (3.38). */
export const MIN_SQLITE_VERSION = '3.38.0';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** The page size of ledgers created from now on. */
export const PAGE_SIZE = 8192;

export interface OpenOptions {
  /**
   * Check the file's pages before using it: 'quick' runs PRAGMA quick_check (reads the whole
   * file once); 'auto' (default) does so for files up to 64 MiB, and for any file whose last
   * session did not close it (its write-ahead log was left behind: a crash or a kill); 'none'
   * only relies on SQLite reporting corruption when it meets it. Reading a large ledger whole
   * at every start cost a second per GB.
   */
  verify?: 'quick' | 'auto' | 'none';
  /** Stop migrating at this version (tests of a migration start from the one before). */
  targetVersion?: number;
  /** For tests of the version check: pretend the linked SQLite is this version. */
  sqliteVersionOverride?: string;
  /**
   * The better-sqlite3 addon to use (a path to its .node file): the Electron host passes the
   * build for Electron's ABI; default: the one `npm install` built for Node.
   */
  nativeBinding?: string;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function sqliteCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
}

const LEFT_ALONE = 'The file was left untouched.';

/** Read the first bytes of an existing file to tell an SQLite database from anything else. */
function checkHeader(path: string): 'missing' | 'empty' | 'sqlite' {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new LedgerOpenError('unreadable', path, `The ledger file ${path} cannot be read (${(error as NodeJS.ErrnoException).code}).`);
  }
  if (!stats.isFile()) {
    throw new LedgerOpenError('not_a_file', path, `The ledger path ${path} is not a file (it is a folder or a device). Choose a file path for the ledger.`);
  }
  if (stats.size === 0) return 'empty';
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let read = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new LedgerOpenError('unreadable', path, `The ledger file ${path} cannot be read (${(error as NodeJS.ErrnoException).code}).`);
  }
  if (read < head.length || !head.equals(SQLITE_HEADER)) {
    throw new LedgerOpenError(
      'not_sqlite',
      path,
      `The ledger file ${path} is not an SQLite database (it does not start with the SQLite header). ${LEFT_ALONE} Move it aside or choose another data folder, and the console will create a new ledger.`,
    );
  }
  return 'sqlite';
}

/** Open read-only and look at the file before anything can write to it. */
function inspectExisting(path: string, verify: 'quick' | 'auto' | 'none', nativeBinding: string | undefined): void {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, nativeBinding });
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n;
    if (applicationId !== APPLICATION_ID && (userVersion !== 0 || tables > 0)) {
      throw new LedgerOpenError(
        'foreign',
        path,
        `The file ${path} is an SQLite database of another application, not a credit console ledger. ${LEFT_ALONE} Choose another data folder.`,
      );
    }
    if (userVersion > LATEST_VERSION) {
      throw new LedgerOpenError(
        'too_new',
        path,
        `The ledger ${path} was written by a newer version of the console (schema ${userVersion}; this version knows up to ${LATEST_VERSION}). ${LEFT_ALONE} Update the console to open it.`,
      );
    }
    const size = statSync(path).size;
    if (verify === 'quick' || (verify === 'auto' && (size <= 64 * 1024 ** 2 || leftUnclosed(path)))) {
      const result = db.pragma('quick_check(1)', { simple: true }) as string;
      if (result !== 'ok') {
        throw new LedgerOpenError('corrupt', path, `The ledger ${path} is damaged (${result}). ${LEFT_ALONE} Restore it from a backup or move it aside to start a new ledger.`);
      }
    }
  } catch (error) {
    if (error instanceof LedgerOpenError) throw error;
    const code = sqliteCode(error);
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR')) {
      throw new LedgerOpenError(
        'corrupt',
        path,
        `The ledger ${path} is damaged and cannot be read (${(error as Error).message}). ${LEFT_ALONE} Restore it from a backup or move it aside to start a new ledger.`,
      );
    }
    throw new LedgerOpenError('unreadable', path, `The ledger ${path} cannot be opened (${(error as Error).message}). ${LEFT_ALONE}`);
  } finally {
    db?.close();
  }
}

/** A clean close checkpoints and removes the write-ahead log; one left with pages in it means the last session ended abruptly. */
function leftUnclosed(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

/**
 * Open (or create) the ledger: refuse an SQLite that is too old and any file that is not a
 * healthy ledger of this or an older version — without writing a byte to it — then set the
 * pragmas and run the pending migrations.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Database.Database {
  const probe = new Database(':memory:', { nativeBinding: options.nativeBinding });
  const actual = options.sqliteVersionOverride ?? (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  probe.close();
  if (compareVersions(actual, MIN_SQLITE_VERSION) < 0) {
    throw new LedgerOpenError(
      'sqlite_version',
      path,
      `The console needs SQLite ${MIN_SQLITE_VERSION} or newer, but this build links SQLite ${actual}. Reinstall the console (npm ci rebuilds better-sqlite3 with its bundled SQLite). The ledger was not opened.`,
    );
  }

  const existing = path !== ':memory:' && checkHeader(path) === 'sqlite';
  if (existing) inspectExisting(path, options.verify ?? 'auto', options.nativeBinding);

  const db = new Database(path, { nativeBinding: options.nativeBinding });
  try {
    // A new ledger gets 8 KiB pages rather than SQLite's 4 KiB: its largest tables and indexes
    // (raw usage) take fewer pages and levels, and an import writes ~10 % more rows a second.
    // An existing file keeps its page size (in WAL mode not even VACUUM could change it).
    if (!existing) db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Memory is plentiful next to an admin console; keep the hot aggregate pages cached.
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    migrate(db, options.targetVersion);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
