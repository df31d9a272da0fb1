import path from 'node:path';

/**
 * better-sqlite3 is a native module compiled for one ABI. `npm install` builds it for Node
 * (tests, the web host, the command line); Electron needs its own copy, which
 * `scripts/electron-sqlite.mjs` builds into a separate folder so the Node copy stays intact.
 * Both sides name that folder with this function's rule: a change of Electron, of
 * better-sqlite3, of platform or of architecture names a new folder, and so a new build.
 */
export interface NativeBuildTarget {
  electronVersion: string;
  betterSqliteVersion: string;
  platform: string;
  arch: string;
}

export const ELECTRON_SQLITE_CACHE = path.join('node_modules', '.cache', 'electron-sqlite');

export function electronSqliteBindingPath(projectRoot: string, target: NativeBuildTarget): string {
  const folder = `electron-${target.electronVersion}-better-sqlite3-${target.betterSqliteVersion}-${target.platform}-${target.arch}`;
  return path.join(projectRoot, ELECTRON_SQLITE_CACHE, folder, 'better_sqlite3.node');
}

/**
 * In a package built by electron-builder, the Electron build of better-sqlite3 lies outside the
 * app's ASAR archive, under the resources folder (extraResources; a native module cannot be
 * loaded from inside an archive).
 */
export const PACKAGED_SQLITE_BINDING = 'better-sqlite3/better_sqlite3.node';

export function packagedSqliteBindingPath(resourcesPath: string): string {
  return path.join(resourcesPath, ...PACKAGED_SQLITE_BINDING.split('/'));
}
