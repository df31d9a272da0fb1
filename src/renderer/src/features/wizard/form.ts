import { Temporal } from 'temporal-polyfill';
import type { Space } from '../../../../shared/api';
import { CHANNELS, overageOf, type Activation, type Channel, type Limit, type PlanConfig, type PlanPatch, type Renew } from '../../../../shared/domain';
import { boundaryDate, canonicalTimeZone, isCurrency, isIsoDate, parseDecimal, parsePlanConfig, planCurrency, type Issue } from '../../../../shared/engine';

export interface ChannelRow {
  channel: Channel;
  /** As typed, so an edit in the table can be wrong for a moment without losing keystrokes. */
  credits: string;
}

/** Everything step 1 holds, as typed. */
export interface PlanForm {
  limit: Limit;
  /** The Total Credits of an all-channels plan, as typed ('' before anything is). */
  pool: string;
  rows: ChannelRow[];
  channelInput: Channel | '';
  channelCreditsInput: string;
  renewOn: boolean;
  renew: Renew;
  rollover: boolean;
  overage: boolean;
  /** With overage on: metered (billed per credit at overageRate) instead of +100 % once (SPEC §9.5). */
  overageMetered: boolean;
  date: string;
  timeZone: string;
  /** SPEC §9's optional parts, as typed ('' = not set). The Policies section starts closed. */
  policiesOpen: boolean;
  /** Credits per message by channel ('' = 1). */
  costs: Partial<Record<Channel, string>>;
  /** An all-channels plan's daily limit. */
  dailyPool: string;
  dailyByChannel: Partial<Record<Channel, string>>;
  /** The plan's one currency (price, minimum charge, overage rate). */
  currency: string;
  price: string;
  minimumCharge: string;
  overageRate: string;
}

/** The money fields of step 1, named as the engine names them. */
export const MONEY_FIELDS = ['price', 'minimumCharge', 'overageRate'] as const;
export type MoneyField = (typeof MONEY_FIELDS)[number];

/** Field keys that errors are shown next to. */
export type FieldKey =
  | 'limit'
  | 'credits'
  | 'channelCreditsInput'
  | 'channelInput'
  | 'renew'
  | 'rollover'
  | 'overage'
  | 'activation.date'
  | 'activation.timeZone'
  | 'form'
  | `credits.${Channel}`
  | `costs.${Channel}`
  | 'dailyLimit'
  | `dailyLimit.${Channel}`
  | 'currency'
  | MoneyField;
export type FieldErrors = Partial<Record<FieldKey, string[]>>;

export function machineZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function emptyForm(timeZone = machineZone()): PlanForm {
  return {
    limit: 'all_channels',
    pool: '',
    rows: [],
    channelInput: '',
    channelCreditsInput: '',
    renewOn: false,
    renew: 'monthly',
    rollover: false,
    overage: false,
    overageMetered: false,
    policiesOpen: false,
    costs: {},
    dailyPool: '',
    dailyByChannel: {},
    currency: 'USD',
    price: '',
    minimumCharge: '',
    overageRate: '',
    date: Temporal.Now.plainDateISO(timeZone).toString(),
    timeZone,
  };
}

/** A new plan's form for a space with `livePlans` plans: channel specific where they rule out an all-channels one (SPEC §2). */
export function newPlanForm(livePlans: number): PlanForm {
  return { ...emptyForm(), limit: livePlans > 0 ? 'channel_specific' : 'all_channels' };
}

export function formFromConfig(config: PlanConfig): PlanForm {
  const base = emptyForm(config.activation.timeZone);
  return {
    ...base,
    limit: config.limit,
    pool: config.limit === 'all_channels' ? String(config.credits) : '',
    rows:
      config.limit === 'channel_specific'
        ? (Object.entries(config.credits) as [Channel, number][]).map(([channel, credits]) => ({ channel, credits: String(credits) }))
        : [],
    renewOn: config.renew !== null,
    renew: config.renew ?? 'monthly',
    rollover: config.rollover,
    overage: config.overage,
    overageMetered: config.overageMetered === true,
    date: config.activation.date,
    policiesOpen: hasPolicies(config),
    costs: texts(config.costs),
    dailyPool: typeof config.dailyLimit === 'number' ? String(config.dailyLimit) : '',
    dailyByChannel: typeof config.dailyLimit === 'object' ? texts(config.dailyLimit) : {},
    currency: planCurrency(config) ?? base.currency,
    price: config.price?.amount ?? '',
    minimumCharge: config.minimumCharge?.amount ?? '',
    overageRate: config.overageRate?.amount ?? '',
  };
}

function texts(values: Partial<Record<Channel, number>> | undefined): Partial<Record<Channel, string>> {
  const out: Partial<Record<Channel, string>> = {};
  for (const [channel, n] of Object.entries(values ?? {}) as [Channel, number][]) out[channel] = String(n);
  return out;
}

/** Whether a plan uses any of SPEC §9's parts that step 1's Policies section holds. */
export function hasPolicies(config: PlanConfig): boolean {
  return (
    config.costs !== undefined ||
    config.dailyLimit !== undefined ||
    config.price !== undefined ||
    config.minimumCharge !== undefined ||
    config.overageRate !== undefined
  );
}

/** The channels whose rate and daily limit step 1 asks for: the space's (one pool) or the plan's. */
export function policyChannels(space: Pick<Space, 'channels'>, form: PlanForm): Channel[] {
  return form.limit === 'all_channels' ? space.channels.map((c) => c.channel) : form.rows.map((row) => row.channel);
}

/** Per-channel numbers as typed, for the channels that count; blanks left out. */
function channelValues(values: Partial<Record<Channel, string>>, channels: readonly Channel[]): Record<string, number | string> | null {
  const out: Record<string, number | string> = {};
  for (const channel of channels) {
    const text = values[channel]?.trim() ?? '';
    if (text !== '') out[channel] = creditsValue(text);
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** A typed number when it looks like one; otherwise the text itself, so the engine names the problem. */
function creditsValue(text: string): number | string {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The configuration the form describes, not yet validated (the engine does that). */
export function candidateOf(form: PlanForm): Record<string, unknown> {
  const credits =
    form.limit === 'all_channels'
      ? creditsValue(form.pool)
      : Object.fromEntries(form.rows.map((row) => [row.channel, creditsValue(row.credits)]));
  return {
    limit: form.limit,
    credits,
    renew: form.renewOn ? form.renew : null,
    // Roll over exists only with renewal; a hidden toggle must not smuggle it in.
    rollover: form.renewOn && form.rollover,
    overage: form.overage && form.overageMetered ? 'metered' : form.overage,
    activation: { date: form.date, timeZone: form.timeZone.trim() },
    ...policiesOf(form),
  };
}

/**
 * The Policies section's parts; a part left blank is absent. A channel-specific plan's rates and
 * limits are read for its own rows only (a channel taken out of the table takes its rate along);
 * a pool's rates for every channel typed (the section lists the space's). An overage rate only
 * when metered: the engine ignores it otherwise, and a hidden field must not bring one in.
 */
function policiesOf(form: PlanForm): Record<string, unknown> {
  const channels = form.limit === 'all_channels' ? (Object.keys(form.costs) as Channel[]) : form.rows.map((row) => row.channel);
  const out: Record<string, unknown> = {};
  const costs = channelValues(form.costs, channels);
  if (costs) out.costs = costs;
  if (form.limit === 'all_channels') {
    if (form.dailyPool.trim() !== '') out.dailyLimit = creditsValue(form.dailyPool);
  } else {
    const daily = channelValues(form.dailyByChannel, channels);
    if (daily) out.dailyLimit = daily;
  }
  const currency = form.currency.trim().toUpperCase();
  for (const field of MONEY_FIELDS) {
    if (field === 'overageRate' && !(form.overage && form.overageMetered)) continue;
    const amount = form[field].trim();
    if (amount !== '') out[field] = { amount, currency };
  }
  return out;
}

/** Where an engine or service issue belongs on the form. */
export function fieldOfIssue(path: string, limit: Limit): FieldKey {
  const clean = path.replace(/^(plan|config|edit|patch)(\.|$)/, '');
  if (clean === 'limit') return 'limit';
  if (clean === 'credits') return 'credits';
  const channel = /^credits\.(.+)$/.exec(clean)?.[1];
  if (channel && (CHANNELS as readonly string[]).includes(channel)) return limit === 'channel_specific' ? (`credits.${channel}` as FieldKey) : 'credits';
  if (clean === 'renew' || clean === 'rollover' || clean === 'overage') return clean;
  if (clean === 'activation' || clean === 'activation.date') return 'activation.date';
  if (clean === 'activation.timeZone') return 'activation.timeZone';
  const policy = /^(costs|dailyLimit)\.(.+)$/.exec(clean);
  if (policy && (CHANNELS as readonly string[]).includes(policy[2]!)) {
    return policy[1] === 'dailyLimit' && limit === 'all_channels' ? 'dailyLimit' : (`${policy[1]}.${policy[2]}` as FieldKey);
  }
  if (clean === 'dailyLimit') return 'dailyLimit';
  const money = /^(price|minimumCharge|overageRate)(\.currency)?$/.exec(clean);
  if (money) return money[2] ? 'currency' : (money[1] as MoneyField);
  return 'form';
}

export function errorsOf(issues: readonly Issue[], limit: Limit): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = fieldOfIssue(issue.path, limit);
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

/** Validate step 1 with the engine's own rules (the same parser the main process uses). */
export function validateForm(form: PlanForm): { config: PlanConfig | null; errors: FieldErrors } {
  if (form.limit === 'all_channels' && form.pool.trim() === '') {
    return { config: null, errors: { credits: ['Enter the Total Credits.'] } };
  }
  if (form.limit === 'channel_specific' && form.rows.length === 0) {
    return { config: null, errors: { credits: ['Choose a channel, enter its credits and press Add.'] } };
  }
  // The money fields' own words win over the engine's for the same field; every other field
  // keeps the engine's message, so all that is wrong shows at once.
  const own = policyErrors(form);
  const parsed = parsePlanConfig(candidateOf(form), '');
  if (!parsed.ok || Object.keys(own).length > 0) {
    const engine = parsed.ok ? {} : errorsOf(parsed.issues, form.limit);
    if (own.currency) for (const field of MONEY_FIELDS) delete engine[field];
    return { config: null, errors: { ...engine, ...own } };
  }
  return { config: parsed.value, errors: {} };
}

/** An amount as a person types it: digits with an optional decimal part. */
export const AMOUNT_RULE = 'must be an amount such as 150.00 (digits, a point and decimals if any)';
export const CURRENCY_RULE = 'must be a three-letter currency code such as USD or EUR (ISO 4217)';

/**
 * The money fields in words a form can use (the engine words money as JSON, for files and
 * commands): checked here first, so what reaches the engine is well formed.
 */
function policyErrors(form: PlanForm): FieldErrors {
  const errors: FieldErrors = {};
  const metered = form.overage && form.overageMetered;
  let anyMoney = false;
  for (const field of MONEY_FIELDS) {
    const amount = form[field].trim();
    if (field === 'overageRate' && !metered) continue;
    if (amount === '') {
      if (field === 'overageRate') errors.overageRate = ['is needed by metered overage: the price of one credit, such as 0.000085'];
      continue;
    }
    anyMoney = true;
    if (parseDecimal(amount) === null) errors[field] = [AMOUNT_RULE];
  }
  if (anyMoney && !isCurrency(form.currency.trim().toUpperCase())) errors.currency = [CURRENCY_RULE];
  return errors;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Only the fields an edit changes, so an untouched calendar keeps its periods (SPEC §5). */
export function patchOf(original: PlanConfig, next: PlanConfig): PlanPatch {
  const patch: PlanPatch = {};
  if (original.limit !== next.limit) patch.limit = next.limit;
  if (!sameValue(original.credits, next.credits) || original.limit !== next.limit) patch.credits = next.credits;
  if (original.renew !== next.renew) patch.renew = next.renew;
  if (original.rollover !== next.rollover) patch.rollover = next.rollover;
  if (overageOf(original) !== overageOf(next)) patch.overage = overageOf(next);
  for (const part of ['costs', 'dailyLimit', 'price', 'minimumCharge', 'overageRate'] as const) {
    if (!sameValue(original[part], next[part])) (patch as Record<string, unknown>)[part] = next[part] ?? null;
  }
  if (!sameValue(original.activation, next.activation)) patch.activation = next.activation;
  return patch;
}

/**
 * Channels the dropdown may offer: the space's channels no other plan covers. When editing, the
 * plan's own channels count as free (all of them, if it is the all-channels plan).
 */
export function offeredChannels(space: Space, form: PlanForm, editing: PlanConfig | null): Channel[] {
  const uncovered = new Set<Channel>(space.uncoveredChannels);
  if (editing?.limit === 'all_channels') for (const channel of space.channels) uncovered.add(channel.channel);
  if (editing?.limit === 'channel_specific') for (const channel of Object.keys(editing.credits) as Channel[]) uncovered.add(channel);
  const taken = new Set(form.rows.map((row) => row.channel));
  return space.channels.map((channel) => channel.channel).filter((channel) => uncovered.has(channel) && !taken.has(channel));
}

const STEP_MONTHS: Record<Exclude<Renew, 'weekly'>, number> = { monthly: 1, quarterly: 3, half_year: 6, annually: 12 };

/** The period of a renewing calendar that includes `today`: its number (0 = the first) and its first day. */
export function currentPeriod(activation: string, renew: Renew, today: string): { index: number; start: string } {
  const start = Temporal.PlainDate.from(activation);
  const now = Temporal.PlainDate.from(today);
  let k =
    renew === 'weekly'
      ? Math.floor(start.until(now, { largestUnit: 'days' }).days / 7)
      : Math.floor(start.until(now, { largestUnit: 'months' }).months / STEP_MONTHS[renew]);
  // Month-end clamping can move a boundary by a few days: settle on the last one on or before today.
  while (k > 0 && Temporal.PlainDate.compare(boundaryDate(activation, renew, k), now) > 0) k -= 1;
  while (Temporal.PlainDate.compare(boundaryDate(activation, renew, k + 1), now) <= 0) k += 1;
  return { index: k, start: boundaryDate(activation, renew, k).toString() };
}

/**
 * What an activation date in the past means, said before saving (it is allowed: a plan may be
 * recorded late): the plan is in force at once and its periods count from that date, so the
 * current period is not a fresh one starting today. Null for today, a future date, or a date
 * or zone not yet valid (the field's own error says that).
 */
export function pastActivationNote(form: PlanForm, now: Temporal.Instant = Temporal.Now.instant(), kept: Activation | null = null): string | null {
  const zone = canonicalTimeZone(form.timeZone.trim());
  if (zone === null || !isIsoDate(form.date)) return null;
  // An edit that keeps the plan's activation changes nothing about its periods.
  if (kept !== null && kept.date === form.date && kept.timeZone === zone) return null;
  const today = now.toZonedDateTimeISO(zone).toPlainDate().toString();
  if (form.date >= today) return null;
  const head = `${form.date} is in the past: the plan is in force as soon as it is saved, as if since 00:00 that day (${zone}), and usage recorded since then counts against it.`;
  if (!form.renewOn) return `${head} Without renewal it has one period, from ${form.date} on.`;
  const period = currentPeriod(form.date, form.renew, today);
  if (period.index === 0) return `${head} Its first period is still running: it renews on ${boundaryDate(form.date, form.renew, 1).toString()}.`;
  return `${head} Its periods count from that date, so ${period.index === 1 ? 'one period has' : `${period.index} periods have`} already passed: the current one began on ${period.start}${period.start === today ? ' (today)' : ', not today,'} and runs to ${boundaryDate(form.date, form.renew, period.index + 1).toString()}.`;
}

let zoneList: string[] | null = null;

/** Every IANA zone this runtime knows, for the searchable list. */
export function timeZones(): string[] {
  if (zoneList) return zoneList;
  const supported = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  zoneList = Array.from(new Set(['UTC', ...supported])).sort();
  return zoneList;
}
