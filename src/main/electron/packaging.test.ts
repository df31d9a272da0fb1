import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import config, { electronFuses } from '../../../electron-builder.config';
import { PACKAGED_SQLITE_BINDING, packagedSqliteBindingPath } from '../host';

/**
 * The packaging configuration as data: no Electron runtime or packaging run is possible here
 * (Electron's binaries cannot be downloaded), so what electron-builder would be given is checked
 * against electron-builder's own schema, and the fuses, targets, icons and the native module's
 * place are checked one by one.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(image: Buffer): [number, number] {
  expect(image.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(image.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [image.readUInt32BE(16), image.readUInt32BE(20)];
}

describe('packaging the desktop console (electron-builder)', () => {
  it('is a configuration electron-builder accepts (its own schema)', async () => {
    const builderRequire = createRequire(createRequire(path.join(root, 'package.json')).resolve('electron-builder'));
    const { validateConfiguration } = builderRequire('app-builder-lib/out/util/config/config') as { validateConfiguration: (c: unknown, logger: unknown) => Promise<void> };
    const { DebugLogger } = createRequire(builderRequire.resolve('app-builder-lib'))('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // …and electron-builder reads the file (TypeScript, through its own loader) as this test does.
    const { getConfig } = builderRequire('app-builder-lib/out/util/config/load') as {
      getConfig: (request: { projectDir: string; packageKey: string; configFilename: string }, file: string) => Promise<{ result: unknown }>;
    };
    const read = await getConfig({ projectDir: root, packageKey: 'build', configFilename: 'electron-builder' }, 'electron-builder.config.ts');
    expect(read.result).toEqual(config);
  });

  it('flips the fuses: no run-as-Node, NODE_OPTIONS or inspect arguments; encrypted cookies, ASAR only and checked', () => {
    expect(config.electronFuses).toBe(electronFuses);
    expect(electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it('builds for Linux, Windows and macOS, with the icons made from resources/icon.svg', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg', 'zip']);
    expect(config.directories?.buildResources).toBe('resources');
    expect(readFileSync(path.join(root, 'resources', 'icon.svg'), 'utf8')).toMatch(/^<svg /);

    for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(readFileSync(path.join(root, String(config.linux?.icon), `${size}x${size}.png`))), `${size} px`).toEqual([size, size]);
    }
    expect(pngSize(readFileSync(path.join(root, 'resources', 'icon.png')))).toEqual([1024, 1024]);

    // Windows: an ICO of PNG images up to 256 px (written as 0 in its directory).
    const ico = readFileSync(path.join(root, String(config.win?.icon)));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const icoSizes: number[] = [];
    for (let i = 0; i < ico.readUInt16LE(4); i += 1) {
      const at = 6 + 16 * i;
      const size = ico.readUInt8(at) || 256;
      const image = ico.subarray(ico.readUInt32LE(at + 12), ico.readUInt32LE(at + 12) + ico.readUInt32LE(at + 8));
      expect(pngSize(image)).toEqual([size, size]);
      icoSizes.push(size);
    }
    expect(icoSizes).toEqual([16, 24, 32, 48, 64, 128, 256]);

    // macOS: an ICNS whose chunks fill the file exactly, up to 1024 px.
    const icns = readFileSync(path.join(root, String(config.mac?.icon)));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types = new Map<string, [number, number]>();
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) {
      types.set(icns.subarray(at, at + 4).toString('latin1'), pngSize(icns.subarray(at + 8, at + icns.readUInt32BE(at + 4))));
    }
    expect(types.get('ic10')).toEqual([1024, 1024]);
    expect(types.get('ic07')).toEqual([128, 128]);
    expect(types.get('icp4')).toEqual([16, 16]);
  });

  it('carries better-sqlite3 built for Electron outside the archive, without rebuilding the Node build in place', async () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.beforeBuild).toBe('scripts/package-sqlite.mjs');
    const hook = (await import(pathToFileURL(path.join(root, String(config.beforeBuild))).href)) as { default: unknown; PACKAGE_STAGE: string };
    expect(typeof hook.default).toBe('function');
    expect(config.extraResources).toEqual([{ from: `${hook.PACKAGE_STAGE.split(path.sep).join('/')}/\${os}-\${arch}/better_sqlite3.node`, to: PACKAGED_SQLITE_BINDING }]);
    // Where the packaged app looks for it (src/main/electron/lifecycle.ts).
    expect(packagedSqliteBindingPath('/opt/Credit Plan Console/resources')).toBe(path.join('/opt/Credit Plan Console/resources', 'better-sqlite3', 'better_sqlite3.node'));
    expect(config.files).toContain('!node_modules/better-sqlite3/{build,deps,src}/**');
    expect(config.files).toContain('out/**');
  });

  it('has the scripts: dev (electron-vite dev) and dist; Electron a supported major; smtp-server only for tests', () => {
    expect(pkg.scripts['dev']).toBe('electron-vite dev');
    expect(pkg.scripts['dist']).toBe('electron-vite build && electron-builder --config electron-builder.config.ts');
    const electronMajor = Number(/(\d+)\./.exec(pkg.devDependencies['electron'] ?? '')?.[1]);
    expect(electronMajor).toBeGreaterThanOrEqual(45);
    expect(pkg.dependencies['smtp-server']).toBeUndefined();
    expect(pkg.devDependencies['smtp-server']).toBeDefined();
  });
});

/** Whether an npm `engines.node` range admits `version` (the forms package-lock.json holds). */
function admits(range: string, version: string): boolean {
  const v = version.split('.').map(Number);
  const parts = (text: string): number[] => text.replace(/\.[x*].*$/, '').split('.').map(Number);
  const compare = (p: number[]): number => {
    for (let i = 0; i < 3; i += 1) if ((v[i] ?? 0) !== (p[i] ?? 0)) return (v[i] ?? 0) - (p[i] ?? 0);
    return 0;
  };
  const one = (c: string): boolean => {
    if (c === '*' || c === '') return true;
    const m = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(c)!;
    const p = parts(m[2]!);
    switch (m[1]) {
      case '>=': return compare(p) >= 0;
      case '>': return compare(p) > 0;
      case '<=': return compare(p) <= 0;
      case '<': return compare(p) < 0;
      case '^': return v[0] === p[0] && compare(p) >= 0;
      case '~': return v[0] === p[0] && (p.length < 2 || v[1] === p[1]) && compare(p) >= 0;
      default: return p.every((n, i) => v[i] === n); // 20, 20.x, 20.19
    }
  };
  return range.split('||').some((alternative) => alternative.replace(/([<>=^~]+)\s+/g, '$1').trim().split(/\s+/).every(one));
}

describe('the Node.js floor', () => {
  /** The packages the README names as declaring Node 22.12: the Electron tooling, none of which the console, its tests or the web host run. */
  const electronTooling = ['electron', '@electron/get', '@electron-internal/extract-zip', '@electron/rebuild', 'node-abi'];

  it('every installed package admits the README\'s Node 20.19, but for the Electron tooling the README names', () => {
    expect(admits('^20.19.0 || >=22.12.0', '20.19.0')).toBe(true);
    expect(admits('>=22', '20.19.0')).toBe(false);
    expect(admits('>=16 || 14 >=14.17', '20.19.0')).toBe(true);
    expect(admits('^12.22.0 || ^14.17.0', '20.19.0')).toBe(false);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const floor = /Node\.js (\d+\.\d+) or newer/.exec(readme)?.[1];
    expect(floor).toBe('20.19');
    expect((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node).toBe(`>=${floor}`);
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string }; optional?: boolean; dev?: boolean }> };
    const refusing: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      const range = entry.engines?.node;
      // An optional package for another platform is not installed (npm says nothing of it).
      if (where === '' || range === undefined || entry.optional === true) continue;
      if (admits(range, `${floor}.0`)) continue;
      const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
      refusing.push(name);
      expect(entry.dev, `${name} is needed at run time but wants Node ${range}`).toBe(true);
    }
    expect(refusing.sort()).toEqual([...electronTooling].sort());
    for (const name of electronTooling) expect(readme).toContain(`\`${name}\``);
  });
});

