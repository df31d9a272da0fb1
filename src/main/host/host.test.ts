import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { EVENT_NAMES } from '../../shared/api';
import {
  createEventBus,
  electronSqliteBindingPath,
  parseConsoleOptions,
  resolveDataDir,
  resolveRendererFile,
  type ConsoleEvent,
} from '.';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('data folder', () => {
  test('CREDIT_CONSOLE_DATA_DIR wins over everything', () => {
    expect(resolveDataDir({ env: { CREDIT_CONSOLE_DATA_DIR: '/tmp/x' }, electronUserData: '/e', homeDir: '/h' })).toBe('/tmp/x');
  });
  test('Electron uses its userData folder', () => {
    expect(resolveDataDir({ env: {}, electronUserData: '/e/ud', homeDir: '/h' })).toBe('/e/ud');
  });
  test('the web host follows the platform: XDG on Linux, Application Support on macOS, APPDATA on Windows', () => {
    expect(resolveDataDir({ env: {}, homeDir: '/home/ana', platform: 'linux' })).toBe('/home/ana/.local/share/credit-plan-console');
    expect(resolveDataDir({ env: { XDG_DATA_HOME: '/xdg' }, homeDir: '/home/ana', platform: 'linux' })).toBe('/xdg/credit-plan-console');
    expect(resolveDataDir({ env: { XDG_DATA_HOME: 'relative' }, homeDir: '/home/ana', platform: 'linux' })).toBe(
      '/home/ana/.local/share/credit-plan-console',
    );
    expect(resolveDataDir({ env: {}, homeDir: '/Users/ana', platform: 'darwin' })).toBe('/Users/ana/Library/Application Support/credit-plan-console');
    expect(resolveDataDir({ env: { APPDATA: '/appdata' }, homeDir: '/h', platform: 'win32' })).toBe(path.join('/appdata', 'credit-plan-console'));
  });
});

describe('start options', () => {
  test('defaults: Electron where possible, default port, demo data, admin', () => {
    const parsed = parseConsoleOptions([]);
    expect(parsed.ok && parsed.options).toMatchObject({ web: false, port: null, empty: false, caller: { role: 'admin' } });
  });
  test('--web --port --empty --role --actor', () => {
    const parsed = parseConsoleOptions(['--web', '--port', '8123', '--empty', '--role', 'support', '--actor', 'Ana']);
    expect(parsed.ok && parsed.options).toMatchObject({ web: true, port: 8123, empty: true, caller: { role: 'support', actor: 'Ana' } });
  });
  test('bad values are refused with a message naming the option', () => {
    const badRole = parseConsoleOptions(['--role', 'root']);
    expect(badRole.ok).toBe(false);
    expect(!badRole.ok && badRole.message).toMatch(/--role must be one of admin, account_manager, support/);
    const badPort = parseConsoleOptions(['--port', '70000']);
    expect(!badPort.ok && badPort.message).toMatch(/--port/);
    expect(parseConsoleOptions(['--frobnicate']).ok).toBe(false);
  });
  test('inside Electron, Chromium switches and the app path are tolerated', () => {
    const parsed = parseConsoleOptions(['--no-sandbox', '--role', 'account_manager', '.'], { strict: false });
    expect(parsed.ok && parsed.options.caller.role).toBe('account_manager');
  });
});

describe('renderer files', () => {
  const root = '/srv/out/renderer';
  test('names files inside the built renderer, / is index.html', () => {
    expect(resolveRendererFile(root, '/')).toBe('/srv/out/renderer/index.html');
    expect(resolveRendererFile(root, '/assets/index-abc.js')).toBe('/srv/out/renderer/assets/index-abc.js');
  });
  test.each(['/../secret', '/assets/../../x', '/%2e%2e/x', '/%2e%2e%2fx', '/a%5c..%5cb', '/a%00b', '/%E0%A4%A'])('refuses %s', (urlPath) => {
    expect(resolveRendererFile(root, urlPath)).toBeNull();
  });
});

describe('event bus', () => {
  test('delivers valid events to every listener and drops payloads that break the contract', () => {
    const errors: string[] = [];
    const bus = createEventBus({ onError: (_error, context) => errors.push(context) });
    const seen: ConsoleEvent[] = [];
    const unsubscribe = bus.subscribe((event) => seen.push(event));
    bus.subscribe(() => {
      throw new Error('a broken listener');
    });
    bus.emit('ledger.changed', { scope: 'plans', spaceId: 's1' });
    bus.emit('ledger.changed', { scope: 'nonsense' } as never);
    expect(seen).toEqual([{ name: 'ledger.changed', payload: { scope: 'plans', spaceId: 's1' } }]);
    expect(errors).toEqual(['listener for ledger.changed', 'payload of ledger.changed breaks its schema']);
    unsubscribe();
    bus.emit('ledger.changed', { scope: 'usage' });
    expect(seen).toHaveLength(1);
    expect(EVENT_NAMES).toContain('ledger.changed');
  });
});

describe('Electron build of better-sqlite3', () => {
  test('the build script and the Electron host agree on where the binary lives', () => {
    const require = createRequire(path.join(projectRoot, 'package.json'));
    const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
    const fromScript = spawnSync(process.execPath, [path.join(projectRoot, 'scripts', 'electron-sqlite.mjs'), '--print-path'], {
      encoding: 'utf8',
    });
    expect(fromScript.status).toBe(0);
    expect(fromScript.stdout.trim()).toBe(
      electronSqliteBindingPath(projectRoot, {
        electronVersion: version('electron'),
        betterSqliteVersion: version('better-sqlite3'),
        platform: process.platform,
        arch: process.arch,
      }),
    );
  });
});
