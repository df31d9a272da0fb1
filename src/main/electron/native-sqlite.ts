import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Makes every `new Database(…)` in this process use the Electron build of better-sqlite3
 * (scripts/electron-sqlite.mjs) instead of the Node build that `npm install` compiled.
 *
 * better-sqlite3 loads its addon through `require('bindings')('better_sqlite3.node')` unless
 * given the `nativeBinding` option. The ledger opens its files without that option (it is the
 * same code under Node and Electron), so the Electron host answers that one `require` itself:
 * it places a `bindings` module in Node's module cache that returns the Electron addon. This
 * must run before the first database is opened (better-sqlite3 keeps the first addon it loads).
 */
export function useElectronSqlite(appPath: string, bindingPath: string): void {
  if (!existsSync(bindingPath)) {
    throw new Error(`better-sqlite3 has not been built for Electron yet (${bindingPath} is missing). Run \`node scripts/electron-sqlite.mjs\`.`);
  }
  const appRequire = createRequire(path.join(appPath, 'package.json'));
  const betterSqliteMain = appRequire.resolve('better-sqlite3');
  const bindingsFile = createRequire(betterSqliteMain).resolve('bindings');
  const addon: unknown = appRequire(bindingPath);
  const original = appRequire(bindingsFile) as (name: string) => unknown;
  const replacement = new Module(bindingsFile);
  replacement.filename = bindingsFile;
  replacement.loaded = true;
  replacement.exports = (name: string) => (name === 'better_sqlite3.node' || name === 'better_sqlite3' ? addon : original(name));
  appRequire.cache[bindingsFile] = replacement;
}
