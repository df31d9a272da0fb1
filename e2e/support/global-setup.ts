import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchServer, projectRoot } from './launch';

export const SERVER_INFO_FILE = path.join(projectRoot, 'test-results', '.e2e-server.json');

function newest(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce((max, name) => Math.max(max, newest(path.join(entry, name))), stat.mtimeMs);
}

/** Build the screens when their sources are newer than out/renderer, so specs test what is in src. */
function ensureRendererBuilt(): void {
  const built = path.join(projectRoot, 'out', 'renderer', 'index.html');
  const sources = [path.join(projectRoot, 'src', 'renderer'), path.join(projectRoot, 'src', 'shared')];
  if (existsSync(built) && sources.every((source) => newest(source) <= statSync(built).mtimeMs)) return;
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'e2e', 'support', 'build-renderer.ts')], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('building the screens failed');
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  ensureRendererBuilt();
  const { info, child } = await launchServer();
  mkdirSync(path.dirname(SERVER_INFO_FILE), { recursive: true });
  writeFileSync(SERVER_INFO_FILE, JSON.stringify(info));
  process.env.E2E_SERVER_INFO = JSON.stringify(info);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
}
