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
