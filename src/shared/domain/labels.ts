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
