// `npm start`: the console in one command from a fresh clone. Installs the npm packages if
// needed, builds the screens, the Electron main/preload and the web host's entry when the
// sources are newer than out/, then starts Electron where its runtime can run here, otherwise
// the web host with a notice and the address to open. `npm start -- --web [--port N]` forces the web host;
// `--empty`, `--role`, `--actor`, `--data-dir` are passed to whichever host starts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureDependencies, root, run } from './ensure-deps.mjs';

const args = process.argv.slice(2);
const wantsHelp = args.includes('--help') || args.includes('-h');
const forceWeb = args.includes('--web');

ensureDependencies();

// ── build when stale ────────────────────────────────────────────────────────────────────────
const BUILD_STAMP = path.join(root, 'out', '.build-stamp');
const BUILD_INPUTS = ['src', 'resources', 'electron.vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.web.json'];

function newestMtime(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    // Tests are not part of the build.
    if (/\.test\.tsx?$/.test(name)) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

function buildIsStale() {
  const outputs = [path.join(root, 'out', 'renderer', 'index.html'), path.join(root, 'out', 'main', 'web-host.js')];
  if (!existsSync(BUILD_STAMP) || !outputs.every((output) => existsSync(output))) return true;
  const built = statSync(BUILD_STAMP).mtimeMs;
  return BUILD_INPUTS.some((input) => newestMtime(path.join(root, input)) > built);
}

if (!wantsHelp && buildIsStale()) {
  run('Building the console (electron-vite: main and web host, preload, renderer)', process.execPath, [
    path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
    'build',
  ]);
  writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
}

// ── which host ──────────────────────────────────────────────────────────────────────────────
/** Whether Electron can run here, and if not, why (said to the user in plain words). */
function electronRuntime() {
  const require = createRequire(path.join(root, 'package.json'));
  let electronDir;
  try {
    electronDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(path.join(electronDir, 'dist')) || !existsSync(pathFile)) {
    return { ok: false, reason: 'its runtime was not downloaded (node_modules/electron/dist is missing)' };
  }
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  const probe = spawnSync(binary, ['--version'], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (probe.status !== 0) return { ok: false, reason: `its runtime does not launch here (${(probe.stderr || probe.error?.message || 'no output').trim().split('\n')[0]})` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'there is no graphical display (DISPLAY / WAYLAND_DISPLAY are not set)' };
  }
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    // Chromium's sandbox refuses root; running without it would undo the window's isolation.
    return { ok: false, reason: 'it refuses to run as root with its sandbox on' };
  }
  return { ok: true, binary };
}

function runChild(command, childArgs) {
  const child = spawn(command, childArgs, { cwd: root, stdio: 'inherit', env: process.env });
  // The terminal's Ctrl+C reaches the child directly; other signals are passed on.
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function startWebHost(hostArgs) {
  // The built entry starts in a fraction of a second; compiling the sources with tsx took
  // seconds. Only `--help`, which skips the build, may find no built entry and use the sources.
  const built = path.join(root, 'out', 'main', 'web-host.js');
  if (existsSync(built)) runChild(process.execPath, [built, ...hostArgs]);
  else runChild(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'main', 'web-host', 'cli.ts'), ...hostArgs]);
}

const hostArgs = args.filter((arg) => arg !== '--web');

if (wantsHelp || forceWeb) {
  startWebHost(hostArgs);
} else {
  const electron = electronRuntime();
  if (!electron.ok) {
    console.log(`\nℹ Electron cannot run here: ${electron.reason}.\n  Starting the console in your browser instead (the same console, served on 127.0.0.1 only).`);
    startWebHost(hostArgs);
  } else {
    let ready = true;
    try {
      const { ensureElectronSqlite } = await import('./electron-sqlite.mjs');
      ensureElectronSqlite();
    } catch (error) {
      ready = false;
      console.log(`\nℹ ${error instanceof Error ? error.message : String(error)}\n  Starting the console in your browser instead.`);
    }
    if (ready) runChild(electron.binary, [root, ...hostArgs]);
    else startWebHost(hostArgs);
  }
}
