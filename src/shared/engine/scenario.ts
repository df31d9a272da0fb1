import { DIRECTIONS, isChannel, type BucketName, type Channel, type Direction, type Money, type PlanConfig, type PlanPatch } from '../domain';
import { applyDelete, applyEdit, createPlanState, snapshotAt, type EditResult, type PlanState, type UsageDecision } from './account';
import { isoSecond, parseInstant } from './calendar';
import { describeExplanation, type ExplanationText } from './explain';
import { applyChargeNowOnce, applyTopUpOnce, createAccount, explainUsageOnce, recordUsageOnce } from './idempotency';
import type { ChargeNowResult, TopUpRequest, TopUpResult } from './top-ups';
import { isPositiveCredits, parsePlanConfig, parsePlanPatch, type Issue, type Parsed } from './validation';

/**
 * Scenario files (SPEC §8): a plan, timed events and queries, run headless. Parsing reports
 * every problem with its place; running is deterministic, so the same file always gives the
 * same document.
 */

export interface ScenarioUsage {
  id: string;
  channel: Channel;
  /** Absent: the channel's rate in force when the event is decided (SPEC §9.1). */
  credits?: number;
  direction: Direction;
  identity?: string;
  campaign?: string;
}

export type ScenarioEvent =
  | { atMs: number; kind: 'usage'; usage: ScenarioUsage }
  | { atMs: number; kind: 'edit'; patch: PlanPatch }
  | { atMs: number; kind: 'delete' }
  /** The top-up as written: every field but the id is checked when it is applied, and refused with a reason. */
  | { atMs: number; kind: 'topUp'; topUp: TopUpRequest }
  /** `fields` lists the keys written besides the id (any makes the charge refused: unknown_field). */
  | { atMs: number; kind: 'chargeNow'; id: string; fields: string[] };

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
  /** `metered` and `charge` only for a metered plan (SPEC §9.7). */
  overage: { added: number; at: string | null; metered?: number; charge?: Money };
  topUps?: { available: number; used: number; remaining: number };
  daily?: { limit: number | null; used: number };
}

export interface ScenarioQueryResult {
  at: string;
  deleted?: true;
  period: { index: number; start: string; end: string | null } | null;
  buckets: Partial<Record<BucketName, ScenarioBucket>>;
}

export type ScenarioEventResult =
  | { index: number; accepted: true; credits?: Partial<Record<BucketName, number>>; price?: Money | null; explain?: ExplanationText | null }
  | { index: number; accepted: false; reason: string; explain?: ExplanationText | null };

export interface RunOptions {
  /**
   * Add to each usage event's result why it was charged or refused (`explain`, see
   * docs/credit-rules.md); null for an id decided before, which took nothing this time.
   */
  explain?: boolean;
}

export interface ScenarioOutput {
  events: ScenarioEventResult[];
  queries: ScenarioQueryResult[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseAt(value: unknown, path: string, issues: Issue[]): number | null {
  const ms = typeof value === 'string' ? parseInstant(value) : null;
  if (ms === null) issues.push({ path, message: 'must be an ISO-8601 instant with a zone, such as 2026-01-10T09:00:00Z' });
  return ms;
}

function parseUsage(value: unknown, path: string, issues: Issue[]): ScenarioUsage | null {
  if (!isObject(value)) {
    issues.push({ path, message: 'must be an object with id, channel, credits and direction' });
    return null;
  }
  const before = issues.length;
  for (const key of Object.keys(value)) {
    if (!['id', 'channel', 'credits', 'direction', 'identity', 'campaign'].includes(key)) issues.push({ path: `${path}.${key}`, message: 'is not a known field' });
  }
  const { id, channel, credits, direction = 'MT', identity, campaign } = value;
  // Who sent it and for which campaign (SPEC §1): shown in usage views, never part of a decision.
  if (identity !== undefined && (typeof identity !== 'string' || identity.length === 0)) issues.push({ path: `${path}.identity`, message: 'must be a non-empty string' });
  if (campaign !== undefined && (typeof campaign !== 'string' || campaign.length === 0)) issues.push({ path: `${path}.campaign`, message: 'must be a non-empty string' });
  if (typeof id !== 'string' || id.length === 0) issues.push({ path: `${path}.id`, message: 'must be a non-empty string' });
  if (!isChannel(channel)) issues.push({ path: `${path}.channel`, message: 'must be one of SMS, WhatsApp, Email, Push, RCS' });
  if (credits !== undefined && !isPositiveCredits(credits)) issues.push({ path: `${path}.credits`, message: 'must be a positive integer' });
  if (typeof direction !== 'string' || !(DIRECTIONS as readonly string[]).includes(direction)) {
    issues.push({ path: `${path}.direction`, message: 'must be MT or MO' });
  }
  if (issues.length > before) return null;
  const usage: ScenarioUsage = { id: id as string, channel: channel as Channel, direction: direction as Direction };
  if (credits !== undefined) usage.credits = credits as number;
  if (identity !== undefined) usage.identity = identity as string;
  if (campaign !== undefined) usage.campaign = campaign as string;
  return usage;
}

/**
 * A top-up or charge-now needs an object with an id to be an event at all (else the file is
 * invalid); every other field is the engine's to check, refusing the event with a reason.
 */
function parseGrant(value: unknown, path: string, issues: Issue[]): Json | null {
  if (!isObject(value)) {
    issues.push({ path, message: 'must be an object with an id' });
    return null;
  }
  if (typeof value.id !== 'string' || value.id.length === 0) {
    issues.push({ path: `${path}.id`, message: 'must be a non-empty string' });
    return null;
  }
  return value;
}

const EVENT_KINDS = ['usage', 'edit', 'delete', 'topUp', 'chargeNow'] as const;

function parseEvent(value: unknown, path: string, issues: Issue[]): ScenarioEvent | null {
  if (!isObject(value)) {
    issues.push({ path, message: `must be an object with "at" and one of ${EVENT_KINDS.join(', ')}` });
    return null;
  }
  const kinds = EVENT_KINDS.filter((k) => k in value);
  for (const key of Object.keys(value)) {
    if (key !== 'at' && !(EVENT_KINDS as readonly string[]).includes(key)) issues.push({ path: `${path}.${key}`, message: 'is not a known field' });
  }
  const atMs = parseAt(value.at, `${path}.at`, issues);
  if (kinds.length !== 1) {
    issues.push({ path, message: `must have exactly one of ${EVENT_KINDS.join(', ')}` });
    return null;
  }
  if (kinds[0] === 'topUp') {
    const topUp = parseGrant(value.topUp, `${path}.topUp`, issues);
    return topUp && atMs !== null ? { atMs, kind: 'topUp', topUp: { ...topUp, id: topUp.id as string } as TopUpRequest } : null;
  }
  if (kinds[0] === 'chargeNow') {
    const charge = parseGrant(value.chargeNow, `${path}.chargeNow`, issues);
    return charge && atMs !== null ? { atMs, kind: 'chargeNow', id: charge.id as string, fields: Object.keys(charge).filter((k) => k !== 'id') } : null;
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

type Outcome = UsageDecision | EditResult | TopUpResult | ChargeNowResult;

function eventResult(index: number, outcome: Outcome): ScenarioEventResult {
  if ('applied' in outcome) {
    if (!outcome.applied) return { index, accepted: false, reason: outcome.reason };
    // A top-up's entry adds its price; a charge-now's its credits per bucket and price (SPEC §9.8).
    // A repeated id answers as the first time, whichever kind of event used it first.
    if ('credits' in outcome) return { index, accepted: true, credits: outcome.credits, price: outcome.price };
    if ('price' in outcome) return { index, accepted: true, price: outcome.price };
    return { index, accepted: true };
  }
  return outcome.accepted ? { index, accepted: true } : { index, accepted: false, reason: outcome.reason };
}

/** Apply one scenario event to an account (the scenario runner's and the tests' one way to do it). */
export function applyScenarioEvent(account: ReturnType<typeof createAccount>, event: ScenarioEvent): Outcome {
  switch (event.kind) {
    case 'usage':
      return recordUsageOnce(account, event.usage, event.atMs);
    case 'edit':
      return applyEdit(account.state, event.patch, event.atMs);
    case 'delete':
      return applyDelete(account.state, event.atMs);
    case 'topUp':
      return applyTopUpOnce(account, event.topUp, event.atMs);
    case 'chargeNow':
      if (event.fields.length > 0) {
        const grants = (account.grants ??= new Map());
        const prior = grants.get(event.id);
        if (prior !== undefined) return prior;
        const refused: ChargeNowResult = { applied: false, reason: 'unknown_field' };
        grants.set(event.id, refused);
        return refused;
      }
      return applyChargeNowOnce(account, event.id, event.atMs);
  }
}

/** Run a parsed scenario: events in time order (ties in file order), each query after every event at or before it. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): ScenarioOutput {
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
      if (options.explain === true && event.kind === 'usage') {
        const { decision, explanation } = explainUsageOnce(account, event.usage, event.atMs);
        eventResults[index] = { ...eventResult(index, decision), explain: explanation && describeExplanation(explanation) };
      } else eventResults[index] = eventResult(index, applyScenarioEvent(account, event));
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
    const bucket: ScenarioBucket = {
      allocated: b.allocated,
      used: b.used,
      remaining: b.remaining,
      carriedIn: b.carriedIn,
      overage: { added: b.overage.added, at: b.overage.atMs === null ? null : isoSecond(b.overage.atMs) },
    };
    // SPEC §9.7: a metered plan's overage is its metered credits and their charge, dated by the first of them.
    if (b.metered !== undefined) {
      bucket.overage = { added: b.overage.added, at: b.metered.atMs === null ? null : isoSecond(b.metered.atMs), metered: b.metered.credits, charge: b.metered.charge };
    }
    if (b.topUps !== undefined) bucket.topUps = { available: b.topUps.available, used: b.topUps.used, remaining: b.topUps.remaining };
    if (b.daily !== undefined) bucket.daily = { ...b.daily };
    buckets[name] = bucket;
  }
  const { period } = snapshot;
  return {
    at,
    // A plan that never renews has no end: null, or Infinity in older engine states.
    period: { index: period.index, start: isoSecond(period.startMs), end: period.endMs === null || !Number.isFinite(period.endMs) ? null : isoSecond(period.endMs) },
    buckets,
  };
}
