import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NOTIFICATION_STATUSES, idSchema } from '../../shared/api';
import { parseInstant } from '../../shared/engine';
import {
  CENTRAL_ROLES,
  centralRoleSchema,
  planParamsSchema,
  planStateQuerySchema,
  pullQuerySchema,
  pushRequestSchema,
  usageBatchRequestSchema,
  usageEventRequestSchema,
  type CentralRole,
  type UsageEventRequest,
} from '../../shared/sync';
import { TokenVerifier, createToken, maySee, type Principal } from '../auth';
import { getNotification, listNotifications, requeueNotification } from '../mail';
import { HISTORY_COLUMNS, PLAN_COLUMNS, historyRecord, planRecord, type HistoryRow, type PlanRow } from '../records';
import type { Database } from '../store';
import { pullChangesBody, pushChanges } from '../sync';
import { UsageCoalescer, authorizeUsage, planStateAt, type UsageEventInput } from '../usage';
import { HttpFailure, issuePath, parseOrFail } from './failure';

export interface AppDependencies {
  db: Database;
  clock: () => number;
  maxClockSkewMs: number;
  /** Usage transactions run at once on PostgreSQL; more requests wait and are grouped. */
  usageTransactions: number;
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
    bodyLimit: 16 * 1024 * 1024,
    // Request ids come from the service, never from a client header.
    genReqId: (() => {
      let n = 0;
      return () => `req-${(n += 1).toString(36)}`;
    })(),
  });
  const tokens = new TokenVerifier(db);
  const usage = new UsageCoalescer(
    (events) => authorizeUsage(db, events, { nowMs: clock(), maxClockSkewMs: deps.maxClockSkewMs }),
    db.kind === 'embedded' ? 1 : deps.usageTransactions,
  );

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpFailure) {
      if (error.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
      return reply.code(error.statusCode).send(error.body());
    }
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status === 413) return reply.code(413).send({ error: { kind: 'too_large', message: 'the request body is too large' } });
    if (status >= 400 && status < 500) {
      // Fastify's own request errors (bad JSON, wrong content type) carry safe, clear messages.
      const message = error instanceof Error ? error.message : 'bad request';
      return reply.code(status).send({ error: { kind: 'validation', message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { kind: 'internal', message: 'internal error; the service log has the details' } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { kind: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  async function authenticate(request: FastifyRequest, roles: readonly CentralRole[]): Promise<Principal> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new HttpFailure(401, 'unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
    const principal = await tokens.verify(match[1]!, clock());
    if (!principal) throw new HttpFailure(401, 'unauthorized', 'the bearer token is not valid or was revoked');
    if (!roles.includes(principal.role)) {
      throw new HttpFailure(403, 'forbidden', `the role ${principal.role} may not do this (allowed: ${roles.join(', ')})`);
    }
    return principal;
  }

  function requireEnvironment(principal: Principal, environmentId: string): void {
    if (!maySee(principal, environmentId)) {
      throw new HttpFailure(403, 'forbidden', `this token may not see environment ${environmentId}`);
    }
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
    const badTimes = body.changes.flatMap((change, i) =>
      parseInstant(change.at) === null ? [{ path: issuePath(['changes', i, 'at']), message: 'is not a valid instant' }] : [],
    );
    if (badTimes.length > 0) throw new HttpFailure(400, 'validation', `invalid request body: ${badTimes[0]!.path}: is not a valid instant`, { issues: badTimes });
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
    // The body comes as JSON text (usage items written by PostgreSQL): sent as it is.
    const body = await pullChangesBody(db, { principal, cursor: query.cursor, limit: query.limit, count: query.count, nowMs: clock() });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  async function decide(principal: Principal, events: UsageEventRequest[]) {
    const issues: { path: string; message: string }[] = [];
    const inputs: UsageEventInput[] = events.map((event, i) => {
      const occurredMs = parseInstant(event.occurredAt);
      if (occurredMs === null) issues.push({ path: issuePath(['events', i, 'occurredAt']), message: 'is not a valid instant' });
      return { id: event.id, spaceId: event.spaceId, channel: event.channel, direction: event.direction, credits: event.credits, occurredMs: occurredMs ?? 0 };
    });
    if (issues.length > 0) throw new HttpFailure(400, 'validation', `invalid request body: ${issues[0]!.path}: is not a valid instant`, { issues });
    if (principal.environments !== null) {
      const spaceIds = [...new Set(inputs.map((e) => e.spaceId))];
      const known = await db.query<{ id: string; environment_id: string }>(
        'SELECT id, environment_id FROM spaces WHERE id = ANY($1::text[])',
        [spaceIds],
      );
      const environmentOf = new Map(known.rows.map((r) => [r.id, r.environment_id]));
      for (const spaceId of spaceIds) {
        const environmentId = environmentOf.get(spaceId);
        if (environmentId === undefined) throw new HttpFailure(403, 'forbidden', `space ${spaceId} is not in an environment this token may see`);
        requireEnvironment(principal, environmentId);
      }
    }
    return usage.submit(inputs);
  }

  app.post('/v1/usage', async (request) => {
    const principal = await authenticate(request, USAGE_SENDERS);
    const event = parseOrFail(usageEventRequestSchema, request.body, 'body');
    const [decision] = await decide(principal, [event]);
    return decision;
  });

  app.post('/v1/usage/batch', async (request) => {
    const principal = await authenticate(request, USAGE_SENDERS);
    const body = parseOrFail(usageBatchRequestSchema, request.body, 'body');
    return { decisions: await decide(principal, body.events) };
  });

  app.get('/v1/plans/:planId', async (request) => {
    const principal = await authenticate(request, PEOPLE);
    const { planId } = parseOrFail(planParamsSchema, request.params, 'path');
    const plan = await db.query<PlanRow>(`SELECT ${PLAN_COLUMNS} FROM plans WHERE id = $1`, [planId]);
    const row = plan.rows[0];
    if (!row) throw new HttpFailure(404, 'not_found', `no plan ${planId}`);
    requireEnvironment(principal, row.environment_id);
    const history = await db.query<HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM plan_versions WHERE plan_id = $1 ORDER BY version`, [planId]);
    return { plan: planRecord(row, clock()), history: history.rows.map(historyRecord) };
  });

  app.get('/v1/plans/:planId/state', async (request) => {
    const principal = await authenticate(request, EVERYONE);
    const { planId } = parseOrFail(planParamsSchema, request.params, 'path');
    const query = parseOrFail(planStateQuerySchema, request.query, 'query');
    const atMs = query.at === undefined ? clock() : parseInstant(query.at);
    if (atMs === null) throw new HttpFailure(400, 'validation', 'invalid request query: at: is not a valid instant', { issues: [{ path: 'at', message: 'is not a valid instant' }] });
    const found = await planStateAt(db, planId, atMs);
    if (!found) throw new HttpFailure(404, 'not_found', `no plan ${planId}`);
    requireEnvironment(principal, found.environmentId);
    return found.record;
  });

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
    const found = await getNotification(db, id);
    if (!found) throw new HttpFailure(404, 'not_found', `no notification ${id}`);
    requireEnvironment(principal, found.environmentId);
    return found;
  });

  app.post('/v1/notifications/:id/retry', async (request) => {
    const principal = await authenticate(request, ADMIN);
    const { id } = parseOrFail(notificationParams, request.params, 'path');
    const found = await getNotification(db, id);
    if (!found) throw new HttpFailure(404, 'not_found', `no notification ${id}`);
    requireEnvironment(principal, found.environmentId);
    const requeued = await requeueNotification(db, id, clock());
    deps.onMailQueued();
    return requeued;
  });

  const newTokenSchema = z
    .object({
      name: z.string().min(1).max(200),
      role: centralRoleSchema,
      environments: z.array(idSchema).min(1).nullable(),
    })
    .strict();

  app.post('/v1/tokens', async (request, reply) => {
    const principal = await authenticate(request, ADMIN);
    const body = parseOrFail(newTokenSchema, request.body, 'body');
    if (principal.environments !== null) {
      if (body.environments === null) throw new HttpFailure(403, 'forbidden', 'a token limited to some environments cannot create one for every environment');
      for (const environmentId of body.environments) requireEnvironment(principal, environmentId);
    }
    const created = await createToken(db, body, clock());
    return reply.code(201).send({ id: created.id, token: created.secret, name: body.name, role: body.role, environments: body.environments });
  });

  return app;
}
