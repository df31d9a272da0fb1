import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/**
 * The Electron shell against a real Electron runtime. Where none can run (no downloaded
 * binary, no display, running as root, as on the machine this was written on) the whole block
 * is skipped, and its title says why.
 */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function electronRuntime(): { binary: string } | { skip: string } {
  const require = createRequire(path.join(projectRoot, 'package.json'));
  const electronDir = path.dirname(require.resolve('electron/package.json'));
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(path.join(electronDir, 'dist')) || !existsSync(pathFile)) return { skip: 'no Electron runtime (node_modules/electron/dist is missing)' };
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  const probe = spawnSync(binary, ['--version'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 20_000 });
  if (probe.status !== 0) return { skip: 'the Electron runtime does not launch here' };
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) return { skip: 'no display for Electron' };
  if (process.platform === 'linux' && process.getuid?.() === 0) return { skip: 'Electron’s sandbox refuses to run as root' };
  return { binary };
}

const runtime = electronRuntime();
const title = 'skip' in runtime ? `Electron shell (skipped: ${runtime.skip})` : 'Electron shell';

describe.skipIf('skip' in runtime)(title, () => {
  let app: ElectronApplication;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    if ('skip' in runtime) return;
    const build = spawnSync(process.execPath, ['scripts/electron-sqlite.mjs'], { cwd: projectRoot, stdio: 'inherit' });
    expect(build.status).toBe(0);
    const bundle = spawnSync(process.execPath, [path.join(projectRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
      cwd: projectRoot,
      stdio: 'inherit',
    });
    expect(bundle.status).toBe(0);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'console-electron-'));
    app = await _electron.launch({
      executablePath: runtime.binary,
      args: [projectRoot, '--empty', '--data-dir', dataDir, '--role', 'support', '--actor', 'Electron test'],
      cwd: projectRoot,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the page sees no Node and only the two functions of the bridge', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>)['require'],
      process: typeof (globalThis as Record<string, unknown>)['process'],
      bridge: Object.keys((globalThis as unknown as { creditConsole: object }).creditConsole).sort(),
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'subscribe'] });
  });

  test('the bridge reaches the dispatcher as the caller the app was started as, and refuses unknown names', async () => {
    const answers = await page.evaluate(async () => {
      const bridge = (globalThis as unknown as { creditConsole: { invoke(name: string, input: unknown): Promise<unknown> } }).creditConsole;
      return {
        whoami: await bridge.invoke('session.whoami', {}),
        unknown: await bridge.invoke('ledger.dropEverything', {}),
        forbidden: await bridge.invoke('sync.now', {}),
      };
    });
    expect(answers.whoami).toEqual({ ok: true, value: { actor: 'Electron test', role: 'support' } });
    expect(answers.unknown).toMatchObject({ ok: false, error: { kind: 'validation' } });
    expect(answers.forbidden).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
  });

  test('new windows and navigation away are denied', async () => {
    type Browser = { open(url: string): unknown; location: { href: string } };
    const opened = await page.evaluate(() => (globalThis as unknown as Browser).open('https://example.com') === null);
    expect(opened).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as Browser).location.href = 'https://example.com';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^console:\/\/app\//);
    expect(app.windows()).toHaveLength(1);
  });
});
