// Electron's own install script downloads its binary from outside the npm registry, which
// fails on machines that reach only the registry. package.json denies that script
// (allowScripts) so `npm install` always succeeds; this postinstall then tries the download
// itself and, where it cannot, says so and moves on. The console still runs in a browser
// through the web host (`npm start` picks it automatically).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('electron: binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD is set).');
  process.exit(0);
}

let installScript;
try {
  installScript = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
} catch {
  process.exit(0); // production install without dev dependencies: nothing to do
}
if (!existsSync(installScript)) process.exit(0);

const result = spawnSync(process.execPath, [installScript], {
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
  encoding: 'utf8',
});
if (result.status === 0) {
  console.log('electron: runtime ready.');
} else {
  console.log(
    'electron: the Electron runtime could not be downloaded here (no access outside the npm registry).\n' +
      '          The console will start in your browser through the web host instead.',
  );
}
