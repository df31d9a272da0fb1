import { createReadStream, existsSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { isCommandName, MAX_BATCH_CALLS, WEB_BATCH_PATH, type Caller, type Dispatcher, type ErrorKind, type Result } from '../../shared/api';
import { CONSOLE_CSP, contentTypeOf, resolveRendererFile, type EventBus } from '../host';
import { isLoopbackAddress, isLoopbackHost } from './loopback';
import { bearerSecret, callerForSecret, issueSecrets, type CallerSession } from './secrets';

export const BIND_ADDRESS = '127.0.0.1';
/** Large enough for a usage file sent as text from the browser; larger files go by path. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const SSE_HEARTBEAT_MS = 20_000;

export interface WebHostOptions {
  dispatcher: Dispatcher;
  bus: EventBus;
  /** One secret is issued per caller; the secret a request carries decides who it acts as. */
  callers: readonly Caller[];
  /** The built renderer (out/renderer). */
  rendererRoot: string;
  /** 0 picks a free port. */
  port?: number;
  maxBodyBytes?: number;
  log?: (line: string) => void;
  /** Called once, when a script of the renderer has been sent in full (the page is on its way). */
  onScriptSent?: () => void;
}

export interface WebHostSession extends CallerSession {
  /** Open this in a browser: the secret rides in the fragment, which never reaches the server. */
  url: string;
}

export interface WebHost {
  port: number;
  origin: string;
  sessions: WebHostSession[];
  close(): Promise<void>;
}

export interface RequestHandlerContext {
  dispatcher: Dispatcher;
  bus: EventBus;
  sessions: readonly CallerSession[];
  rendererRoot: string;
  /** The port the Host header must name (DNS-rebinding guard). */
  port: () => number;
  maxBodyBytes: number;
  log: (line: string) => void;
  onScriptSent?: () => void;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(text);
}

/** Refusals carry an envelope too, so a client can show the same kind of message as for any failure. */
function refuse(res: ServerResponse, status: number, kind: ErrorKind, message: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { ok: false, error: { kind, message } }, extra);
}

type BodyResult = { ok: true; text: string } | { ok: false; tooLarge: true } | { ok: false; tooLarge: false };

function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        settle({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => settle({ ok: false, tooLarge: false }));
    req.on('aborted', () => settle({ ok: false, tooLarge: false }));
  });
}

function sendTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  // Close the connection once the answer is out instead of reading the rest of the body.
  res.on('finish', () => req.socket.destroy());
  refuse(res, 413, 'validation', `The request is larger than ${Math.floor(limit / (1024 * 1024))} MiB; import large files by path instead.`, {
    Connection: 'close',
  });
}

/** POST with the caller's secret; otherwise refused here (405, 401) and null. */
function postingCaller(ctx: RequestHandlerContext, req: IncomingMessage, res: ServerResponse): Caller | null {
  if (req.method !== 'POST') {
    refuse(res, 405, 'validation', 'Commands are called with POST.', { Allow: 'POST' });
    return null;
  }
  const caller = callerForSecret(ctx.sessions, bearerSecret(req.headers.authorization));
  if (!caller) {
    refuse(res, 401, 'forbidden', 'This call did not carry the console’s secret. Open the console from the address the start command printed.');
    return null;
  }
  return caller;
}

/** The body as JSON (undefined when empty); otherwise refused here (413, 400, or the connection dropped) and null. */
async function jsonBody(ctx: RequestHandlerContext, req: IncomingMessage, res: ServerResponse): Promise<{ json: unknown } | null> {
  const body = await readBody(req, ctx.maxBodyBytes);
  if (!body.ok) {
    if (body.tooLarge) sendTooLarge(req, res, ctx.maxBodyBytes);
    else if (!res.headersSent) res.destroy();
    return null;
  }
  if (body.text.trim() === '') return { json: undefined };
  try {
    return { json: JSON.parse(body.text) as unknown };
  } catch {
    refuse(res, 400, 'validation', 'The request body is not valid JSON.');
    return null;
  }
}

async function handleInvoke(ctx: RequestHandlerContext, req: IncomingMessage, res: ServerResponse, command: string): Promise<void> {
  const caller = postingCaller(ctx, req, res);
  if (!caller) return;
  // Unknown names are refused before the body is read; the dispatcher would refuse them too.
  if (!isCommandName(command)) {
    refuse(res, 404, 'validation', `Unknown command ${JSON.stringify(command)}.`);
    return;
  }
  const body = await jsonBody(ctx, req, res);
  if (!body) return;
  const result = await ctx.dispatcher.dispatch(command, body.json, caller);
  sendJson(res, 200, result);
}

const batchSchema = z.object({
  calls: z.array(z.object({ name: z.string(), input: z.unknown() }).strict()).min(1).max(MAX_BATCH_CALLS),
}).strict();

/**
 * Several commands in one request, answered in one: `{ calls: [{ name, input }] }` →
 * `{ results: [envelope] }`, in order, each dispatched as its own call would be (its own role
 * check, validation and transaction), one after the other. A bad call fails alone.
 */
async function handleBatch(ctx: RequestHandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const caller = postingCaller(ctx, req, res);
  if (!caller) return;
  const body = await jsonBody(ctx, req, res);
  if (!body) return;
  const batch = batchSchema.safeParse(body.json);
  if (!batch.success) {
    refuse(res, 400, 'validation', `A batch is {"calls": [{"name", "input"}]} with 1 to ${MAX_BATCH_CALLS} calls.`);
    return;
  }
  const results: Result<unknown>[] = [];
  for (const call of batch.data.calls) {
    results.push(
      isCommandName(call.name)
        ? await ctx.dispatcher.dispatch(call.name, call.input, caller)
        : { ok: false, error: { kind: 'validation', message: `Unknown command ${JSON.stringify(call.name)}.` } },
    );
  }
  sendJson(res, 200, { results });
}

function handleEvents(ctx: RequestHandlerContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'GET') {
    refuse(res, 405, 'validation', 'Events are read with GET.', { Allow: 'GET' });
    return;
  }
  // EventSource cannot send headers, so the secret comes as a query parameter (never logged).
  const caller = callerForSecret(ctx.sessions, url.searchParams.get('secret'));
  if (!caller) {
    refuse(res, 401, 'forbidden', 'This event stream did not carry the console’s secret.');
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n: connected\n\n');
  const unsubscribe = ctx.bus.subscribe((event) => {
    res.write(`event: ${event.name}\ndata: ${JSON.stringify(event.payload)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': ping\n\n'), SSE_HEARTBEAT_MS);
  heartbeat.unref();
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.on('close', stop);
  res.on('close', stop);
}

function serveRenderer(ctx: RequestHandlerContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    refuse(res, 405, 'validation', 'Only GET and HEAD are served here.', { Allow: 'GET, HEAD' });
    return;
  }
  const indexFile = resolveRendererFile(ctx.rendererRoot, '/');
  let file = resolveRendererFile(ctx.rendererRoot, url.pathname);
  if (file === null) {
    refuse(res, 404, 'not_found', 'No such file.');
    return;
  }
  if (!isFile(file)) {
    // Paths without an extension are screens of the single-page app; missing assets are 404s.
    const lastSegment = url.pathname.split('/').pop() ?? '';
    if (lastSegment.includes('.')) {
      refuse(res, 404, 'not_found', 'No such file.');
      return;
    }
    file = indexFile;
  }
  if (file === null || !isFile(file)) {
    res.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end('The console’s screens are not built yet. Start it with `npm start`, which builds them.\n');
    return;
  }
  const isHtml = file.endsWith('.html');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': contentTypeOf(file),
    'Content-Length': statSync(file).size,
    // Built assets carry a content hash in their names; the page itself must always be fresh.
    'Cache-Control': isHtml ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (file.endsWith('.js') && ctx.onScriptSent) res.once('finish', ctx.onScriptSent);
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}

function once(callback: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    callback();
  };
}

/** The whole HTTP surface, separate from the listening socket so it can be tested on any listener. */
export function createRequestHandler(context: RequestHandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const ctx: RequestHandlerContext = { ...context, onScriptSent: context.onScriptSent && once(context.onScriptSent) };
  return (req, res) => {
    void (async () => {
      try {
        if (!isLoopbackAddress(req.socket.remoteAddress)) {
          refuse(res, 403, 'forbidden', 'The console answers only to programs on this computer.');
          req.socket.destroySoon?.();
          return;
        }
        if (!isLoopbackHost(req.headers.host, ctx.port())) {
          refuse(res, 403, 'forbidden', 'This request was addressed to another host name; open the console at 127.0.0.1.');
          return;
        }
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const invoke = /^\/api\/invoke\/([^/]+)$/.exec(url.pathname);
        if (invoke?.[1] !== undefined) {
          let command: string;
          try {
            command = decodeURIComponent(invoke[1]);
          } catch {
            command = invoke[1];
          }
          await handleInvoke(ctx, req, res, command);
        } else if (url.pathname === WEB_BATCH_PATH) {
          await handleBatch(ctx, req, res);
        } else if (url.pathname === '/api/events') {
          handleEvents(ctx, req, res, url);
        } else if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
          refuse(res, 404, 'not_found', 'No such API route.');
        } else {
          serveRenderer(ctx, req, res, url);
        }
      } catch (error) {
        ctx.log(`web host: request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (!res.headersSent) refuse(res, 500, 'internal', 'Something went wrong in the console; the details are in its log.');
        else res.destroy();
      }
    })();
  };
}

/** Serve the dispatcher and the built renderer on 127.0.0.1. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const sessions = issueSecrets(options.callers);
  let boundPort = options.port ?? 0;
  const log = options.log ?? ((line: string) => console.log(line));
  const handler = createRequestHandler({
    dispatcher: options.dispatcher,
    bus: options.bus,
    sessions,
    rendererRoot: options.rendererRoot,
    port: () => boundPort,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log,
    onScriptSent: options.onScriptSent,
  });
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`Port ${boundPort} on ${BIND_ADDRESS} is already in use. Choose another with --port N (or --port 0 for any free port).`));
      } else reject(error);
    };
    server.once('error', onError);
    server.listen(boundPort, BIND_ADDRESS, () => {
      server.off('error', onError);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const origin = `http://${BIND_ADDRESS}:${boundPort}`;
  return {
    port: boundPort,
    origin,
    sessions: sessions.map((session) => ({ ...session, url: `${origin}/#secret=${session.secret}` })),
    close: () =>
      new Promise<void>((resolve) => {
        // Event streams never end on their own: close every connection, then the listener.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
