import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

/**
 * The Electron build itself cannot be loaded by Node, but the option can be checked with a copy
 * of the Node build at another path: a ledger opened with it as its native binding must run on
 * the copy, never loading the original. Runs in a child process, so that no other test has
 * loaded the original addon into the process first.
 */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'electron-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.skipIf(process.platform !== 'linux')('the ledger runs on the build of better-sqlite3 the host names', () => {
  const require = createRequire(path.join(projectRoot, 'package.json'));
  const nodeBuild = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
  const copy = path.join(dir, 'better_sqlite3.node');
  copyFileSync(nodeBuild, copy);
  const script = `
    import { readFileSync } from 'node:fs';
    import { electronSqliteBinding } from ${JSON.stringify(path.join(projectRoot, 'src/main/electron/native-sqlite.ts'))};
    import { openLedger } from ${JSON.stringify(path.join(projectRoot, 'src/main/ledger/index.ts'))};
    const ledger = openLedger(${JSON.stringify(path.join(dir, 'ledger.sqlite'))}, { nativeBinding: electronSqliteBinding(${JSON.stringify(copy)}) });
    const version = ledger.db.prepare('select sqlite_version() as v').get().v;
    const maps = readFileSync('/proc/self/maps', 'utf8');
    console.log(JSON.stringify({ version, copy: maps.includes(${JSON.stringify(copy)}), original: maps.includes(${JSON.stringify(nodeBuild)}) }));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toMatchObject({ copy: true, original: false });
  const missing = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `import { electronSqliteBinding } from ${JSON.stringify(path.join(projectRoot, 'src/main/electron/native-sqlite.ts'))}; electronSqliteBinding('/nowhere/better_sqlite3.node');`],
    { cwd: projectRoot, encoding: 'utf8' },
  );
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toMatch(/has not been built for Electron yet/);
}, 30_000);
