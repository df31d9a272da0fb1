import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../../shared/seeded-random';

/**
 * Test support: an HTTP proxy on loopback that misbehaves on purpose, from a seed, so a failing
 * run can be replayed (`SYNC_FAULT_SEED=…`). For each request it draws one fault:
 * - drop the request (the client sees a reset; nothing reached the service);
 * - drop the answer (the service did the work; the client never hears of it);
 * - duplicate (the request reaches the service twice; the client gets the second answer);
 * - delay (request or answer held back for a while);
 * - replay later (the request is kept and sent to the service again after later requests,
 *   so the service sees an old push after newer ones: reordering).
 * With faults off it forwards faithfully. `log` lists every decision for the failure message.
 */
export type Fault = 'none' | 'drop_request' | 'drop_response' | 'duplicate' | 'delay' | 'replay_later';

interface Held {
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
}

export interface FaultProxy {
  url: string;
  target: string;
  faults: boolean;
  log: string[];
  requests: number;
  onRequest: ((path: string, n: number) => void) | null;
  close(): Promise<void>;
}

const FAULTS: [Fault, number][] = [
  ['none', 0.4],
  ['drop_request', 0.12],
  ['drop_response', 0.12],
  ['duplicate', 0.12],
  ['delay', 0.12],
  ['replay_later', 0.12],
];

async function forward(target: string, held: Held): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const url = new URL(held.path, target);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: held.method, headers: { ...held.headers, host: url.host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(held.body);
  });
}

export async function startFaultProxy(target: string, seed: number): Promise<FaultProxy> {
  const random = seededRandom(seed);
  const replays: Held[] = [];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const draw = (): Fault => {
    let x = random();
    for (const [fault, p] of FAULTS) {
      if (x < p) return fault;
      x -= p;
    }
    return 'none';
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        proxy.requests += 1;
        const n = proxy.requests;
        const headers: http.OutgoingHttpHeaders = { ...req.headers };
        delete headers['content-length'];
        delete headers.connection;
        const held: Held = { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: Buffer.concat(chunks) };
        proxy.onRequest?.(held.path, n);
        const fault: Fault = proxy.faults ? draw() : 'none';
        const delayMs = fault === 'delay' ? Math.floor(random() * 150) : 0;
        proxy.log.push(`${n} ${held.method} ${held.path.split('?')[0]} ${fault}${delayMs ? ` ${delayMs}ms` : ''}`);
        try {
          // Requests kept earlier reach the service now, after this one was drawn: out of order.
          if (replays.length > 0 && (fault !== 'none' || !proxy.faults)) {
            for (const old of replays.splice(0)) await forward(proxy.target, old).catch(() => undefined);
          }
          if (fault === 'drop_request') {
            res.socket?.destroy();
            return;
          }
          if (fault === 'replay_later') replays.push(held);
          if (fault === 'delay') await sleep(delayMs);
          let answer = await forward(proxy.target, held);
          if (fault === 'duplicate') answer = await forward(proxy.target, held);
          if (fault === 'drop_response') {
            res.socket?.destroy();
            return;
          }
          if (fault === 'delay') await sleep(Math.floor(random() * 100));
          const out = { ...answer.headers };
          delete out['content-length'];
          delete out['transfer-encoding'];
          delete out.connection;
          res.writeHead(answer.status, out);
          res.end(answer.body);
        } catch {
          res.socket?.destroy();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}`,
    target,
    faults: true,
    log: [],
    requests: 0,
    onRequest: null,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
