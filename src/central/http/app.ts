import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NOTIFICATION_STATUSES, idSchema, instantSchema } from '../../shared/api';
import { parseInstant } from '../../shared/engine';
import {
  CENTRAL_ROLES,
  centralRoleSchema,
  planParamsSchema,
  planStateQuerySchema,
  pullQuerySchema,
  pushRequestSchema,
  parseCursor,
  type CentralRole,
} from '../../shared/sync';
import { FailedAuthLimiter, TokenVerifier, createToken, maySee, revokeToken, tokenInfo, type Principal } from '../auth';
import { getNotification, listNotifications, requeueNotification } from '../mail';
import { HISTORY_COLUMNS, PLAN_COLUMNS, PLAN_CREDIT_COLUMNS, historyRecord, planCreditRecord, planRecord, type HistoryRow, type PlanCreditRow, type PlanRow } from '../records';
import type { Database } from '../store';
import { pullChangesBody, pushChanges } from '../sync';
import {
  INSTANT_RANGE_MESSAGE,
  NUL_MESSAGE,
  UsageCoalescer,
  UsageFastPath,
  UsageIdReused,
  UsageSumTooLarge,
  authorizeUsage,
  instantInRange,
  planStateAt,
  readUsageBatch,
  readUsageEvent,
  type Parsed,
  type UsageEventInput,
} from '../usage';
import { decisionsJson } from './decisions-json';
import { registerExplanationRoute } from './explanation';
import { HttpFailure, issuePath, parseOrFail } from './failure';

export interface AppDependencies {
  db: Database;
  clock: () => number;
  maxClockSkewMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  authFailuresPerMinute: number;
  requestLog: boolean;
  /** Usage transactions run at once on PostgreSQL; more requests wait and are grouped. */
  usageTransactions: number;
  /** Of those, the groups that run whatever their size (config.ts). */
  usageSmallGroups: number;
  /** Told when e-mails were enqueued, so they go out without waiting for the next poll. */
  onMailQueued: () => void;
  logLevel: string;
}

const PEOPLE: readonly CentralRole[] = ['admin', 'account_manager', 'support'];
const EVERYONE: readonly CentralRole[] = CENTRAL_ROLES;
const USAGE_SENDERS: readonly CentralRole[] = ['admin', 'platform'];
const ADMIN: readonly CentralRole[] = ['admin'];

export function buildApp(deps: AppDependencies): FastifyInstance {
  const { db, clock } = deps;
  const app = Fastify({
    logger: { level: deps.logLevel },
    logController: new LogController({ disableRequestLogging: !deps.requestLog }),
    bodyLimit: 16 * 1024 * 1024,
    // A client that sends its request slowly (or never finishes it) is cut off, and idle
    // keep-alive connections are closed, so connections cannot be held open for nothing.
    requestTimeout: deps.requestTimeoutMs,
    connectionTimeout: deps.requestTimeoutMs * 2,
    keepAliveTimeout: deps.keepAliveTimeoutMs,
    // Node checks the request timeout on this interval (30 s by default, longer than the timeout).
    http: { connectionsCheckingInterval: Math.min(1_000, deps.requestTimeoutMs) },
    // Request ids come from the service, never from a client header.
    genReqId: (() => {
      let n = 0;
      return () => `req-${(n += 1).toString(36)}`;
    })(),
  });
  const tokens = new TokenVerifier(db);
  const failedAuth = new FailedAuthLimiter(deps.authFailuresPerMinute, 60_000);
  /** Spaces never move to another environment, so what is learnt once stays true. */
  const spaceEnvironments = new Map<string, string>();
  // Each group: the fast path's one statement, or, when its guard refuses, the engine's path.
  const fast = new UsageFastPath(db);
  const usage = new UsageCoalescer(
    async (events) => {
      const options = { nowMs: clock(), maxClockSkewMs: deps.maxClockSkewMs };
      const outcome = await fast.decide(events, options);
      return 'decisions' in outcome ? outcome.decisions : authorizeUsage(db, events, options);
    },
    // PGlite runs one transaction at a time anyway.
    db.kind === 'embedded'
      ? { smallGroups: 1, maxGroups: 1, startNextAtOnce: false }
      : { smallGroups: deps.usageSmallGroups, maxGroups: deps.usageTransactions },
  );

  // How the usage groups went, for the operator (and the benchmark): a service whose groups
  // mostly go the engine's way is slower, and this says why (usage/fast.ts's reasons).
  app.addHook('onClose', async () => {
    app.log.info({ usageGroups: { ...fast.counts, groups: usage.groups, events: usage.events } }, 'usage groups decided');
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof UsageIdReused) {
      return reply.code(409).send({ error: { kind: 'usage_id_reused', message: error.message, usageIds: error.ids } });
    }
    if (error instanceof UsageSumTooLarge) return reply.code(422).send({ error: { kind: 'limit_exceeded', message: error.message } });
    if (error instanceof HttpFailure) {
      if (error.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
      void reply.headers(error.headers);
      return reply.code(error.statusCode).send(error.body());
    }
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status === 413) return reply.code(413).header('connection', 'close').send({ error: { kind: 'too_large', message: 'the request body is too large' } });
    if (status >= 400 && status < 500) {
      // Fastify's own request errors (bad JSON, wrong content type) carry safe, clear messages.
      // The body may be unread (a wrong content type): the connection is closed after the answer,
      // so that a client cannot keep it open by never sending the rest.
      void reply.header('connection', 'close');
      const message = error instanceof Error ? error.message : 'bad request';
      return reply.code(status).send({ error: { kind: 'validation', message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { kind: 'internal', message: 'internal error; the service log has the details' } });
  });

  // An answer given before the body was read whole (a wrong content type, a refusal): the
  // connection is closed, so that a client cannot keep it open by never sending the rest.
  app.addHook('onResponse', async (request) => {
    if (!request.raw.complete) request.raw.socket?.destroy();
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { kind: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  async function authenticate(request: FastifyRequest, roles: readonly CentralRole[]): Promise<Principal> {
    const nowMs = clock();
    const waitMs = failedAuth.blockedFor(request.ip, nowMs);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new HttpFailure(429, 'rate_limited', `too many failed authentications from this address; try again in ${seconds} s`, {}, { 'retry-after': String(seconds) });
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      failedAuth.fail(request.ip, nowMs);
      throw new HttpFailure(401, 'unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
    }
    const principal = await tokens.verify(match[1]!, nowMs);
    if (!principal) {
      failedAuth.fail(request.ip, nowMs);
      throw new HttpFailure(401, 'unauthorized', 'the bearer token is not valid, has expired or was revoked');
    }
    if (!roles.includes(principal.role)) {
      throw new HttpFailure(403, 'forbidden', `the role ${principal.role} may not do this (allowed: ${roles.join(', ')})`);
    }
    return principal;
  }

  /** Another environment's record is answered exactly as one that does not exist. */
  function visibleOr404<T extends { environmentId: string } | { environment_id: string }>(principal: Principal, found: T | null | undefined, notFound: string): T {
    const environmentId = found ? ('environmentId' in found ? found.environmentId : found.environment_id) : undefined;
    if (!found || environmentId === undefined || !maySee(principal, environmentId)) throw new HttpFailure(404, 'not_found', notFound);
    return found;
  }

  // PostgreSQL cannot store U+0000 in text: refuse such ids and names up front, with their path,
  // instead of failing in the database. (Usage events are checked by their own reader.)
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.url === '/v1/usage' || request.routeOptions.url === '/v1/usage/batch') return;
    for (const [where, value] of [['path', request.params], ['query', request.query], ['body', request.body]] as const) {
      const path = nulPath(value, []);
      if (path) {
        const at = issuePath(path);
        throw new HttpFailure(400, 'validation', `invalid request ${where}: ${at ? `${at}: ` : ''}${NUL_MESSAGE}`, { issues: [{ path: at, message: NUL_MESSAGE }] });
      }
    }
  });

  function instantOrFail(text: string, path: string, where: 'body' | 'query'): number {
    const ms = parseInstant(text);
    const message = ms === null ? 'is not a valid instant' : !instantInRange(ms) ? INSTANT_RANGE_MESSAGE : null;
    if (message !== null) throw new HttpFailure(400, 'validation', `invalid request ${where}: ${path}: ${message}`, { issues: [{ path, message }] });
    return ms!;
  }

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    try {
      await db.query('SELECT 1');
      return { status: 'ready', database: db.kind };
    } catch {
      return reply.code(503).send({ error: { kind: 'unavailable', message: 'the database is not reachable' } });
    }
  });

  app.get('/v1/session', async (request) => authenticate(request, EVERYONE));

  app.post('/v1/sync/push', async (request, reply) => {
    const principal = await authenticate(request, ADMIN);
    const body = parseOrFail(pushRequestSchema, request.body, 'body');
    body.changes.forEach((change, i) => instantOrFail(change.at, issuePath(['changes', i, 'at']), 'body'));
    const outcome = await pushChanges({ db, principal, nowMs: clock() }, body.changes);
    if (outcome.kind === 'forbidden') throw new HttpFailure(403, 'forbidden', outcome.message);
    if (outcome.kind === 'id_reused') {
      return reply.code(409).send({
        error: {
          kind: 'change_id_reused',
          message: `change ids already used for a different change: ${outcome.changeIds.join(', ')}; nothing in this push was applied`,
          changeIds: outcome.changeIds,
        },
      });
    }
    if (outcome.results.some((r) => r.status === 'applied' && r.plan !== null)) deps.onMailQueued();
    return { results: outcome.results };
  });

  app.get('/v1/sync/pull', async (request, reply) => {
    const principal = await authenticate(request, PEOPLE);
    const query = parseOrFail(pullQuerySchema, request.query, 'query');
    const cursor = parseCursor(query.cursor);
    // A feed position is a transaction id (xid8, 64 bits) and a bigint sequence.
    if (!cursor || cursor.tx > 0xffff_ffff_ffff_ffffn || cursor.seq > 0x7fff_ffff_ffff_ffffn) {
      throw new HttpFailure(400, 'validation', 'invalid request query: cursor: is not a cursor this service handed out', {
        issues: [{ path: 'cursor', message: 'is not a cursor this service handed out' }],
      });
    }
    // The body comes as JSON text (usage items written by PostgreSQL): sent as it is.
    const body = await pullChangesBody(db, { principal, cursor: query.cursor, limit: query.limit, count: query.count, credits: query.credits, labels: query.labels, nowMs: clock() });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  function usageOrFail<T>(parsed: Parsed<T>): T {
    if (parsed.ok) return parsed.value;
    const issues = parsed.error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message }));
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new HttpFailure(400, 'validation', `invalid request body: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`, { issues });
  }

  async function decide(principal: Principal, inputs: UsageEventInput[]) {
    if (principal.environments !== null) {
      const unknown = [...new Set(inputs.map((e) => e.spaceId))].filter((id) => !spaceEnvironments.has(id));
      if (unknown.length > 0) {
        const known = await db.query<{ id: string; environment_id: string }>('SELECT id, environment_id FROM spaces WHERE id = ANY($1::text[])', [unknown]);
        for (const row of known.rows) spaceEnvironments.set(row.id, row.environment_id);
      }
      for (const event of inputs) {
        const environmentId = spaceEnvironments.get(event.spaceId);
        if (environmentId === undefined || !maySee(principal, environmentId)) {
          throw new HttpFailure(403, 'forbidden', `space ${event.spaceId} is not in an environment this token may see`);
        }
      }
    }
    return usage.submit(inputs);
  }

  app.post('/v1/usage', async (request) => {
    const principal = await authenticate(request, USAGE_SENDERS);
    const [decision] = await decide(principal, [usageOrFail(readUsageEvent(request.body))]);
    return decision;
  });

  app.post('/v1/usage/batch', async (request, reply) => {
    const principal = await authenticate(request, USAGE_SENDERS);
    const decisions = await decide(principal, usageOrFail(readUsageBatch(request.body)));
    return reply.type('application/json; charset=utf-8').send(decisionsJson(decisions));
  });

  app.get('/v1/plans/:planId', async (request) => {
    const principal = await authenticate(request, PEOPLE);
    const { planId } = parseOrFail(planParamsSchema, request.params, 'path');
    const plan = await db.query<PlanRow>(`SELECT ${PLAN_COLUMNS} FROM plans WHERE id = $1`, [planId]);
    const row = visibleOr404(principal, plan.rows[0], `no plan ${planId}`);
    const history = await db.query<HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM plan_versions WHERE plan_id = $1 ORDER BY version`, [planId]);
    // Its add-on credits too (top-ups, charge-nows), in the order they were applied: support staff
    // auditing a plan on the central service see what it was given beside its versions.
    const credits = await db.query<PlanCreditRow>(`SELECT ${PLAN_CREDIT_COLUMNS} FROM plan_credits WHERE plan_id = $1 ORDER BY ord`, [planId]);
    return { plan: planRecord(row, clock()), history: history.rows.map(historyRecord), credits: credits.rows.map(planCreditRecord) };
  });

  app.get('/v1/plans/:planId/state', async (request) => {
    const principal = await authenticate(request, EVERYONE);
    const { planId } = parseOrFail(planParamsSchema, request.params, 'path');
    const query = parseOrFail(planStateQuerySchema, request.query, 'query');
    const atMs = query.at === undefined ? clock() : instantOrFail(query.at, 'at', 'query');
    return visibleOr404(principal, await planStateAt(db, planId, atMs), `no plan ${planId}`).record;
  });

  registerExplanationRoute(app, { db, authenticate, roles: PEOPLE });

  const notificationListQuery = z
    .object({
      planId: idSchema.optional(),
      status: z.enum(NOTIFICATION_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    })
    .strict();
  const notificationParams = z.object({ id: idSchema }).strict();

  app.get('/v1/notifications', async (request) => {
    const principal = await authenticate(request, PEOPLE);
    const query = parseOrFail(notificationListQuery, request.query, 'query');
    const items = await listNotifications(db, { ...query, environments: principal.environments });
    return { notifications: items };
  });

  app.get('/v1/notifications/:id', async (request) => {
    const principal = await authenticate(request, PEOPLE);
    const { id } = parseOrFail(notificationParams, request.params, 'path');
    return visibleOr404(principal, await getNotification(db, id), `no notification ${id}`);
  });

  app.post('/v1/notifications/:id/retry', async (request) => {
    const principal = await authenticate(request, ADMIN);
    const { id } = parseOrFail(notificationParams, request.params, 'path');
    visibleOr404(principal, await getNotification(db, id), `no notification ${id}`);
    const requeued = await requeueNotification(db, id, clock());
    deps.onMailQueued();
    return requeued;
  });

  const newTokenSchema = z
    .object({
      name: z.string().min(1).max(200),
      role: centralRoleSchema,
      environments: z.array(idSchema).min(1).nullable(),
      /** When the token stops working (ISO instant); absent: never. */
      expiresAt: instantSchema.optional(),
    })
    .strict();
  const tokenParams = z.object({ id: idSchema }).strict();

  app.post('/v1/tokens', async (request, reply) => {
    const principal = await authenticate(request, ADMIN);
    const body = parseOrFail(newTokenSchema, request.body, 'body');
    if (principal.environments !== null) {
      if (body.environments === null) throw new HttpFailure(403, 'forbidden', 'a token limited to some environments cannot create one for every environment');
      for (const environmentId of body.environments) {
        if (!maySee(principal, environmentId)) throw new HttpFailure(403, 'forbidden', `this token may not see environment ${environmentId}`);
      }
    }
    const nowMs = clock();
    const expiresMs = body.expiresAt === undefined ? null : instantOrFail(body.expiresAt, 'expiresAt', 'body');
    if (expiresMs !== null && expiresMs <= nowMs) {
      throw new HttpFailure(400, 'validation', 'invalid request body: expiresAt: must be in the future', { issues: [{ path: 'expiresAt', message: 'must be in the future' }] });
    }
    const created = await createToken(db, { name: body.name, role: body.role, environments: body.environments, expiresMs }, nowMs);
    return reply.code(201).send({
      id: created.id,
      token: created.secret,
      name: body.name,
      role: body.role,
      environments: body.environments,
      expiresAt: expiresMs === null ? null : new Date(expiresMs).toISOString(),
    });
  });

  // Revoking: an admin may revoke the tokens whose environments are all within its own (others
  // are answered as unknown). Takes effect at once here, within 2 s on other instances.
  app.delete('/v1/tokens/:id', async (request, reply) => {
    const principal = await authenticate(request, ADMIN);
    const { id } = parseOrFail(tokenParams, request.params, 'path');
    const found = await tokenInfo(db, id);
    const mine =
      found !== null &&
      (principal.environments === null || (found.environments !== null && found.environments.every((e) => maySee(principal, e))));
    if (!found || !mine) throw new HttpFailure(404, 'not_found', `no token ${id}`);
    const revoked = await revokeToken(db, id, clock());
    tokens.forget(id);
    return reply.code(200).send({ id, revoked: true, alreadyRevoked: !revoked });
  });

  return app;
}

/** The path of the first text holding U+0000 in a request part, or null. */
function nulPath(value: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = nulPath(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = nulPath(inner, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
