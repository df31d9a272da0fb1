import { expect, test } from 'vitest';
import { consoleWebPreferences } from './web-preferences';

test('the console page is sandboxed, context-isolated and has no Node integration', () => {
  expect(consoleWebPreferences('/app/out/preload/index.cjs')).toMatchObject({
    preload: '/app/out/preload/index.cjs',
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
  });
});
