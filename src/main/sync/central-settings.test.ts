import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../shared/api';
import { checkCentralUrl, isLoopbackHost } from './central-url';
import { makeConsole, type TestConsole } from './testing';

/** A listener of someone's own on loopback: it records what each request carried. */
let listener: Server;
let listenerUrl: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  listener = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"kind":"unavailable","message":"no"}}');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

describe('the central service settings', () => {
  let console_: TestConsole;
  beforeAll(() => {
    console_ = makeConsole('settings');
  });
  afterAll(() => console_.cleanup());

  it('removes the stored token when the URL changes without a new one, so another listener never receives it', async () => {
    const { sync } = console_.services;
    expect(sync.updateSettings('https://central.example.com/', 'secret-token')).toEqual({ centralUrl: 'https://central.example.com', hasToken: true, tokenCleared: false });
    // The same service spelled differently keeps the token.
    expect(sync.updateSettings('https://CENTRAL.example.com')).toMatchObject({ hasToken: true, tokenCleared: false });

    const moved = sync.updateSettings(listenerUrl);
    expect(moved).toEqual({ centralUrl: listenerUrl, hasToken: false, tokenCleared: true });
    expect(sync.endpoint()).toBeNull();
    expect(sync.status().lastError).toBe('No token is set for this central service: enter one under Settings.');
    await console_.client.syncNow();
    expect(seen.filter((headers) => headers.authorization !== undefined)).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain('secret-token');

    // Given with its own token, the new service gets that one (and only that one).
    expect(sync.updateSettings(listenerUrl, 'listener-token')).toEqual({ centralUrl: listenerUrl, hasToken: true, tokenCleared: false });
    await console_.client.syncNow();
    expect(seen.map((headers) => headers.authorization).filter((a) => a !== undefined)).toContain('Bearer listener-token');
    expect(JSON.stringify(seen)).not.toContain('secret-token');

    // Turning sync off is a change of URL too: the token goes with it.
    expect(sync.updateSettings(null)).toEqual({ centralUrl: null, hasToken: false, tokenCleared: true });
    expect(sync.updateSettings(null)).toEqual({ centralUrl: null, hasToken: false, tokenCleared: false });
  });

  it('allows plain http only on this computer, and says why otherwise', () => {
    const { sync } = console_.services;
    for (const url of ['http://127.0.0.1:4790', 'http://127.7.8.9/', 'http://localhost:4790', 'http://[::1]:4790', 'http://127.1:4790', 'https://central.example.com', 'https://10.0.0.5:8443/api/']) {
      expect(checkCentralUrl(url).ok, url).toBe(true);
    }
    for (const url of ['http://central.example.com', 'http://10.0.0.5:4790', 'http://192.168.1.2', 'http://[::2]/', 'http://localhost.example.com', 'http://128.0.0.1']) {
      const checked = checkCentralUrl(url);
      expect(checked.ok, url).toBe(false);
      expect(!checked.ok && checked.message, url).toMatch(/^Plain http:\/\/ is allowed only for a central service on this computer .*Use https:\/\//);
    }
    expect(checkCentralUrl('ftp://central.example.com')).toEqual({ ok: false, message: 'The central service URL must start with https://.' });
    expect(checkCentralUrl('https://ana:pw@central.example.com').ok).toBe(false);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);

    sync.updateSettings('https://central.example.com', 'kept');
    let refused: unknown = null;
    try {
      sync.updateSettings('http://central.example.com');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiFailure);
    expect((refused as ApiFailure).message).toBe(
      'Plain http:// is allowed only for a central service on this computer (localhost, 127.0.0.1, ::1): the token would cross the network unencrypted. Use https://central.example.com.',
    );
    // A refused change changes nothing.
    expect(sync.settings()).toEqual({ centralUrl: 'https://central.example.com', hasToken: true });
  });
});
