import { DIRECTIONS, isChannel, type BucketName, type Channel, type Direction, type PlanConfig, type PlanPatch } from '../domain';
import { applyDelete, applyEdit, createPlanState, snapshotAt, type EditResult, type PlanState, type UsageDecision } from './account';
import { isoSecond, parseInstant } from './calendar';
import { createAccount, recordUsageOnce } from './idempotency';
import { isPositiveCredits, parsePlanConfig, parsePlanPatch, type Issue, type Parsed } from './validation';

/**
 * Scenario files (SPEC §8): a plan, timed events and queries, run headless. Parsing reports
 * every problem with its place; running is deterministic, so the same file always gives the
 * same document.
 */

export type ScenarioEvent =
  | { atMs: number; kind: 'usage'; usage: { id: string; channel: Channel; credits: number; direction: Direction } }
  | { atMs: number; kind: 'edit'; patch: PlanPatch }
  | { atMs: number; kind: 'delete' };

export interface Scenario {
  plan: PlanConfig;
  events: ScenarioEvent[];
  queries: { atMs: number }[];
}

export interface ScenarioBucket {
  allocated: number;
  used: number;
  remaining: number;
  carriedIn: number;
  overage: { added: number; at: string | null };
}

export interface ScenarioQueryResult {
  at: string;
  deleted?: true;
  period: { index: number; start: string; end: string | null } | null;
  buckets: Partial<Record<BucketName, ScenarioBucket>>;
}

export interface ScenarioOutput {
  events: ({ index: number; accepted: true } | { index: number; accepted: false; reason: string })[];
  queries: ScenarioQueryResult[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseAt(value: unknown, path: string, issues: Issue[]): number | null {
  const ms = typeof value === 'string' ? parseInstant(value) : null;
  if (ms === null) issues.push({ path, message: 'must be an ISO-8601 instant with a zone, such as 2026-01-10T09:00:00Z' });
  return ms;
}

function parseUsage(value: unknown, path: string, issues: Issue[]): Extract<ScenarioEvent, { kind: 'usage' }>['usage'] | null {
  if (!isObject(value)) {
    issues.push({ path, message: 'must be an object with id, channel, credits and direction' });
    return null;
  }
  const before = issues.length;
  for (const key of Object.keys(value)) {
    if (!['id', 'channel', 'credits', 'direction', 'identity', 'campaign'].includes(key)) issues.push({ path: `${path}.${key}`, message: 'is not a known field' });
  }
  const { id, channel, credits = 1, direction = 'MT', identity, campaign } = value;
  // Who sent it and for which campaign (SPEC §1): shown in usage views, never part of a decision.
  if (identity !== undefined && (typeof identity !== 'string' || identity.length === 0)) issues.push({ path: `${path}.identity`, message: 'must be a non-empty string' });
  if (campaign !== undefined && (typeof campaign !== 'string' || campaign.length === 0)) issues.push({ path: `${path}.campaign`, message: 'must be a non-empty string' });
  if (typeof id !== 'string' || id.length === 0) issues.push({ path: `${path}.id`, message: 'must be a non-empty string' });
  if (!isChannel(channel)) issues.push({ path: `${path}.channel`, message: 'must be one of SMS, WhatsApp, Email, Push, RCS' });
  if (!isPositiveCredits(credits)) issues.push({ path: `${path}.credits`, message: 'must be a positive integer' });
  if (typeof direction !== 'string' || !(DIRECTIONS as readonly string[]).includes(direction)) {
    issues.push({ path: `${path}.direction`, message: 'must be MT or MO' });
  }
  if (issues.length > before) return null;
  return { id: id as string, channel: channel as Channel, credits: credits as number, direction: direction as Direction };
}

function parseEvent(value: unknown, path: string, issues: Issue[]): ScenarioEvent | null {
  if (!isObject(value)) {
    issues.push({ path, message: 'must be an object with "at" and one of usage, edit, delete' });
    return null;
  }
  const kinds = ['usage', 'edit', 'delete'].filter((k) => k in value);
  for (const key of Object.keys(value)) {
    if (!['at', 'usage', 'edit', 'delete'].includes(key)) issues.push({ path: `${path}.${key}`, message: 'is not a known field' });
  }
  const atMs = parseAt(value.at, `${path}.at`, issues);
  if (kinds.length !== 1) {
    issues.push({ path, message: 'must have exactly one of usage, edit, delete' });
    return null;
  }
  if (kinds[0] === 'usage') {
    const usage = parseUsage(value.usage, `${path}.usage`, issues);
    return usage && atMs !== null ? { atMs, kind: 'usage', usage } : null;
  }
  if (kinds[0] === 'edit') {
    const patch = parsePlanPatch(value.edit, `${path}.edit`);
    if (!patch.ok) issues.push(...patch.issues);
    return patch.ok && atMs !== null ? { atMs, kind: 'edit', patch: patch.value } : null;
  }
  if (value.delete !== true) {
    issues.push({ path: `${path}.delete`, message: 'must be true' });
    return null;
  }
  return atMs !== null ? { atMs, kind: 'delete' } : null;
}

export function parseScenario(value: unknown): Parsed<Scenario> {
  if (!isObject(value)) return { ok: false, issues: [{ path: '', message: 'a scenario must be a JSON object with plan, events and queries' }] };
  const issues: Issue[] = [];
  for (const key of Object.keys(value)) {
    if (!['plan', 'events', 'queries'].includes(key)) issues.push({ path: key, message: 'is not a known field' });
  }
  const plan = parsePlanConfig(value.plan, 'plan');
  if (!plan.ok) issues.push(...plan.issues);

  const events: ScenarioEvent[] = [];
  const rawEvents = value.events ?? [];
  if (!Array.isArray(rawEvents)) issues.push({ path: 'events', message: 'must be an array' });
  else
    rawEvents.forEach((raw, i) => {
      const event = parseEvent(raw, `events[${i}]`, issues);
      if (event) events.push(event);
    });

  const queries: { atMs: number }[] = [];
  const rawQueries = value.queries ?? [];
  if (!Array.isArray(rawQueries)) issues.push({ path: 'queries', message: 'must be an array' });
  else
    rawQueries.forEach((raw, i) => {
      if (!isObject(raw)) {
        issues.push({ path: `queries[${i}]`, message: 'must be an object with "at"' });
        return;
      }
      const atMs = parseAt(raw.at, `queries[${i}].at`, issues);
      if (atMs !== null) queries.push({ atMs });
    });

  if (issues.length > 0 || !plan.ok) return { ok: false, issues };
  return { ok: true, value: { plan: plan.value, events, queries } };
}

function eventResult(index: number, outcome: UsageDecision | EditResult): ScenarioOutput['events'][number] {
  if ('applied' in outcome) return outcome.applied ? { index, accepted: true } : { index, accepted: false, reason: outcome.reason };
  return outcome.accepted ? { index, accepted: true } : { index, accepted: false, reason: outcome.reason };
}

/** Run a parsed scenario: events in time order (ties in file order), each query after every event at or before it. */
export function runScenario(scenario: Scenario): ScenarioOutput {
  const account = createAccount(createPlanState(scenario.plan));
  const order = scenario.events.map((event, index) => ({ event, index })).sort((a, b) => a.event.atMs - b.event.atMs || a.index - b.index);
  const queryOrder = scenario.queries.map((query, index) => ({ query, index })).sort((a, b) => a.query.atMs - b.query.atMs || a.index - b.index);

  const eventResults: ScenarioOutput['events'] = new Array(scenario.events.length);
  const queryResults: ScenarioQueryResult[] = new Array(scenario.queries.length);
  let next = 0;
  const applyUntil = (limitMs: number): void => {
    while (next < order.length && order[next]!.event.atMs <= limitMs) {
      const { event, index } = order[next]!;
      next += 1;
      const outcome =
        event.kind === 'usage'
          ? recordUsageOnce(account, event.usage, event.atMs)
          : event.kind === 'edit'
            ? applyEdit(account.state, event.patch, event.atMs)
            : applyDelete(account.state, event.atMs);
      eventResults[index] = eventResult(index, outcome);
    }
  };
  for (const { query, index } of queryOrder) {
    applyUntil(query.atMs);
    queryResults[index] = describeSnapshot(account.state, query.atMs);
  }
  applyUntil(Infinity);
  return { events: eventResults, queries: queryResults };
}

/**
 * The state of a plan's buckets at `atMs` as SPEC §8 reports a query: the one mapping from the
 * engine's snapshot to that shape, used by scenario files and by the central service's plan
 * states (GET state, pull), so the two can never describe the same state differently.
 */
export function describeSnapshot(state: PlanState, atMs: number): ScenarioQueryResult {
  const snapshot = snapshotAt(state, atMs);
  const at = isoSecond(atMs);
  if (snapshot.deleted) return { at, deleted: true, period: null, buckets: {} };
  if (snapshot.period === null) return { at, period: null, buckets: {} };
  const buckets: Partial<Record<BucketName, ScenarioBucket>> = {};
  for (const [name, b] of Object.entries(snapshot.buckets) as [BucketName, NonNullable<(typeof snapshot.buckets)[BucketName]>][]) {
    buckets[name] = {
      allocated: b.allocated,
      used: b.used,
      remaining: b.remaining,
      carriedIn: b.carriedIn,
      overage: { added: b.overage.added, at: b.overage.atMs === null ? null : isoSecond(b.overage.atMs) },
    };
  }
  const { period } = snapshot;
  return {
    at,
    // A plan that never renews has no end: null, or Infinity in older engine states.
    period: { index: period.index, start: isoSecond(period.startMs), end: period.endMs === null || !Number.isFinite(period.endMs) ? null : isoSecond(period.endMs) },
    buckets,
  };
}
