import { bucketLabel } from '../domain';
import type { HistoryCredit } from '../api/schemas';

/**
 * Credits given to a plan (a top-up or a charge-now) in words — one wording for the history
 * table, its CSV export and the "Credits Added" e-mail. Kept apart from the composer so that the
 * screens can use it without loading the e-mails.
 */

export type CreditGrant = Pick<HistoryCredit, 'kind' | 'credits' | 'expires' | 'price' | 'week'>;

const count = (n: number): string => n.toLocaleString('en-US');

export function moneyWords(price: HistoryCredit['price']): string {
  return price === null ? 'no price' : `${price.amount} ${price.currency}`;
}

export function expiryWords(expires: HistoryCredit['expires']): string {
  return expires === 'never' ? 'never expire (used after the plan’s own credits)' : 'expire at the end of the period';
}

/** "+5,000 SMS credits" per bucket, in the buckets' order as given. */
export function creditLines(credits: HistoryCredit['credits']): string[] {
  return Object.entries(credits).map(([bucket, n]) => `+${count(n ?? 0)} ${bucketLabel(bucket)} credits`);
}

/** The whole grant on one line: "+5,000 SMS credits; never expire (…); price 25.00 USD". */
export function creditGrantWords(grant: CreditGrant): string {
  const parts = [creditLines(grant.credits).join(', '), expiryWords(grant.expires)];
  if (grant.week !== null) parts.push(`billing week ${grant.week.week} of ${grant.week.weeks} (day ${grant.week.day} of ${grant.week.days})`);
  parts.push(grant.price === null ? 'no price' : `price ${moneyWords(grant.price)}`);
  return parts.join('; ');
}
