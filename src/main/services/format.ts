import { bucketLabel, creditAmountLabel, LIMIT_LABELS, POOL, renewValueLabel, yesNoLabel, type Channel, type PlanConfig } from '../../shared/domain';

/** How plan terms read in exports and messages: the domain's wording (shared/domain/labels), one per term. */

export const renewLabel = renewValueLabel;
export const formatCredits = creditAmountLabel;

export function limitLabel(config: PlanConfig): string {
  return LIMIT_LABELS[config.limit];
}

/** "All Channels: 10,000" or "SMS: 500; WhatsApp: 300". */
export function creditsLabel(config: PlanConfig): string {
  if (config.limit === 'all_channels') return `${bucketLabel(POOL)}: ${formatCredits(config.credits)}`;
  return (Object.entries(config.credits) as [Channel, number][]).map(([ch, n]) => `${ch}: ${formatCredits(n)}`).join('; ');
}

export const yesNo = yesNoLabel;

