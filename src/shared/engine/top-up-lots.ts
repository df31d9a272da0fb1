import type { Money } from '../domain';

/**
 * Add-on credits in a bucket (SPEC §9.2) as lots. The lots of a bucket are kept in their order
 * of spending — `period_end` lots (oldest first) before `never` lots (oldest first) — so that
 * spending walks the array once.
 */

export const TOP_UP_EXPIRIES = ['period_end', 'never'] as const;
export type TopUpExpiry = (typeof TOP_UP_EXPIRIES)[number];

export interface TopUpLot {
  /** The top-up's id (a charge-now's id for the lots it added). */
  id: string;
  /** Credits added. */
  credits: number;
  /** Credits not yet spent. */
  left: number;
  expires: TopUpExpiry;
  addedAtMs: number;
  /** For `period_end` lots: the last period index in which they may be spent; null for `never`. */
  untilPeriod: number | null;
  price: Money | null;
}

/** Insert a lot at its place in the order of spending. */
export function insertLot(lots: TopUpLot[], lot: TopUpLot): void {
  if (lot.expires === 'never') {
    lots.push(lot);
    return;
  }
  const firstNever = lots.findIndex((l) => l.expires === 'never');
  if (firstNever < 0) lots.push(lot);
  else lots.splice(firstNever, 0, lot);
}

/** Take `credits` from the lots in their order (the caller checked that they hold enough). */
export function spendLots(lots: TopUpLot[], credits: number): void {
  let rest = credits;
  for (let i = 0; i < lots.length && rest > 0; i += 1) {
    const lot = lots[i] as TopUpLot;
    const take = Math.min(rest, lot.left);
    lot.left -= take;
    rest -= take;
  }
}

/**
 * The lots that live on into period `next`: every `never` lot with credits left, and `period_end`
 * lots whose last period is at least `next` (an edit that started a new period stretched them).
 */
export function survivingLots(lots: readonly TopUpLot[], next: number): TopUpLot[] {
  return lots.filter((lot) => lot.left > 0 && (lot.untilPeriod === null || lot.untilPeriod >= next)).map((lot) => ({ ...lot }));
}

export function creditsLeft(lots: readonly TopUpLot[]): number {
  let sum = 0;
  for (const lot of lots) sum += lot.left;
  return sum;
}
