import { POOL, type Money, type Overage, type PlanConfig, type Renew } from './plan';

/**
 * How plan terms read to a person: in e-mails, exports, messages and on screen. Written once,
 * in the words of the product's manual (seed 002: "Half-year", "All Channels").
 */
export const RENEW_LABELS: Record<Renew, string> = {
  weekly: 'Weekly',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  half_year: 'Half-year',
  annually: 'Annually',
};

export const LIMIT_LABELS: Record<PlanConfig['limit'], string> = {
  all_channels: 'All Channels',
  channel_specific: 'Channel Specific',
};

/** A bucket by name: a channel as itself, the pool of an all-channels plan as its limit. */
export function bucketLabel(bucket: string): string {
  return bucket === POOL ? LIMIT_LABELS.all_channels : bucket;
}

/** A channel's credits as a field ("SMS credits"). */
export function channelCreditsLabel(channel: string): string {
  return `${channel} credits`;
}

/**
 * A plan's fields by the path that field changes and conflicts name them with (`limit`,
 * `credits.SMS`, `activation.date`), in the words of the wizard's summary step (seed 002:
 * "Roll Over Credits", "Credit Plan Activation"). The e-mails, the history (screen and export)
 * and the conflict view all read them from here, so one field never goes by two names.
 */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  status: 'Status',
  limit: 'Credit limit',
  credits: 'Credits',
  [`credits.${POOL}`]: 'Credits, all channels (shared pool)',
  renew: 'Renew credits',
  rollover: 'Roll Over credits',
  overage: 'Overage',
  activation: 'Credit Plan Activation',
  'activation.date': 'Credit Plan Activation',
  'activation.timeZone': 'Time zone',
};

/** A field's name for a person; a channel's credits as "SMS credits"; an unknown path as itself. */
export function fieldLabel(field: string): string {
  const known = FIELD_LABELS[field];
  if (known !== undefined) return known;
  const policy = policyFieldLabel(field);
  if (policy !== null) return policy;
  if (field.startsWith('credits.')) return channelCreditsLabel(field.slice('credits.'.length));
  return field;
}

/*
 * SPEC §9's plan parts, named by `fieldLabel` too.
 * Paths as history entries and edits name them: `costs.WhatsApp`, `dailyLimit` (a pool's),
 * `dailyLimit.SMS`, `price`, `minimumCharge`, `overageRate`.
 */
const POLICY_FIELD_LABELS: Readonly<Record<string, string>> = {
  costs: 'Credits per message',
  dailyLimit: 'Daily limit',
  price: 'Price per period',
  minimumCharge: 'Minimum charge',
  overageRate: 'Overage rate per credit',
};

/** A §9 part's name for a person ("WhatsApp credits per message", "SMS daily limit"); null for other fields. */
export function policyFieldLabel(field: string): string | null {
  const known = POLICY_FIELD_LABELS[field];
  if (known !== undefined) return known;
  const [part, channel] = field.split('.');
  if (channel === undefined || part === undefined) return null;
  if (part === 'costs') return `${channel} credits per message`;
  if (part === 'dailyLimit') return `${channel} daily limit`;
  return null;
}

/** Money as a person reads it: "150.00 USD". */
export function moneyLabel(money: Money): string {
  return `${money.amount} ${money.currency}`;
}

/** Whether a value is money (a history change's old or new price). */
export function isMoney(value: unknown): value is Money {
  if (typeof value !== 'object' || value === null) return false;
  const { amount, currency } = value as Record<string, unknown>;
  return typeof amount === 'string' && typeof currency === 'string';
}

/** A plan's overage in the wizard's words: Off, Once (+100 %), Metered. */
export function overageLabel(overage: Overage): string {
  return overage === 'metered' ? 'Metered' : overage ? 'Once (+100 %)' : 'Off';
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * The plan's §9 terms as label/value lines, in the order the wizard asks for them; empty for a
 * plan without them. The summary step, the plan details and the draft preview show these.
 */
export function policyFacts(config: PlanConfig): { key: string; label: string; value: string }[] {
  const facts: { key: string; label: string; value: string }[] = [];
  if (config.costs !== undefined) {
    const rates = Object.entries(config.costs).map(([channel, n]) => `${channel}: ${count(n ?? 1)}`);
    facts.push({ key: 'costs', label: 'Credits per message', value: `${rates.join('; ')} (other channels 1)` });
  }
  if (config.dailyLimit !== undefined) {
    const limit = config.dailyLimit;
    facts.push({
      key: 'dailyLimit',
      label: 'Daily limit',
      value:
        typeof limit === 'number'
          ? `${count(limit)} credits a day`
          : `${Object.entries(limit).map(([channel, n]) => `${channel}: ${count(n ?? 0)}`).join('; ')} credits a day`,
    });
  }
  if (config.overageMetered === true && config.overageRate !== undefined) {
    facts.push({ key: 'overageRate', label: 'Overage rate per credit', value: `${moneyLabel(config.overageRate)}, billed with the next period` });
  }
  if (config.price !== undefined) {
    facts.push({ key: 'price', label: 'Price per period', value: moneyLabel(config.price) });
  }
  if (config.minimumCharge !== undefined || config.price !== undefined) {
    const currency = config.price?.currency ?? config.minimumCharge?.currency ?? '';
    facts.push({ key: 'minimumCharge', label: 'Minimum charge', value: config.minimumCharge ? moneyLabel(config.minimumCharge) : `10.00 ${currency} (the default)` });
  }
  return facts;
}

// en-US on every side (e-mail, export, screen) so a number reads the same wherever it is shown.
const numberFormat = new Intl.NumberFormat('en-US');

/** A count of credits with thousands separators ("1,500,000"). */
export function creditAmountLabel(amount: number): string {
  return numberFormat.format(amount);
}

export function yesNoLabel(value: boolean): string {
  return value ? 'Yes' : 'No';
}

/** Renewal as the summary step words it: "No", or "Yes — Monthly". */
export function renewValueLabel(renew: Renew | null): string {
  return renew === null ? 'No' : `Yes — ${RENEW_LABELS[renew]}`;
}

/** Where the plan starts, as the summary step words it: "2026-01-01 at 00:00, Europe/Madrid". */
export function activationLabel(activation: PlanConfig['activation']): string {
  return `${activation.date} at 00:00, ${activation.timeZone}`;
}

const STATUS_LABELS: Readonly<Record<string, string>> = { live: 'In force', deleted: 'Deleted' };

const known = (labels: Readonly<Record<string, string>>, value: string): string => labels[value] ?? value;

function isActivation(value: object): value is PlanConfig['activation'] {
  const record = value as Record<string, unknown>;
  return typeof record.date === 'string' && typeof record.timeZone === 'string';
}

/**
 * One value of a plan field — old or new in a change, mine or central's in a conflict — in the
 * summary step's words, by the same path `fieldLabel` names the field with. The e-mails, the
 * history (screen and export) and the conflict view all write values through here, so "no
 * renewal" reads "No" in every one of them. A field a version lacks (a channel it does not
 * cover) reads "—". Older history may carry whole objects (`credits` map, `activation`).
 */
export function fieldValueLabel(field: string, value: unknown): string {
  if (value === null || value === undefined) return field === 'renew' ? renewValueLabel(null) : '—';
  if (typeof value === 'boolean') return yesNoLabel(value);
  if (typeof value === 'number') return creditAmountLabel(value);
  if (typeof value === 'string') {
    if (field === 'renew') return value in RENEW_LABELS ? renewValueLabel(value as Renew) : value;
    if (field === 'limit') return known(LIMIT_LABELS, value);
    if (field === 'status') return known(STATUS_LABELS, value);
    if (field === 'overage' && value === 'metered') return overageLabel('metered');
    return value;
  }
  if (typeof value === 'object') {
    if (isActivation(value)) return activationLabel(value);
    if (isMoney(value)) return moneyLabel(value);
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${bucketLabel(key)}: ${fieldValueLabel(`${field}.${key}`, inner)}`)
      .join('; ');
  }
  return String(value);
}
