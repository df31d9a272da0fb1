// electron-builder's beforeBuild hook (see electron-builder.config.ts): better-sqlite3 for the
// Electron ABI of the package being built — beside, never in place of, the build `npm install`
// made for Node, which the tests, the web host and the command line keep using. electron-builder's
// own npmRebuild would rebuild node_modules/better-sqlite3 in place (Electron's ABI over Node's),
// so this hook returns false to skip it. The binding is built by scripts/electron-sqlite.mjs (a
// published prebuilt for the target's platform and architecture, or node-gyp on this machine)
// and staged where the configuration's extraResources take it into the package.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureElectronSqlite } from './electron-sqlite.mjs';

/** Relative to the project: `${os}-${arch}/better_sqlite3.node` under it (electron-builder's macros). */
export const PACKAGE_STAGE = path.join('node_modules', '.cache', 'electron-sqlite', 'package');

export default async function beforeBuild(context) {
  const { nodeName, buildConfigurationKey } = context.platform;
  const binding = ensureElectronSqlite({ target: context.electronVersion, platform: nodeName, arch: context.arch });
  const stage = path.join(context.appDir, PACKAGE_STAGE, `${buildConfigurationKey}-${context.arch}`);
  mkdirSync(stage, { recursive: true });
  copyFileSync(binding, path.join(stage, 'better_sqlite3.node'));
  return false; // node_modules stay as they are: no rebuild in place
}
