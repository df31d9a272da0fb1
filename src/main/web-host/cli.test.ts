import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

/** The web host as `npm start -- --web` runs it: a child process started from the command line. */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = path.join(projectRoot, 'src', 'main', 'web-host', 'cli.ts');
const dir = mkdtempSync(path.join(os.tmpdir(), 'web-host-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: projectRoot, env: { ...process.env, CREDIT_CONSOLE_DATA_DIR: '' } });
}

function waitForUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/#secret=[\w-]+/.exec(output);
      if (match) resolve(match[0]);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing its address:\n${output}`)));
  });
}

test('starts on the port asked for, with the caller asked for, prints the address, and stops on SIGTERM', async () => {
  const dataDir = path.join(dir, 'data');
  const child = start(['--port', '0', '--empty', '--role', 'support', '--actor', 'Sam Support', '--data-dir', dataDir]);
  const url = await waitForUrl(child);
  const { origin, hash } = new URL(url);
  const secret = hash.replace('#secret=', '');
  const answer = await fetch(`${origin}/api/invoke/session.whoami`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` }, body: '{}' });
  expect(await answer.json()).toEqual({ ok: true, value: { actor: 'Sam Support', role: 'support' } });
  const environments = await fetch(`${origin}/api/invoke/environments.list`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` }, body: '{}' });
  expect(await environments.json()).toEqual({ ok: true, value: [] }); // --empty: no demo
  expect(existsSync(path.join(dataDir, 'ledger.sqlite'))).toBe(true);
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
}, 60_000);

test('an explicit port that is taken is an error that says what to do; bad options print the usage', async () => {
  const blocker = http.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const taken = spawnSync(process.execPath, ['--import', 'tsx', cli, '--port', String(port), '--empty', '--data-dir', path.join(dir, 'taken')], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is already in use.*--port`));
  } finally {
    blocker.close();
  }
  const badRole = spawnSync(process.execPath, ['--import', 'tsx', cli, '--role', 'root'], { cwd: projectRoot, encoding: 'utf8' });
  expect(badRole.status).toBe(2);
  expect(badRole.stderr).toMatch(/--role must be one of admin, account_manager, support/);
  expect(badRole.stderr).toMatch(/--empty/);
}, 60_000);
