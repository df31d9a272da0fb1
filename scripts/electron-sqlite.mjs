// Builds a second copy of better-sqlite3's native module for Electron's ABI, next to (never in
// place of) the copy `npm install` built for Node: tests, the web host and the command line keep
// using the Node copy, and the Electron host opens this one through better-sqlite3's
// `nativeBinding` option. `npm start` runs this before launching Electron; run it by hand with
// `node scripts/electron-sqlite.mjs` (add `--force` to rebuild). Uses only Node built-ins.
//
// How: copy better-sqlite3's sources into a work folder, then
//   1. prebuild-install --runtime electron --target <electron version> (a published prebuilt), or
//   2. node-gyp rebuild --runtime=electron --target=<version> --dist-url=https://electronjs.org/headers
//      (needs a C++ toolchain and Python),
// then keep only build/Release/better_sqlite3.node. The folder's name carries the Electron and
// better-sqlite3 versions, platform and architecture (same rule as src/main/host/native-sqlite.ts),
// so upgrading either one builds a new copy.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

function packageVersion(name) {
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}

/** Mirrors electronSqliteBindingPath() in src/main/host/native-sqlite.ts. */
export function electronSqliteTarget({ runtime = 'electron', target, platform = process.platform, arch = process.arch } = {}) {
  const electronVersion = target ?? packageVersion('electron');
  const betterSqliteVersion = packageVersion('better-sqlite3');
  const prefix = runtime === 'electron' ? 'electron' : runtime;
  const folder = `${prefix}-${electronVersion}-better-sqlite3-${betterSqliteVersion}-${platform}-${arch}`;
  const dir = path.join(root, 'node_modules', '.cache', 'electron-sqlite', folder);
  return { runtime, version: electronVersion, platform, arch, dir, binding: path.join(dir, 'better_sqlite3.node') };
}

function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((candidate) => candidate && existsSync(candidate)) ?? null;
}

function attempt(label, command, args, cwd, log) {
  log(`electron-sqlite: ${label}…`);
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  return result.status === 0;
}

/**
 * Returns the path of the Electron build of better_sqlite3.node, building it when missing.
 * Throws with an actionable message when neither a prebuilt nor a local compiler is available.
 */
export function ensureElectronSqlite({ force = false, runtime = 'electron', target, platform, arch, extraGypArgs = [], log = console.log } = {}) {
  const wanted = electronSqliteTarget({ runtime, target, platform, arch });
  if (!force && existsSync(wanted.binding)) return wanted.binding;

  const work = path.join(wanted.dir, 'work');
  rmSync(wanted.dir, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  // The sources only: the Node build in source/build must not be mistaken for the result.
  cpSync(source, work, { recursive: true, filter: (from) => path.relative(source, from).split(path.sep)[0] !== 'build' });

  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
  let ok = false;
  const prebuild = path.join(path.dirname(require.resolve('prebuild-install/package.json')), 'bin.js');
  if (runtime === 'electron' && existsSync(prebuild)) {
    ok = attempt(
      `downloading a prebuilt better-sqlite3 for Electron ${wanted.version}`,
      process.execPath,
      [prebuild, '--runtime', 'electron', '--target', wanted.version, '--arch', wanted.arch, '--platform', wanted.platform],
      work,
      log,
    ) && existsSync(built);
  }
  // node-gyp compiles for this machine only: another platform needs its prebuilt.
  if (!ok && wanted.platform === process.platform) {
    const gyp = nodeGypScript();
    if (gyp) {
      const distUrl = runtime === 'electron' ? ['--dist-url=https://electronjs.org/headers'] : [];
      ok = attempt(
        `compiling better-sqlite3 for ${runtime} ${wanted.version} with node-gyp (a few minutes)`,
        process.execPath,
        [gyp, 'rebuild', '--release', `--runtime=${runtime}`, `--target=${wanted.version}`, `--arch=${wanted.arch}`, ...distUrl, ...extraGypArgs],
        work,
        log,
      ) && existsSync(built);
    }
  }
  if (!ok) {
    rmSync(wanted.dir, { recursive: true, force: true });
    throw new Error(
      `Could not build better-sqlite3 for ${runtime} ${wanted.version}: no prebuilt could be downloaded and node-gyp ` +
        'could not compile it (it needs Python 3 and a C++ compiler: build-essential on Debian/Ubuntu, Xcode command line ' +
        'tools on macOS, Visual Studio Build Tools on Windows). `npm start -- --web` runs the console in your browser meanwhile.',
    );
  }
  copyFileSync(built, wanted.binding);
  rmSync(work, { recursive: true, force: true });
  log(`electron-sqlite: ready at ${path.relative(root, wanted.binding)}`);
  return wanted.binding;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const runtime = option('--runtime') ?? 'electron';
  const target = option('--target');
  if (args.includes('--print-path')) {
    console.log(electronSqliteTarget({ runtime, target }).binding);
  } else {
    try {
      const nodedir = option('--nodedir');
      ensureElectronSqlite({ force: args.includes('--force'), runtime, target, extraGypArgs: nodedir ? [`--nodedir=${nodedir}`] : [] });
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    }
  }
}
