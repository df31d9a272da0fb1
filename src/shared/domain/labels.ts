import type { PlanConfig, Renew } from './plan';

/** How plan terms read to a person: in e-mails, exports, messages and on screen. Written once. */
export const RENEW_LABELS: Record<Renew, string> = {
  weekly: 'Weekly',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  half_year: 'Every six months',
  annually: 'Annually',
};

export const LIMIT_LABELS: Record<PlanConfig['limit'], string> = {
  all_channels: 'All Channels',
  channel_specific: 'Channel Specific',
};
