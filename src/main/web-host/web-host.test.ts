import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { openConsole, type ConsoleRuntime } from '../host';
import { createRequestHandler, isLoopbackAddress, isLoopbackHost, startWebHost, type WebHost } from '.';

/** Real parts: a ledger in a temp folder, the real services and dispatcher, a real server on 127.0.0.1. */
let dir: string;
let runtime: ConsoleRuntime;
let host: WebHost;
let adminSecret: string;
let supportSecret: string;
const MAX_BODY = 64 * 1024;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'web-host-'));
  const rendererRoot = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererRoot, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererRoot, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(path.join(rendererRoot, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'outside.txt'), 'secret file');
  runtime = await openConsole({ dataDir: path.join(dir, 'data'), empty: true });
  host = await startWebHost({
    dispatcher: runtime.dispatcher,
    bus: runtime.bus,
    callers: [
      { actor: 'Ana Admin', role: 'admin' },
      { actor: 'Sam Support', role: 'support' },
    ],
    rendererRoot,
    port: 0,
    maxBodyBytes: MAX_BODY,
    log: () => {},
  });
  [adminSecret, supportSecret] = host.sessions.map((session) => session.secret) as [string, string];
});

afterAll(async () => {
  await host?.close();
  runtime?.close();
  rmSync(dir, { recursive: true, force: true });
});

function invoke(command: string, body: unknown, secret: string | null, init: RequestInit = {}) {
  return fetch(`${host.origin}/api/invoke/${command}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(secret === null ? {} : { Authorization: `Bearer ${secret}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

describe('the web host', () => {
  test('listens on 127.0.0.1 only, and hands out one URL per caller with the secret in the fragment', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.sessions.map((session) => session.url)).toEqual([
      `${host.origin}/#secret=${adminSecret}`,
      `${host.origin}/#secret=${supportSecret}`,
    ]);
    expect(adminSecret).not.toBe(supportSecret);
    expect(adminSecret.length).toBeGreaterThanOrEqual(43);
  });

  test('answers a call that carries a secret as that secret’s caller', async () => {
    const asAdmin = await invoke('session.whoami', {}, adminSecret);
    expect(asAdmin.status).toBe(200);
    expect(await asAdmin.json()).toEqual({ ok: true, value: { actor: 'Ana Admin', role: 'admin' } });
    const asSupport = await invoke('session.whoami', {}, supportSecret);
    expect(await asSupport.json()).toEqual({ ok: true, value: { actor: 'Sam Support', role: 'support' } });
    // Roles are enforced in the main process: support may not sync.
    const forbidden = await invoke('sync.now', {}, supportSecret);
    expect(forbidden.status).toBe(200);
    expect(await forbidden.json()).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
  });

  test('refuses calls without the secret, or with a wrong one, with 401', async () => {
    for (const secret of [null, '', 'wrong', `${adminSecret}x`, adminSecret.slice(1)]) {
      const response = await invoke('session.whoami', {}, secret);
      expect(response.status, `secret ${JSON.stringify(secret)}`).toBe(401);
      expect(await response.json()).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    }
    const basic = await invoke('session.whoami', {}, null, { headers: { Authorization: `Basic ${adminSecret}` } });
    expect(basic.status).toBe(401);
    // The secret is not accepted from the query string for commands.
    const query = await fetch(`${host.origin}/api/invoke/session.whoami?secret=${adminSecret}`, { method: 'POST', body: '{}' });
    expect(query.status).toBe(401);
  });

  test('tells once that a script of the renderer has been sent (the warm-up waits for it)', async () => {
    let told = 0;
    const other = await startWebHost({
      dispatcher: runtime.dispatcher,
      bus: runtime.bus,
      callers: [{ actor: 'Ana Admin', role: 'admin' }],
      rendererRoot: path.join(dir, 'renderer'),
      port: 0,
      log: () => {},
      onScriptSent: () => (told += 1),
    });
    try {
      await (await fetch(`${other.origin}/`)).text();
      await (await fetch(`${other.origin}/assets/missing.js`)).text();
      expect(told).toBe(0);
      await (await fetch(`${other.origin}/assets/app-1234.js`)).text();
      // The server's 'finish' may come a moment after the client has read the whole answer.
      await vi.waitFor(() => expect(told).toBe(1));
      await (await fetch(`${other.origin}/assets/app-1234.js`)).text();
      expect(told).toBe(1);
    } finally {
      await other.close();
    }
  });

  test('a secret from another start of the web host opens nothing', async () => {
    const other = await startWebHost({
      dispatcher: runtime.dispatcher,
      bus: runtime.bus,
      callers: [{ actor: 'Ana Admin', role: 'admin' }],
      rendererRoot: dir,
      port: 0,
      log: () => {},
    });
    try {
      expect(other.sessions[0]?.secret).not.toBe(adminSecret);
      const response = await fetch(`${other.origin}/api/invoke/session.whoami`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminSecret}` },
        body: '{}',
      });
      expect(response.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  test('404 for an unknown command, 400 for a body that is not JSON, 405 for GET, 413 over the size limit', async () => {
    expect((await invoke('ledger.dropEverything', {}, adminSecret)).status).toBe(404);
    expect((await invoke('__proto__', {}, adminSecret)).status).toBe(404);
    const notJson = await invoke('session.whoami', '{nope', adminSecret);
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ ok: false, error: { kind: 'validation' } });
    const get = await fetch(`${host.origin}/api/invoke/session.whoami`, { headers: { Authorization: `Bearer ${adminSecret}` } });
    expect(get.status).toBe(405);
    const huge = await invoke('history.list', { filter: { actor: 'x'.repeat(MAX_BODY * 4) } }, adminSecret);
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ ok: false, error: { kind: 'validation' } });
    // The connection was closed, not the server: the next call works.
    expect((await invoke('session.whoami', {}, adminSecret)).status).toBe(200);
  });

  test('input is validated by the dispatcher and failures travel as envelopes', async () => {
    const response = await invoke('spaces.list', { environmentId: 42 }, adminSecret);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; error: { kind: string; issues: unknown[] } };
    expect(body.ok).toBe(false);
    expect(body.error.kind).toBe('validation');
    expect(body.error.issues.length).toBeGreaterThan(0);
    const polluted = await invoke('environments.list', '{"__proto__":{"polluted":true}}', adminSecret);
    expect(await polluted.json()).toMatchObject({ ok: false, error: { kind: 'validation' } });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('a batch answers each call in order as that call alone would be answered, for the secret’s caller', async () => {
    const batch = (body: unknown, secret: string | null) =>
      fetch(`${host.origin}/api/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(secret === null ? {} : { Authorization: `Bearer ${secret}` }) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const calls = [
      { name: 'session.whoami', input: {} },
      { name: 'spaces.list', input: { environmentId: 42 } },
      { name: 'ledger.dropEverything', input: {} },
      { name: 'sync.now', input: {} },
      { name: 'environments.list', input: {} },
    ];
    const asSupport = await batch({ calls }, supportSecret);
    expect(asSupport.status).toBe(200);
    const { results } = (await asSupport.json()) as { results: unknown[] };
    const alone = [
      await (await invoke('session.whoami', {}, supportSecret)).json(),
      await (await invoke('spaces.list', { environmentId: 42 }, supportSecret)).json(),
      null,
      await (await invoke('sync.now', {}, supportSecret)).json(),
      await (await invoke('environments.list', {}, supportSecret)).json(),
    ];
    expect(results).toHaveLength(5);
    expect(results[0]).toEqual({ ok: true, value: { actor: 'Sam Support', role: 'support' } });
    expect(results[1]).toEqual(alone[1]);
    expect(results[1]).toMatchObject({ ok: false, error: { kind: 'validation' } });
    // An unknown command fails alone, as a value.
    expect(results[2]).toMatchObject({ ok: false, error: { kind: 'validation', message: expect.stringContaining('ledger.dropEverything') } });
    // Roles hold inside a batch: support may not sync.
    expect(results[3]).toEqual(alone[3]);
    expect(results[3]).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(results[4]).toEqual(alone[4]);

    // Refusals of the whole batch: no secret, not JSON, not a batch, too many calls, too large, not POST.
    expect((await batch({ calls }, null)).status).toBe(401);
    expect((await batch({ calls }, 'wrong')).status).toBe(401);
    expect((await batch('{nope', adminSecret)).status).toBe(400);
    for (const shape of [{}, { calls: [] }, { calls: {} }, [calls[0]], { calls, extra: 1 }, { calls: [{ name: 'session.whoami', input: {}, as: 'admin' }] }]) {
      const response = await batch(shape, adminSecret);
      expect(response.status, JSON.stringify(shape)).toBe(400);
      expect(await response.json()).toMatchObject({ ok: false, error: { kind: 'validation' } });
    }
    expect((await batch({ calls: Array.from({ length: 17 }, () => calls[0]) }, adminSecret)).status).toBe(400);
    expect((await batch({ calls: Array.from({ length: 16 }, () => calls[0]) }, adminSecret)).status).toBe(200);
    expect((await batch({ calls: [{ name: 'history.list', input: { filter: { actor: 'x'.repeat(MAX_BODY * 4) } } }] }, adminSecret)).status).toBe(413);
    expect((await fetch(`${host.origin}/api/batch`, { headers: { Authorization: `Bearer ${adminSecret}` } })).status).toBe(405);
  });

  test('refuses a Host header that is not this computer (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port: host.port, path: '/api/invoke/session.whoami', method: 'POST', headers: { Host: 'evil.example:80', Authorization: `Bearer ${adminSecret}` } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end('{}');
    });
    expect(status).toBe(403);
  });

  test('serves the built renderer with a strict CSP, screens fall back to index.html, nothing outside it', async () => {
    const index = await fetch(`${host.origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<div id="root">');
    const screen = await fetch(`${host.origin}/spaces/s1/plans`);
    expect(await screen.text()).toContain('<div id="root">');
    const asset = await fetch(`${host.origin}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${host.origin}/assets/missing.js`)).status).toBe(404);
    for (const attempt of ['/..%2foutside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt']) {
      const response = await fetch(`${host.origin}${attempt}`);
      expect(await response.text(), attempt).not.toContain('secret file');
    }
  });
});

describe('server-sent events', () => {
  test('refuse a stream without the secret', async () => {
    expect((await fetch(`${host.origin}/api/events`)).status).toBe(401);
    expect((await fetch(`${host.origin}/api/events?secret=nope`)).status).toBe(401);
  });

  test('deliver every event of the services to every connected stream', async () => {
    const controller = new AbortController();
    const response = await fetch(`${host.origin}/api/events?secret=${supportSecret}`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const readUntil = async (needle: string) => {
      while (!received.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        received += value;
      }
    };
    await readUntil(': connected');
    runtime.bus.emit('ledger.changed', { scope: 'plans', spaceId: 'space-1', planId: 'plan-9' });
    runtime.bus.emit('import.progress', { importId: 'imp-1', rowsRead: 10, bytesRead: 100, bytesTotal: 1000, done: false });
    await readUntil('imp-1');
    expect(received).toContain('event: ledger.changed\ndata: {"scope":"plans","spaceId":"space-1","planId":"plan-9"}\n\n');
    expect(received).toContain('event: import.progress\ndata: {"importId":"imp-1","rowsRead":10,"bytesRead":100,"bytesTotal":1000,"done":false}\n\n');
    controller.abort();
  });
});

describe('calls from other computers', () => {
  test('the address check accepts only loopback peers', () => {
    for (const address of ['127.0.0.1', '127.10.20.30', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of [undefined, '', '10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', '::', '0.0.0.0', 'localhost', '128.0.0.1', '::2'])
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    expect(isLoopbackHost('127.0.0.1:5180', 5180)).toBe(true);
    expect(isLoopbackHost('localhost:5180', 5180)).toBe(true);
    expect(isLoopbackHost('[::1]:5180', 5180)).toBe(true);
    expect(isLoopbackHost('127.0.0.1:5181', 5180)).toBe(false);
    expect(isLoopbackHost('evil.example:5180', 5180)).toBe(false);
    expect(isLoopbackHost(undefined, 5180)).toBe(false);
  });

  // This machine's own non-loopback address, if it has one: a request from it is a real
  // request from a non-loopback peer, which the 127.0.0.1-bound server can never receive.
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((info) => info && !info.internal && info.family === 'IPv4')?.address;

  test.skipIf(!external)(`the real server cannot be reached on ${external ?? 'a non-loopback address (none here)'}`, async () => {
    const error = await fetch(`http://${external}:${host.port}/`).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(Error);
  });

  test.skipIf(!external)('the same request handler on a listener bound to a non-loopback address answers 403 to everything', async () => {
    const handler = createRequestHandler({
      dispatcher: runtime.dispatcher,
      bus: runtime.bus,
      sessions: host.sessions,
      rendererRoot: dir,
      port: () => exposedPort,
      maxBodyBytes: MAX_BODY,
      log: () => {},
    });
    const exposed = http.createServer(handler);
    await new Promise<void>((resolve) => exposed.listen(0, external, resolve));
    const exposedPort = (exposed.address() as AddressInfo).port;
    try {
      // Even with the right secret and a loopback Host header, the peer's address decides.
      const call = await fetch(`http://${external}:${exposedPort}/api/invoke/session.whoami`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminSecret}`, Host: `127.0.0.1:${exposedPort}` },
        body: '{}',
      });
      expect(call.status).toBe(403);
      expect(await call.json()).toMatchObject({ ok: false, error: { kind: 'forbidden', message: expect.stringMatching(/only to programs on this computer/) } });
      expect((await fetch(`http://${external}:${exposedPort}/api/events?secret=${adminSecret}`)).status).toBe(403);
      expect((await fetch(`http://${external}:${exposedPort}/`)).status).toBe(403);
    } finally {
      await new Promise<void>((resolve) => exposed.close(() => resolve()));
    }
  });
});

describe('files and ports', () => {
  test('serves the favicon from the built renderer when it has one, 404 when not, HEAD with the length and no body', async () => {
    const rendererRoot = path.join(dir, 'renderer');
    expect((await fetch(`${host.origin}/favicon.svg`)).status).toBe(404);
    const icon = '<svg xmlns="http://www.w3.org/2000/svg"/>';
    writeFileSync(path.join(rendererRoot, 'favicon.svg'), icon);
    const response = await fetch(`${host.origin}/favicon.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(await response.text()).toBe(icon);
    const head = await fetch(`${host.origin}/favicon.svg`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(icon)));
    expect(await head.text()).toBe('');
  });

  test('a port held for a moment is tried again; one that stays taken is an error that says so', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const options = { dispatcher: runtime.dispatcher, bus: runtime.bus, callers: [{ actor: 'Ana Admin', role: 'admin' as const }], rendererRoot: dir, port, log: () => {} };
    await expect(startWebHost({ ...options, busyPortRetries: 1 })).rejects.toThrow(new RegExp(`Port ${port} on 127.0.0.1 is already in use by another program \\(tried 2 times`));
    // Freed while the host waits: it starts on that very port.
    setTimeout(() => blocker.close(), 100);
    const late = await startWebHost({ ...options, busyPortRetries: 8 });
    try {
      expect(late.port).toBe(port);
      expect((await fetch(`${late.origin}/api/invoke/session.whoami`, { method: 'POST', headers: { Authorization: `Bearer ${late.sessions[0]!.secret}` } })).status).toBe(200);
    } finally {
      await late.close();
    }
  });
});
