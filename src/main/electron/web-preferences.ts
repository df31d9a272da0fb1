import type { WebPreferences } from 'electron';

/**
 * How the console's page runs: sandboxed, isolated from its preload, without Node, without
 * webviews or insecure content. Kept apart from the window code so a test can hold it to that.
 */
export function consoleWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  };
}
