import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole } from '../host/open-console';
import { tempDir } from '../ledger/testing';
import type { TokenSealer } from './token-store';

const ADMIN = { role: 'admin', actor: 'Ana Admin' } as const;

/**
 * A key store as safeStorage is one: AES-256-GCM under a key this process holds and the ledger
 * never sees. (safeStorage itself runs only inside Electron; the Electron shell test covers it
 * where a runtime exists.)
 */
function keyStore(name: string): TokenSealer {
  const key = randomBytes(32);
  return {
    name,
    seal(token) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    unseal(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

let listener: Server;
let url: string;
const authorizations: string[] = [];
beforeAll(async () => {
  listener = createServer((request, response) => {
    if (request.headers.authorization !== undefined) authorizations.push(request.headers.authorization);
    response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"kind":"unavailable","message":"down for the test"}}');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

const TOKEN = 'cpc_live_0123456789abcdef';
/** Every byte of the ledger's files as text (the WAL holds recent pages until a checkpoint). */
function ledgerBytes(path: string): string {
  return ['', '-wal'].map((suffix) => {
    try {
      return readFileSync(`${path}${suffix}`).toString('latin1');
    } catch {
      return '';
    }
  }).join('');
}

describe('the central service token at rest', () => {
  const dir = tempDir('token-store-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is stored sealed where the host has a key store, used by the sync client, and never written in clear', async () => {
    const sealer = keyStore('test key store');
    const consoleA = await openConsole({ dataDir: join(dir, 'a'), empty: true, tokenSealer: sealer, sync: { intervalMs: 60_000, timeoutMs: 2_000 } });
    try {
      const saved = await consoleA.dispatcher.dispatch('settings.update', { centralUrl: url, token: TOKEN }, ADMIN);
      expect(saved).toEqual({ ok: true, value: { centralUrl: url, hasToken: true, tokenCleared: false } });
      expect(ledgerBytes(consoleA.ledgerPath)).not.toContain(TOKEN);
      await consoleA.dispatcher.dispatch('sync.now', {}, ADMIN);
      expect(authorizations).toContain(`Bearer ${TOKEN}`);
    } finally {
      consoleA.close();
    }
    expect(ledgerBytes(join(dir, 'a', 'ledger.sqlite'))).not.toContain(TOKEN);

    // The same ledger opened where that key store is not (the web host): the token is not
    // guessed at, and the status says what to do.
    const web = await openConsole({ dataDir: join(dir, 'a'), empty: true, sync: { intervalMs: 60_000, timeoutMs: 2_000 } });
    try {
      authorizations.length = 0;
      const status = await web.dispatcher.dispatch('sync.now', {}, ADMIN);
      expect(status.ok && status.value).toMatchObject({ state: 'offline', lastError: expect.stringMatching(/sealed by the desktop console's key store .*enter the token again/) });
      expect(authorizations).toEqual([]);
    } finally {
      web.close();
    }
  });

  it('seals a token an older console (or the web host) stored in clear, at the first start with a key store', async () => {
    const data = join(dir, 'b');
    const web = await openConsole({ dataDir: data, empty: true, sync: false });
    await web.dispatcher.dispatch('settings.update', { centralUrl: url, token: TOKEN }, ADMIN);
    web.close();
    expect(ledgerBytes(join(data, 'ledger.sqlite'))).toContain(TOKEN);

    const desktop = await openConsole({ dataDir: data, empty: true, tokenSealer: keyStore('test key store'), sync: { intervalMs: 60_000, timeoutMs: 2_000 } });
    try {
      authorizations.length = 0;
      await desktop.dispatcher.dispatch('sync.now', {}, ADMIN);
      expect(authorizations.length).toBeGreaterThan(0);
      expect(new Set(authorizations)).toEqual(new Set([`Bearer ${TOKEN}`]));
    } finally {
      desktop.close();
    }
    // Not even the page the clear token was on keeps it: it is overwritten when sealed.
    expect(ledgerBytes(join(data, 'ledger.sqlite'))).not.toContain(TOKEN);
    expect(ledgerBytes(join(data, 'ledger.sqlite'))).toContain('sealed:v1:');
  });
});
