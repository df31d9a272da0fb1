import os from 'node:os';
import path from 'node:path';

export const APP_FOLDER_NAME = 'credit-plan-console';

export interface DataDirSources {
  /** Set by the user to put the ledger anywhere (tests, several ledgers side by side). */
  env: Readonly<Record<string, string | undefined>>;
  /** Electron's `app.getPath('userData')` when running in Electron. */
  electronUserData?: string;
  homeDir?: string;
  platform?: NodeJS.Platform;
}

/**
 * Where the ledger lives. `CREDIT_CONSOLE_DATA_DIR` wins; in Electron the app's own userData
 * folder (where Electron keeps its other state); otherwise the platform's per-user data folder
 * (XDG on Linux), so the web host keeps its ledger where a desktop app would.
 */
export function resolveDataDir(sources: DataDirSources): string {
  const override = sources.env['CREDIT_CONSOLE_DATA_DIR'];
  if (override && override.trim() !== '') return path.resolve(override);
  if (sources.electronUserData) return sources.electronUserData;
  const home = sources.homeDir ?? os.homedir();
  const platform = sources.platform ?? process.platform;
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER_NAME);
  if (platform === 'win32') {
    const appData = sources.env['APPDATA'];
    return path.join(appData && appData !== '' ? appData : path.join(home, 'AppData', 'Roaming'), APP_FOLDER_NAME);
  }
  const xdg = sources.env['XDG_DATA_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'share');
  return path.join(base, APP_FOLDER_NAME);
}
