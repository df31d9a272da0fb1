import {
  CHANNELS,
  LIMITS,
  MAX_CREDITS,
  RENEWALS,
  isChannel,
  type Activation,
  type Channel,
  type DailyLimit,
  type Money,
  type PlanConfig,
  type PlanPatch,
  type Renew,
} from '../domain';
import { isIsoDate as isIsoDateUncached, isTimeZone as isTimeZoneUncached } from './calendar';
import { parseMoney } from './money';

/**
 * The two checks of an activation build a Temporal date and an Intl formatter each time — about
 * 0.1 ms together, which every plan of a history page or a sync pull paid again for the same
 * few dates and zones. Their answers never change while the process runs, so they are kept
 * (bounded: past the limit the memo starts over rather than grow with hostile input).
 */
function memoized(check: (text: string) => boolean, limit = 2048): (text: string) => boolean {
  let known = new Map<string, boolean>();
  return (text) => {
    let answer = known.get(text);
    if (answer === undefined) {
      answer = check(text);
      if (known.size >= limit) known = new Map();
      known.set(text, answer);
    }
    return answer;
  };
}
const isIsoDate = memoized(isIsoDateUncached);
const isTimeZone = memoized(isTimeZoneUncached);

/** One thing wrong with an input, and where: `plan.credits.SMS: must be a positive integer`. */
export interface Issue {
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

export function formatIssue(issue: Issue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function isPositiveCredits(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_CREDITS;
}

/** 1,000,000,000,000: the limit as people read it. */
const MAX_CREDITS_TEXT = String(MAX_CREDITS).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * The credits rule in its one wording (SPEC §1), naming the limit: the engine's issues, the main
 * process's refusals and the wizard's own checks (before a value reaches the engine) all use it.
 */
export const CREDITS_RULE = `must be a positive integer from 1 to ${MAX_CREDITS_TEXT}`;

/**
 * The activation dates a plan may have. Past dates are allowed (a plan recorded late); the
 * bounds keep every period boundary and projection of the plan within four-digit years, which
 * instants and calendar dates are written in (a plan activated on 9999-12-31 would have none).
 */
export const EARLIEST_ACTIVATION = '1900-01-01';
export const LATEST_ACTIVATION = '2100-12-31';
export const ACTIVATION_DATE_RULE = `must be a calendar date from ${EARLIEST_ACTIVATION} to ${LATEST_ACTIVATION}, written YYYY-MM-DD`;

/**
 * A zone as the time-zone database spells it, whatever the case it was typed in
 * (`america/mexico_city` → `America/Mexico_City`); null when it is not a zone. Only the case
 * is corrected: an alias (Asia/Calcutta) stays as given, so a stored plan keeps its calendar.
 */
export function canonicalTimeZone(zone: string): string | null {
  // Every stored plan's config is read through here (a history page decodes 50), and building
  // the two Intl formatters costs ~60 µs, so answers are remembered; the zones in use are few,
  // and the memory is bounded in case many different wrong ones are typed.
  const known = canonicalZones.get(zone);
  if (known !== undefined) return known;
  let canonical: string | null = null;
  if (isTimeZone(zone)) {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    canonical = resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  }
  if (canonicalZones.size >= MAX_REMEMBERED_ZONES) canonicalZones.clear();
  canonicalZones.set(zone, canonical);
  return canonical;
}

const MAX_REMEMBERED_ZONES = 1000;
const canonicalZones = new Map<string, string | null>();

function checkUnknownKeys(value: Json, allowed: readonly string[], path: string, issues: Issue[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issues.push({ path: join(path, key), message: 'is not a known field' });
  }
}

function parseActivation(value: unknown, path: string, issues: Issue[]): Activation | null {
  if (!isObject(value)) {
    issues.push({ path, message: 'must be an object with a date (YYYY-MM-DD) and a timeZone' });
    return null;
  }
  checkUnknownKeys(value, ['date', 'timeZone'], path, issues);
  const { date, timeZone } = value;
  let ok = true;
  // ISO dates of four-digit years compare as text.
  if (typeof date !== 'string' || !isIsoDate(date) || date < EARLIEST_ACTIVATION || date > LATEST_ACTIVATION) {
    issues.push({ path: join(path, 'date'), message: ACTIVATION_DATE_RULE });
    ok = false;
  }
  const zone = typeof timeZone === 'string' ? canonicalTimeZone(timeZone) : null;
  if (zone === null) {
    issues.push({
      path: join(path, 'timeZone'),
      message: `must be an IANA time zone such as Europe/Madrid${typeof timeZone === 'string' ? ` ("${timeZone}" is not one)` : ''}`,
    });
    ok = false;
  }
  return ok && zone !== null ? { date: date as string, timeZone: zone } : null;
}

function parseChannelCredits(
  value: unknown,
  path: string,
  issues: Issue[],
): Partial<Record<Channel, number>> | null {
  if (!isObject(value)) {
    issues.push({ path, message: `must map channels (${CHANNELS.join(', ')}) to positive integers` });
    return null;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) {
    issues.push({ path, message: 'must allocate credits to at least one channel' });
    return null;
  }
  const credits: Partial<Record<Channel, number>> = {};
  let ok = true;
  for (const key of keys) {
    if (!isChannel(key)) {
      issues.push({ path: join(path, key), message: `is not a channel (one of ${CHANNELS.join(', ')})` });
      ok = false;
      continue;
    }
    const amount = value[key];
    if (!isPositiveCredits(amount)) {
      issues.push({ path: join(path, key), message: CREDITS_RULE });
      ok = false;
      continue;
    }
    credits[key] = amount;
  }
  return ok ? credits : null;
}

const BASE_FIELDS = ['limit', 'credits', 'renew', 'rollover', 'overage', 'activation'] as const;
/** The optional parts of SPEC §9; `null` (in a plan or an edit) means the part is absent. */
const POLICY_FIELDS = ['costs', 'dailyLimit', 'price', 'minimumCharge', 'overageRate'] as const;
const PLAN_FIELDS = [...BASE_FIELDS, ...POLICY_FIELDS] as const;

const MONEY_MESSAGE = 'must be money: { "amount": "150.00", "currency": "USD" } (a non-negative decimal string and an ISO 4217 code)';

/** The one currency of a plan's price, minimum charge and overage rate (null when it has none). */
export function planCurrency(config: PlanConfig): string | null {
  return config.price?.currency ?? config.minimumCharge?.currency ?? config.overageRate?.currency ?? null;
}

interface Policies {
  costs?: Partial<Record<Channel, number>>;
  dailyLimit?: DailyLimit;
  price?: Money;
  minimumCharge?: Money;
  overageRate?: Money;
}

/** Validate SPEC §9's optional plan parts; absent and null parts are left out of the result. */
function parsePolicies(value: Json, limit: unknown, overage: unknown, path: string, issues: Issue[]): Policies {
  const out: Policies = {};
  const { costs = null, dailyLimit = null, price = null, minimumCharge = null, overageRate = null } = value;
  if (costs !== null) {
    const parsed = isObject(costs) && Object.keys(costs).length === 0 ? {} : parseChannelCredits(costs, join(path, 'costs'), issues);
    if (parsed !== null && Object.keys(parsed).length > 0) out.costs = parsed;
  }
  if (dailyLimit !== null) {
    const where = join(path, 'dailyLimit');
    if (limit === 'all_channels') {
      if (isPositiveCredits(dailyLimit)) out.dailyLimit = dailyLimit;
      else issues.push({ path: where, message: `${CREDITS_RULE} for an all-channels pool (credits per local day)` });
    } else if (limit === 'channel_specific') {
      const parsed = parseChannelCredits(dailyLimit, where, issues);
      if (parsed !== null) out.dailyLimit = parsed;
    }
  }
  const monies: [keyof Policies & ('price' | 'minimumCharge' | 'overageRate'), unknown][] = [
    ['price', price],
    ['minimumCharge', minimumCharge],
    ['overageRate', overageRate],
  ];
  let currency: string | null = null;
  for (const [field, raw] of monies) {
    if (raw === null) continue;
    const money = parseMoney(raw);
    if (money === null) {
      issues.push({ path: join(path, field), message: MONEY_MESSAGE });
      continue;
    }
    if (currency !== null && money.currency !== currency) {
      issues.push({ path: join(path, `${field}.currency`), message: `must be ${currency}: a plan's price, minimum charge and overage rate share one currency` });
      continue;
    }
    currency = money.currency;
    out[field] = money;
  }
  if (overage === 'metered' && overageRate === null) {
    issues.push({ path: join(path, 'overageRate'), message: 'is needed by metered overage: money per credit, such as { "amount": "0.000085", "currency": "USD" }' });
  }
  return out;
}

/** Validate a complete plan configuration (SPEC §1), naming each field that is wrong. */
export function parsePlanConfig(value: unknown, path = 'plan'): Parsed<PlanConfig> {
  const issues: Issue[] = [];
  if (!isObject(value)) return { ok: false, issues: [{ path, message: 'must be an object' }] };
  // A parsed plan reads back as itself: its `overageMetered: true` (beside `overage: true`) is
  // `"overage": "metered"` — stored configs, the wire and the screens' contract carry that form.
  const { overageMetered, ...rest } = value;
  if (overageMetered !== undefined && !(overageMetered === true && (rest.overage === true || rest.overage === 'metered'))) {
    issues.push({ path: join(path, 'overageMetered'), message: 'must be true, beside "overage": true (or write "overage": "metered")' });
  }
  if (overageMetered === true) rest.overage = 'metered';
  checkUnknownKeys(rest, PLAN_FIELDS, path, issues);
  const { limit, credits, renew = null, rollover = false, overage = false, activation } = rest;

  if (typeof limit !== 'string' || !(LIMITS as readonly string[]).includes(limit)) {
    issues.push({ path: join(path, 'limit'), message: `must be one of ${LIMITS.join(', ')}` });
  }
  let parsedCredits: number | Partial<Record<Channel, number>> | null = null;
  if (limit === 'all_channels') {
    if (isPositiveCredits(credits)) parsedCredits = credits;
    else issues.push({ path: join(path, 'credits'), message: CREDITS_RULE });
  } else if (limit === 'channel_specific') {
    parsedCredits = parseChannelCredits(credits, join(path, 'credits'), issues);
  }
  if (renew !== null && (typeof renew !== 'string' || !(RENEWALS as readonly string[]).includes(renew))) {
    issues.push({ path: join(path, 'renew'), message: `must be null or one of ${RENEWALS.join(', ')}` });
  }
  if (typeof rollover !== 'boolean') issues.push({ path: join(path, 'rollover'), message: 'must be true or false' });
  if (typeof overage !== 'boolean' && overage !== 'metered') issues.push({ path: join(path, 'overage'), message: 'must be true, false or "metered"' });
  if (rollover === true && renew === null) {
    issues.push({ path: join(path, 'rollover'), message: 'needs a renewal period: roll over is only allowed when renew is set' });
  }
  const parsedActivation = parseActivation(activation, join(path, 'activation'), issues);
  const policies = parsePolicies(rest, limit, overage, path, issues);

  if (issues.length > 0 || parsedCredits === null || parsedActivation === null) {
    return { ok: false, issues: issues.length > 0 ? issues : [{ path, message: 'is not a valid plan' }] };
  }
  // A plan without SPEC §9's parts keeps exactly its former shape (stored and synced as before).
  const terms = {
    renew: renew as Renew | null,
    rollover: rollover as boolean,
    overage: overage !== false,
    activation: parsedActivation,
    ...(overage === 'metered' ? { overageMetered: true as const } : {}),
    ...policies,
  };
  const config: PlanConfig =
    limit === 'all_channels'
      ? { limit, credits: parsedCredits as number, ...terms }
      : { limit: 'channel_specific', credits: parsedCredits as Partial<Record<Channel, number>>, ...terms };
  return { ok: true, value: config };
}

/** Validate the shape of an edit: only known fields. Its result is checked by applying it. */
export function parsePlanPatch(value: unknown, path = 'edit'): Parsed<PlanPatch> {
  if (!isObject(value)) return { ok: false, issues: [{ path, message: 'must be an object of plan fields' }] };
  const issues: Issue[] = [];
  checkUnknownKeys(value, PLAN_FIELDS, path, issues);
  if (Object.keys(value).length === 0) issues.push({ path, message: 'must change at least one plan field' });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: value as PlanPatch };
}

/**
 * The plan an edit produces, validated as a whole. Switching the limit type needs credits of
 * the new shape, which the validation of the merged plan reports by name.
 */
export function mergePatch(config: PlanConfig, patch: PlanPatch, path = 'edit'): Parsed<PlanConfig> {
  const merged: Json = { ...config, overage: config.overageMetered === true ? 'metered' : config.overage };
  delete merged.overageMetered;
  for (const field of PLAN_FIELDS) {
    if (field in patch) merged[field] = (patch as Json)[field];
  }
  // Switching renewal off also switches roll over off unless the edit says otherwise.
  if ('renew' in patch && patch.renew === null && !('rollover' in patch)) merged.rollover = false;
  const parsed = parsePlanConfig(merged, path);
  if (!parsed.ok) return parsed;
  const before = planCurrency(config);
  const after = planCurrency(parsed.value);
  if (before !== null && after !== null && before !== after) {
    const field = (['price', 'minimumCharge', 'overageRate'] as const).find((f) => parsed.value[f] !== undefined) ?? 'price';
    return { ok: false, issues: [{ path: join(path, `${field}.currency`), message: `must stay ${before}: an edit cannot change the plan's currency` }] };
  }
  // An edit that leaves the activation alone keeps it as stored, spelled as it was (a zone saved
  // before zones were stored canonical must not read as a changed calendar).
  if (!('activation' in patch)) return { ok: true, value: { ...parsed.value, activation: config.activation } };
  return parsed;
}

/** A plan as it stands in a space, for the coexistence rules (SPEC §2). */
export interface SpacePlan {
  id: string;
  config: PlanConfig;
}

/**
 * Can `candidate` join the space's other live plans? An all-channels plan excludes every other
 * plan; channel-specific plans may not share a channel; channels must belong to the space.
 */
export function checkCoexistence(
  candidate: SpacePlan,
  others: readonly SpacePlan[],
  spaceChannels?: readonly Channel[],
  path = 'plan',
): Issue[] {
  const issues: Issue[] = [];
  const rivals = others.filter((plan) => plan.id !== candidate.id);
  if (candidate.config.limit === 'all_channels') {
    const first = rivals[0];
    if (first) {
      issues.push({
        path: join(path, 'limit'),
        message: `an all-channels plan must be the only plan of its space, and plan ${first.id} already covers ${describeCoverage(first.config)}`,
      });
    }
    return issues;
  }
  const pool = rivals.find((plan) => plan.config.limit === 'all_channels');
  if (pool) {
    const channels = Object.keys(candidate.config.credits);
    issues.push({
      path: join(path, 'limit'),
      message: `${channels.length === 1 ? 'channel' : 'channels'} ${channels.join(', ')} ${channels.length === 1 ? 'is' : 'are'} already covered by the all-channels plan ${pool.id} (it covers every channel of this space)`,
    });
    return issues;
  }
  for (const channel of Object.keys(candidate.config.credits) as Channel[]) {
    if (spaceChannels && !spaceChannels.includes(channel)) {
      issues.push({ path: join(path, `credits.${channel}`), message: `the space has no ${channel} channel` });
      continue;
    }
    const holder = rivals.find(
      (plan) => plan.config.limit === 'channel_specific' && plan.config.credits[channel] !== undefined,
    );
    if (holder) {
      issues.push({
        path: join(path, `credits.${channel}`),
        message: `channel ${channel} is already allocated in plan ${holder.id}`,
      });
    }
  }
  return issues;
}

function describeCoverage(config: PlanConfig): string {
  return config.limit === 'all_channels' ? 'all channels' : `channels ${Object.keys(config.credits).join(', ')}`;
}

/** The channels of a space that no live plan covers (flagged "not covered by any credit plan"). */
export function uncoveredChannels(spaceChannels: readonly Channel[], plans: readonly SpacePlan[]): Channel[] {
  if (plans.some((plan) => plan.config.limit === 'all_channels')) return [];
  const covered = new Set<string>();
  for (const plan of plans) {
    if (plan.config.limit === 'channel_specific') for (const ch of Object.keys(plan.config.credits)) covered.add(ch);
  }
  return spaceChannels.filter((channel) => !covered.has(channel));
}
