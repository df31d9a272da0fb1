import type { z } from 'zod';
import {
  centralErrorSchema,
  centralUsageExplanationSchema,
  type CentralUsageExplanation,
  pullResponseSchema,
  pushResponseSchema,
  type Change,
  type PullResponse,
  type PushResponse,
} from '../../shared/sync';

/**
 * The two calls of the sync protocol over HTTP. Every answer is checked against the wire
 * schema; anything else — no answer, a timeout, a 5xx, a body that does not parse — is an
 * `unreachable` failure the client retries later. A 4xx is the central service saying no.
 */
export class CentralFailure extends Error {
  constructor(
    readonly kind: 'unreachable' | 'unauthorized' | 'refused' | 'not_found' | 'change_id_reused',
    message: string,
    readonly changeIds: string[] = [],
  ) {
    super(message);
  }
}

export interface CentralEndpoint {
  url: string;
  token: string;
  timeoutMs: number;
}

async function call<T>(endpoint: CentralEndpoint, path: string, init: { method: 'GET' | 'POST'; body?: unknown }, schema: z.ZodType<T>): Promise<T> {
  const base = endpoint.url.replace(/\/+$/, '');
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}${path}`, {
      method: init.method,
      headers: {
        authorization: `Bearer ${endpoint.token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new CentralFailure('unreachable', `The central service did not answer (${reason}).`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CentralFailure('unreachable', `The central service answered ${response.status} with something that is not JSON.`);
  }
  if (response.ok) {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new CentralFailure('unreachable', `The central service's answer to ${path} does not match the sync protocol.`);
    return parsed.data;
  }
  const error = centralErrorSchema.safeParse(body);
  const message = error.success ? error.data.error.message : `HTTP ${response.status}`;
  if (response.status >= 500 || response.status === 429) throw new CentralFailure('unreachable', `The central service is unavailable: ${message}`);
  if (response.status === 401 || response.status === 403) throw new CentralFailure('unauthorized', `The central service refused the token: ${message}`);
  if (response.status === 409 && error.success && error.data.error.kind === 'change_id_reused') {
    throw new CentralFailure('change_id_reused', message, error.data.error.changeIds ?? []);
  }
  if (response.status === 404) throw new CentralFailure('not_found', `The central service refused the request: ${message}`);
  throw new CentralFailure('refused', `The central service refused the request: ${message}`);
}

export function pushChanges(endpoint: CentralEndpoint, changes: Change[]): Promise<PushResponse> {
  return call(endpoint, '/v1/sync/push', { method: 'POST', body: { changes } }, pushResponseSchema);
}

/**
 * `count`: ask how much is left after this page too (for a large pull's progress); `credits`: this
 * console reads add-on credits (`credit` items, "Credits Added" e-mails); `labels`: the usage per
 * identity and campaign too (`usageLabelSlot` items), which this console keeps.
 */
export function pullChanges(
  endpoint: CentralEndpoint,
  cursor: string,
  limit: number,
  asks: { count?: boolean; credits?: boolean; labels?: boolean } = {},
): Promise<PullResponse> {
  const query =
    `cursor=${encodeURIComponent(cursor)}&limit=${limit}` +
    `${asks.count === true ? '&count=1' : ''}${asks.credits === true ? '&credits=1' : ''}${asks.labels === true ? '&labels=1' : ''}`;
  return call(endpoint, `/v1/sync/pull?${query}`, { method: 'GET' }, pullResponseSchema);
}

/**
 * Why the central service charged or refused one event it decided (the event explorer, for
 * events this console only knows as 15-minute totals); null when the central service has no
 * such event in that environment (or will not say: another environment's is answered alike).
 */
export async function explainCentralEvent(endpoint: CentralEndpoint, environmentId: string, eventId: string): Promise<CentralUsageExplanation | null> {
  const path = `/v1/usage/events/${encodeURIComponent(eventId)}/explanation?environmentId=${encodeURIComponent(environmentId)}`;
  try {
    return await call(endpoint, path, { method: 'GET' }, centralUsageExplanationSchema);
  } catch (error) {
    if (error instanceof CentralFailure && error.kind === 'not_found') return null;
    throw error;
  }
}
