import { createReadStream, existsSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isCommandName, MAX_BATCH_CALLS, WEB_BATCH_PATH, type Caller, type Dispatcher, type ErrorKind, type Result } from '../../shared/api';
import { CONSOLE_CSP, contentTypeOf, resolveRendererFile, type EventBus } from '../host';
import { isLoopbackAddress, isLoopbackHost } from './loopback';
import { bearerSecret, callerForSecret, issueSecrets, type CallerSession } from './secrets';

export const BIND_ADDRESS = '127.0.0.1';
/** Large enough for a usage file sent as text from the browser; larger files go by path. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const SSE_HEARTBEAT_MS = 20_000;
/** A port held for a moment (a console that is still closing, a program probing it) is tried again. */
const BUSY_PORT_RETRIES = 4;
const BUSY_PORT_RETRY_MS = 250;

export interface WebHostOptions {
  dispatcher: Dispatcher;
  bus: EventBus;
  /** One secret is issued per caller; the secret a request carries decides who it acts as. */
  callers: readonly Caller[];
  /** The built renderer (out/renderer). */
  rendererRoot: string;
  /** 0 picks a free port. */
  port?: number;
  /** How often a port in use is tried again before giving up (default 4, a quarter second apart). */
  busyPortRetries?: number;
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

declare module 'fastify' {
  interface FastifyRequest {
    /** Who an API call acts as, from the secret it carried (set by the onRequest hook). */
    caller: Caller | null;
  }
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sendJson(reply: FastifyReply, status: number, body: unknown, extra: Record<string, string> = {}): FastifyReply {
  return reply
    .code(status)
    .headers({ ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...extra })
    .send(JSON.stringify(body));
}

/** Refusals carry an envelope too, so a client can show the same kind of message as for any failure. */
function refuse(reply: FastifyReply, status: number, kind: ErrorKind, message: string, extra: Record<string, string> = {}): FastifyReply {
  return sendJson(reply, status, { ok: false, error: { kind, message } }, extra);
}

const INVOKE_PATH = /^\/api\/invoke\/([^/]+)$/;
const EVENTS_PATH = '/api/events';

function pathOf(request: FastifyRequest): URL {
  return new URL(request.url, 'http://127.0.0.1');
}

function commandOf(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/**
 * Before anything is read: the peer must be on this computer, the Host header must name it
 * (DNS rebinding), and an API call must use its method and carry a secret, which decides its
 * caller; an unknown command is refused before its body is read.
 */
function checkRequest(ctx: RequestHandlerContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    request.caller = null;
    if (!isLoopbackAddress(request.raw.socket.remoteAddress)) {
      refuse(reply, 403, 'forbidden', 'The console answers only to programs on this computer.');
      request.raw.socket.destroySoon?.();
      return reply;
    }
    if (!isLoopbackHost(request.headers.host, ctx.port())) {
      return refuse(reply, 403, 'forbidden', 'This request was addressed to another host name; open the console at 127.0.0.1.');
    }
    const url = pathOf(request);
    const invoke = INVOKE_PATH.exec(url.pathname);
    if (invoke?.[1] !== undefined || url.pathname === WEB_BATCH_PATH) {
      if (request.method !== 'POST') return refuse(reply, 405, 'validation', 'Commands are called with POST.', { Allow: 'POST' });
      request.caller = callerForSecret(ctx.sessions, bearerSecret(request.headers.authorization));
      if (!request.caller) {
        return refuse(reply, 401, 'forbidden', 'This call did not carry the console’s secret. Open the console from the address the start command printed.');
      }
      const command = invoke?.[1] === undefined ? null : commandOf(invoke[1]);
      if (command !== null && !isCommandName(command)) return refuse(reply, 404, 'validation', `Unknown command ${JSON.stringify(command)}.`);
    } else if (url.pathname === EVENTS_PATH) {
      if (request.method !== 'GET') return refuse(reply, 405, 'validation', 'Events are read with GET.', { Allow: 'GET' });
      // EventSource cannot send headers, so the secret comes as a query parameter (never logged).
      request.caller = callerForSecret(ctx.sessions, url.searchParams.get('secret'));
      if (!request.caller) return refuse(reply, 401, 'forbidden', 'This event stream did not carry the console’s secret.');
    }
  };
}

/** The body as JSON (undefined when empty); otherwise refused here (400) and null. */
function jsonBody(request: FastifyRequest, reply: FastifyReply): { json: unknown } | null {
  const text = typeof request.body === 'string' ? request.body : '';
  if (text.trim() === '') return { json: undefined };
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    refuse(reply, 400, 'validation', 'The request body is not valid JSON.');
    return null;
  }
}

const batchSchema = z.object({
  calls: z.array(z.object({ name: z.string(), input: z.unknown() }).strict()).min(1).max(MAX_BATCH_CALLS),
}).strict();

/**
 * Several commands in one request, answered in one: `{ calls: [{ name, input }] }` →
 * `{ results: [envelope] }`, in order, each dispatched as its own call would be (its own role
 * check, validation and transaction), one after the other. A bad call fails alone.
 */
async function answerBatch(ctx: RequestHandlerContext, caller: Caller, json: unknown, reply: FastifyReply): Promise<FastifyReply> {
  const batch = batchSchema.safeParse(json);
  if (!batch.success) return refuse(reply, 400, 'validation', `A batch is {"calls": [{"name", "input"}]} with 1 to ${MAX_BATCH_CALLS} calls.`);
  const results: Result<unknown>[] = [];
  for (const call of batch.data.calls) {
    results.push(
      isCommandName(call.name)
        ? await ctx.dispatcher.dispatch(call.name, call.input, caller)
        : { ok: false, error: { kind: 'validation', message: `Unknown command ${JSON.stringify(call.name)}.` } },
    );
  }
  return sendJson(reply, 200, { results });
}

function streamEvents(ctx: RequestHandlerContext, request: FastifyRequest, reply: FastifyReply): void {
  // The stream outlives the request's lifecycle: fastify lets go of the response.
  reply.hijack();
  const res = reply.raw;
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
  request.raw.on('close', stop);
  res.on('close', stop);
}

/** The API: one command, a batch, the event stream; the onRequest hook has checked method and caller. */
async function answerApi(ctx: RequestHandlerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const url = pathOf(request);
  const caller = request.caller;
  if (url.pathname === EVENTS_PATH && caller) return streamEvents(ctx, request, reply);
  const invoke = INVOKE_PATH.exec(url.pathname);
  if ((invoke?.[1] !== undefined || url.pathname === WEB_BATCH_PATH) && caller) {
    const body = jsonBody(request, reply);
    if (!body) return reply;
    if (invoke?.[1] === undefined) return answerBatch(ctx, caller, body.json, reply);
    return sendJson(reply, 200, await ctx.dispatcher.dispatch(commandOf(invoke[1]), body.json, caller));
  }
  return refuse(reply, 404, 'not_found', 'No such API route.');
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}

/** The built renderer: files by path (favicon included), screens of the single-page app as index.html. */
function serveRenderer(ctx: RequestHandlerContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return refuse(reply, 405, 'validation', 'Only GET and HEAD are served here.', { Allow: 'GET, HEAD' });
  }
  const url = pathOf(request);
  const indexFile = resolveRendererFile(ctx.rendererRoot, '/');
  let file = resolveRendererFile(ctx.rendererRoot, url.pathname);
  if (file === null) return refuse(reply, 404, 'not_found', 'No such file.');
  if (!isFile(file)) {
    // Paths without an extension are screens of the single-page app; missing assets are 404s.
    const lastSegment = url.pathname.split('/').pop() ?? '';
    if (lastSegment.includes('.')) return refuse(reply, 404, 'not_found', 'No such file.');
    file = indexFile;
  }
  if (file === null || !isFile(file)) {
    return reply
      .code(503)
      .headers({ ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
      .send('The console’s screens are not built yet. Start it with `npm start`, which builds them.\n');
  }
  const isHtml = file.endsWith('.html');
  reply.code(200).headers({
    ...SECURITY_HEADERS,
    'Content-Type': contentTypeOf(file),
    'Content-Length': String(statSync(file).size),
    // Built assets carry a content hash in their names; the page itself must always be fresh.
    'Cache-Control': isHtml ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  if (request.method === 'HEAD') return reply.send();
  if (file.endsWith('.js') && ctx.onScriptSent) reply.raw.once('finish', ctx.onScriptSent);
  return reply.send(createReadStream(file));
}

function once(callback: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    callback();
  };
}

type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The whole HTTP surface on fastify: one onRequest hook (loopback peer, Host header, method and
 * secret of API calls) and two routes (the API under /api/, the built renderer for everything
 * else). Bodies are read as text up to the limit, whatever their content type, and parsed by
 * the route, so a bad one gets the console's own envelope.
 */
function buildApp(context: RequestHandlerContext): { app: FastifyInstance; server: http.Server; handler: () => RawHandler } {
  const ctx: RequestHandlerContext = { ...context, onScriptSent: context.onScriptSent && once(context.onScriptSent) };
  let route: RawHandler | null = null;
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.maxBodyBytes,
    // Paths of built files can be long; the default (100 characters) would answer 414.
    routerOptions: { maxParamLength: 4096 },
    // Event streams never end on their own: closing closes every connection.
    forceCloseConnections: true,
    serverFactory: (handler) => {
      route = handler;
      return http.createServer(handler);
    },
    // No route declares a fastify schema (bodies are checked by the contract's zod schemas), so
    // fastify's own compilers (ajv, fast-json-stringify) are never needed: naming these keeps
    // fastify from loading them at every start (~15 ms). A route given a schema fails loudly.
    schemaController: {
      compilersFactory: {
        buildValidator: () => () => {
          throw new Error('The web host checks bodies with the contract’s schemas, not fastify’s.');
        },
        buildSerializer: () => () => {
          throw new Error('The web host writes its answers itself, not with fastify’s serializers.');
        },
      },
    },
    frameworkErrors: (_error, _request, reply) => {
      refuse(reply, 400, 'validation', 'The request’s address is malformed.');
    },
  });
  app.decorateRequest('caller', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addHook('onRequest', checkRequest(ctx));
  app.all('/api/*', (request, reply) => answerApi(ctx, request, reply));
  app.all('/api', (_request, reply) => refuse(reply, 404, 'not_found', 'No such API route.'));
  app.all('/*', (request, reply) => serveRenderer(ctx, request, reply));
  app.setErrorHandler((error: { statusCode?: number; message?: string; stack?: string }, request, reply) => {
    if (error.statusCode === 413) {
      // Close the connection once the answer is out instead of reading the rest of the body.
      reply.raw.once('finish', () => request.raw.socket.destroy());
      return refuse(reply, 413, 'validation', `The request is larger than ${Math.floor(ctx.maxBodyBytes / (1024 * 1024))} MiB; import large files by path instead.`, {
        Connection: 'close',
      });
    }
    ctx.log(`web host: request failed: ${error.stack ?? error.message ?? String(error)}`);
    if (reply.raw.headersSent) {
      reply.raw.destroy();
      return reply;
    }
    return refuse(reply, 500, 'internal', 'Something went wrong in the console; the details are in its log.');
  });
  return {
    app,
    server: app.server,
    handler: () => {
      if (route === null) throw new Error('fastify did not hand over its request handler');
      return route;
    },
  };
}

/** The whole HTTP surface as a request handler, separate from the listening socket so it can be tested on any listener. */
export function createRequestHandler(context: RequestHandlerContext): RawHandler {
  const built = buildApp(context);
  const ready = built.app.ready().then(() => built.handler());
  return (req, res) => {
    void ready.then((handle) => handle(req, res));
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, BIND_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Serve the dispatcher and the built renderer on 127.0.0.1. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const sessions = issueSecrets(options.callers);
  const requested = options.port ?? 0;
  let boundPort = requested;
  const log = options.log ?? ((line: string) => console.log(line));
  const { app, server } = buildApp({
    dispatcher: options.dispatcher,
    bus: options.bus,
    sessions,
    rendererRoot: options.rendererRoot,
    port: () => boundPort,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log,
    onScriptSent: options.onScriptSent,
  });
  await app.ready();
  const retries = requested === 0 ? 0 : (options.busyPortRetries ?? BUSY_PORT_RETRIES);
  for (let attempt = 0; ; attempt += 1) {
    try {
      await listen(server, requested);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        await app.close();
        throw error;
      }
      if (attempt < retries) {
        await new Promise((resolve) => setTimeout(resolve, BUSY_PORT_RETRY_MS));
        continue;
      }
      await app.close();
      const waited = retries === 0 ? '' : ` (tried ${retries + 1} times over ${((retries * BUSY_PORT_RETRY_MS) / 1000).toFixed(1)} s)`;
      throw new Error(`Port ${requested} on ${BIND_ADDRESS} is already in use by another program${waited}. Choose another with --port N (or --port 0 for any free port).`);
    }
  }
  boundPort = (server.address() as AddressInfo).port;
  const origin = `http://${BIND_ADDRESS}:${boundPort}`;
  return {
    port: boundPort,
    origin,
    sessions: sessions.map((session) => ({ ...session, url: `${origin}/#secret=${session.secret}` })),
    close: async () => {
      // Event streams never end on their own: close every connection, then the listener.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}
