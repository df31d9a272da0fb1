import { createRequire } from 'node:module';
import path from 'node:path';
import { BrowserWindow, app, dialog, session } from 'electron';
import { USAGE, electronSqliteBindingPath, openConsole, parseConsoleOptions, resolveDataDir, type ConsoleRuntime } from '../host';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { electronSqliteBinding } from './native-sqlite';
import { forwardEvents, serveDispatcher } from './ipc';
import { hardenApp, hardenSession } from './security';
import { createConsoleWindow } from './window';

/** The built app's layout (electron-vite): out/main, out/preload, out/renderer under the app path. */
function builtPaths(appPath: string) {
  return {
    preload: path.join(appPath, 'out', 'preload', 'index.cjs'),
    renderer: path.join(appPath, 'out', 'renderer'),
  };
}

function betterSqliteVersion(appPath: string): string {
  const require = createRequire(path.join(appPath, 'package.json'));
  return (require('better-sqlite3/package.json') as { version: string }).version;
}

function fatal(title: string, message: string): void {
  console.error(`${title}\n${message}`);
  dialog.showErrorBox(title, message);
  app.exit(1);
}

/** The Electron host: one window over the shared services, opened once per machine user. */
export function runElectronConsole(): void {
  // Electron's own command line comes first: the executable, then (unpackaged) the app path.
  const args = process.argv.slice(app.isPackaged ? 1 : 2);
  const parsed = parseConsoleOptions(args, { strict: false });
  if (!parsed.ok) {
    console.error(`${parsed.message}\n\n${USAGE}`);
    app.exit(2);
    return;
  }
  const options = parsed.options;

  // One process holds the ledger's one connection; a second start focuses the first window.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  registerAppScheme();
  hardenApp();

  let runtime: ConsoleRuntime | null = null;
  const appPath = app.getAppPath();
  const paths = builtPaths(appPath);
  const title = `Credit Plan Console — ${options.caller.actor} (${options.caller.role.replace('_', ' ')})`;

  const openWindow = () => createConsoleWindow({ preloadPath: paths.preload, title });

  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', () => {
    runtime?.close();
    runtime = null;
  });

  void app.whenReady().then(async () => {
    hardenSession(session.defaultSession);
    serveRenderer(session.defaultSession, paths.renderer);

    const nativeBinding = electronSqliteBindingPath(appPath, {
      electronVersion: process.versions.electron ?? 'unknown',
      betterSqliteVersion: betterSqliteVersion(appPath),
      platform: process.platform,
      arch: process.arch,
    });
    const dataDir = options.dataDir ?? resolveDataDir({ env: process.env, electronUserData: app.getPath('userData') });
    try {
      runtime = await openConsole({ dataDir, empty: options.empty, nativeBinding: electronSqliteBinding(nativeBinding) });
    } catch (error) {
      fatal(
        'The console could not open its ledger',
        `${error instanceof Error ? error.message : String(error)}\n\nData folder: ${dataDir}\n` +
          'If better-sqlite3 for Electron is missing, run `node scripts/electron-sqlite.mjs` (npm start does it).',
      );
      return;
    }
    serveDispatcher(runtime.dispatcher, options.caller);
    forwardEvents(runtime.bus, () => BrowserWindow.getAllWindows());
    openWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    });
  });
}
