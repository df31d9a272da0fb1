import { BrowserWindow } from 'electron';
import { APP_URL } from './app-protocol';
import { consoleWebPreferences } from './web-preferences';

export interface ConsoleWindowOptions {
  preloadPath: string;
  /** Shown in the title bar, e.g. the caller and the demo marker. */
  title: string;
}

/**
 * The console's window: the page runs sandboxed, isolated from the preload, without Node, and
 * stays hidden until its first paint so the user never sees a blank frame.
 */
export function createConsoleWindow(options: ConsoleWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: options.title,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: consoleWebPreferences(options.preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  // The page may set its own title; keep the caller visible in it.
  window.on('page-title-updated', (event) => event.preventDefault());
  void window.loadURL(APP_URL);
  return window;
}
