import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

/**
 * The Electron build itself cannot be loaded by Node, but the redirection can be checked with a
 * copy of the Node build at another path: after useElectronSqlite(), a database opened the usual
 * way must run on the copy. Runs in a child process, whose module cache it changes.
 */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'electron-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.skipIf(process.platform !== 'linux')('every database opened afterwards runs on the named build of better-sqlite3', () => {
  const require = createRequire(path.join(projectRoot, 'package.json'));
  const nodeBuild = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
  const copy = path.join(dir, 'better_sqlite3.node');
  copyFileSync(nodeBuild, copy);
  const script = `
    import { readFileSync } from 'node:fs';
    import { useElectronSqlite } from ${JSON.stringify(path.join(projectRoot, 'src/main/electron/native-sqlite.ts'))};
    useElectronSqlite(${JSON.stringify(projectRoot)}, ${JSON.stringify(copy)});
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    const version = db.prepare('select sqlite_version() as v').get().v;
    const maps = readFileSync('/proc/self/maps', 'utf8');
    console.log(JSON.stringify({ version, copy: maps.includes(${JSON.stringify(copy)}), original: maps.includes(${JSON.stringify(nodeBuild)}) }));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toMatchObject({ copy: true, original: false });
  const missing = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `import { useElectronSqlite } from ${JSON.stringify(path.join(projectRoot, 'src/main/electron/native-sqlite.ts'))}; useElectronSqlite(${JSON.stringify(projectRoot)}, '/nowhere/better_sqlite3.node');`],
    { cwd: projectRoot, encoding: 'utf8' },
  );
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toMatch(/has not been built for Electron yet/);
}, 30_000);
