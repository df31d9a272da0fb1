import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerOpenError } from './errors';
import { openLedger } from './ledger';
import { PAGE_SIZE } from './open';
import { APPLICATION_ID, LATEST_VERSION } from './migrations';
import { tempDir, tempLedger } from './testing';
import { rmSync } from 'node:fs';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function expectRefusal(fn: () => unknown, problem: string, text: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerOpenError);
    expect((error as LedgerOpenError).problem).toBe(problem);
    expect((error as Error).message).toMatch(text);
    return;
  }
  throw new Error('expected the ledger to refuse to open');
}

describe('opening the ledger', () => {
  it('creates a new ledger with WAL, synchronous=FULL, foreign keys and the latest schema', () => {
    const t = tempLedger();
    try {
      const { db } = t.ledger;
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(db.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
      t.reopen();
      expect(t.ledger.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    } finally {
      t.cleanup();
    }
  });

  it.skipIf(process.platform === 'win32')('creates the ledger and its -wal and -shm files readable by their owner only, and narrows an older 0644 ledger', () => {
    const mode = (path: string): number => statSync(path).mode & 0o777;
    const folder = dir();
    const path = join(folder, 'ledger.db');
    const before = process.umask(0o022); // the usual umask, under which SQLite creates 0644 files
    try {
      const ledger = openLedger(path);
      ledger.transaction(() => ledger.db.prepare("UPDATE sync_state SET token = 'secret' WHERE id = 1").run());
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect(existsSync(`${path}-shm`)).toBe(true);
      expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual([0o600, 0o600, 0o600]);
      ledger.close();

      // A ledger an older console created as SQLite does (0644, its log files too).
      const older = join(folder, 'older.db');
      const db = new Database(older);
      db.pragma('journal_mode = WAL');
      db.close();
      chmodSync(older, 0o644);
      expect(mode(older)).toBe(0o644);
      const reopened = openLedger(older);
      expect([mode(older), mode(`${older}-wal`), mode(`${older}-shm`)]).toEqual([0o600, 0o600, 0o600]);
      reopened.close();
    } finally {
      process.umask(before);
    }
  });

  it('keeps the page size of an existing ledger', () => {
    const path = join(dir(), 'ledger.db');
    const old = new Database(path);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.close();
    const ledger = openLedger(path);
    try {
      expect(ledger.db.pragma('page_size', { simple: true })).toBe(4096);
      expect(ledger.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    } finally {
      ledger.close();
    }
  });

  it('refuses a file that is not SQLite, and leaves it byte for byte as it was', () => {
    const path = join(dir(), 'ledger.db');
    writeFileSync(path, 'id,spaceId,channel\nthis is a CSV file, not a ledger\n');
    const before = sha(path);
    expectRefusal(() => openLedger(path), 'not_sqlite', /not an SQLite database.*left untouched/);
    expect(sha(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('refuses a file shorter than the SQLite header', () => {
    const path = join(dir(), 'ledger.db');
    writeFileSync(path, 'SQLite');
    expectRefusal(() => openLedger(path), 'not_sqlite', /not an SQLite database/);
    expect(readFileSync(path, 'utf8')).toBe('SQLite');
  });

  it('refuses a corrupt ledger (damaged pages behind a valid header) without touching it', () => {
    const t = tempLedger();
    for (let i = 0; i < 200; i += 1) {
      t.ledger.db.prepare('INSERT INTO environments (id, name, demo, created_at) VALUES (?, ?, 0, 0)').run(`ENV-${i}`, 'x'.repeat(200));
    }
    t.ledger.close();
    const bytes = readFileSync(t.path);
    // Keep page 1 (header and schema) and scribble over the pages after it.
    for (let i = 4096; i < bytes.length; i += 1) bytes[i] = (i * 7919) % 251;
    writeFileSync(t.path, bytes);
    const before = sha(t.path);
    expectRefusal(() => openLedger(t.path), 'corrupt', /damaged.*left untouched/);
    expect(sha(t.path)).toBe(before);
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('checks a large ledger whole only when its last session did not close it', () => {
    const t = tempLedger();
    for (let i = 0; i < 200; i += 1) {
      t.ledger.db.prepare('INSERT INTO environments (id, name, demo, created_at) VALUES (?, ?, 0, 0)').run(`ENV-${i}`, 'x'.repeat(200));
    }
    // Past the size checked at every start (64 MiB).
    t.ledger.db.exec('CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (zeroblob(70000000));');
    t.ledger.close();
    const bytes = readFileSync(t.path);
    // Damage the large table's last pages (opening never reads them).
    for (let i = bytes.length - 4096 * 64; i < bytes.length; i += 1) bytes[i] = (i * 7919) % 251;
    writeFileSync(t.path, bytes);
    // Closed cleanly: it opens at once; SQLite reports the damage when those pages are read.
    const ledger = openLedger(t.path);
    expect(ledger.db.prepare('SELECT count(*) AS n FROM environments').get()).toEqual({ n: 200 });
    expect(() => ledger.db.prepare('SELECT hex(substr(b, 69990000, 8)) FROM filler').get()).toThrow(/malformed|corrupt/i);
    ledger.close();
    // The same file with the write-ahead log of a session that was killed: checked, refused.
    const crashed = join(t.dir, 'crashed.sqlite');
    const writer = new Database(t.path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("UPDATE sync_state SET last_error = 'x' WHERE id = 1").run();
    writeFileSync(crashed, readFileSync(t.path));
    writeFileSync(`${crashed}-wal`, readFileSync(`${t.path}-wal`));
    writer.close();
    const before = sha(crashed);
    expectRefusal(() => openLedger(crashed), 'corrupt', /damaged[^]*left untouched/);
    expect(sha(crashed)).toBe(before);
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('refuses a truncated ledger', () => {
    const t = tempLedger();
    for (let i = 0; i < 500; i += 1) {
      t.ledger.db.prepare('INSERT INTO environments (id, name, demo, created_at) VALUES (?, ?, 0, 0)').run(`ENV-${i}`, 'y'.repeat(300));
    }
    t.ledger.close();
    const bytes = readFileSync(t.path);
    writeFileSync(t.path, bytes.subarray(0, Math.floor(bytes.length / 2) + 100));
    const before = sha(t.path);
    expectRefusal(() => openLedger(t.path), 'corrupt', /damaged/);
    expect(sha(t.path)).toBe(before);
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('refuses another application’s SQLite database', () => {
    const path = join(dir(), 'other.db');
    const other = new Database(path);
    other.exec('CREATE TABLE songs (title TEXT)');
    other.close();
    const before = sha(path);
    expectRefusal(() => openLedger(path), 'foreign', /another application/);
    expect(sha(path)).toBe(before);
  });

  it('refuses a ledger written by a newer console', () => {
    const t = tempLedger();
    t.ledger.db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    t.ledger.close();
    const before = sha(t.path);
    expectRefusal(() => openLedger(t.path), 'too_new', /newer version of the console/);
    expect(sha(t.path)).toBe(before);
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('refuses to run on an SQLite that is too old, before touching the file', () => {
    const path = join(dir(), 'ledger.db');
    expectRefusal(() => openLedger(path, { sqliteVersionOverride: '3.31.1' }), 'sqlite_version', /needs SQLite 3\.38\.0 or newer.*3\.31\.1/);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a folder in place of the file', () => {
    const path = join(dir(), 'ledger.db');
    mkdirSync(path);
    expectRefusal(() => openLedger(path), 'not_a_file', /not a file/);
  });
});
