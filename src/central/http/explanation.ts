import type { FastifyInstance, FastifyRequest } from 'fastify';
import { usageExplanationParamsSchema, usageExplanationQuerySchema, type CentralRole } from '../../shared/sync';
import { maySee, type Principal } from '../auth';
import type { Queryable } from '../store';
import { explainStoredEvent } from '../usage';
import { HttpFailure, parseOrFail } from './failure';

/**
 * `GET /v1/usage/events/:eventId/explanation?environmentId=`: why the service charged or refused
 * one event it decided (usage/explain.ts says what it costs). People only: the explorer is a
 * support tool. An event of an environment the token may not see is answered exactly as one
 * the service never stored (404).
 */
export function registerExplanationRoute(
  app: FastifyInstance,
  deps: { db: Queryable; authenticate: (request: FastifyRequest, roles: readonly CentralRole[]) => Promise<Principal>; roles: readonly CentralRole[] },
): void {
  app.get('/v1/usage/events/:eventId/explanation', async (request) => {
    const principal = await deps.authenticate(request, deps.roles);
    const { eventId } = parseOrFail(usageExplanationParamsSchema, request.params, 'path');
    const { environmentId } = parseOrFail(usageExplanationQuerySchema, request.query, 'query');
    const notFound = new HttpFailure(404, 'not_found', `no usage event ${eventId} in environment ${environmentId}`);
    if (!maySee(principal, environmentId)) throw notFound;
    const explanation = await explainStoredEvent(deps.db, environmentId, eventId);
    if (explanation === null) throw notFound;
    return explanation;
  });
}
