import { POOL, type PlanConfig, type Renew } from './plan';

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
  if (field.startsWith('credits.')) return channelCreditsLabel(field.slice('credits.'.length));
  return field;
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
    return value;
  }
  if (typeof value === 'object') {
    if (isActivation(value)) return activationLabel(value);
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${bucketLabel(key)}: ${fieldValueLabel(`${field}.${key}`, inner)}`)
      .join('; ');
  }
  return String(value);
}
