import { existsSync } from 'node:fs';

/**
 * The Electron build of better-sqlite3 (scripts/electron-sqlite.mjs), which the host passes to
 * the ledger as its `nativeBinding`: `npm install` compiled the package's own addon for Node's
 * ABI, which Electron cannot load. Refuses, with what to run, when the build is missing.
 */
export function electronSqliteBinding(bindingPath: string): string {
  if (!existsSync(bindingPath)) {
    throw new Error(`better-sqlite3 has not been built for Electron yet (${bindingPath} is missing). Run \`node scripts/electron-sqlite.mjs\`.`);
  }
  return bindingPath;
}
