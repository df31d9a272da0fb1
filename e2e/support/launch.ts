import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerInfo } from './callers';

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '..', '..');

/** Start e2e/support/server.ts in its own process and wait for its E2E_READY line. */
export function launchServer(env: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ info: ServerInfo; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'server.ts')], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the e2e web host did not start within ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
    });
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((candidate) => candidate.startsWith('E2E_READY '));
      if (line) {
        clearTimeout(timer);
        resolve({ info: JSON.parse(line.slice('E2E_READY '.length)) as ServerInfo, child });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the e2e web host exited with ${code}\n${err}`));
    });
  });
}
