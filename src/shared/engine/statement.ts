import type { Money } from '../domain';
import { cloneState, tick, type ChargeRecord, type PlanState } from './account';
import type { Period } from './calendar';
import { isoSecond } from './calendar';
import { sumMoney, zeroMoney } from './money';

/**
 * A period's statement (SPEC §9.6): the period's price, each charge-now with its price, and the
 * previous period's metered overage charge, billed together; and their total.
 */
export interface Statement {
  period: Period;
  price: Money;
  charges: ChargeRecord[];
  previousMeteredCharge: Money;
  total: Money;
}

/** The statement of the period in force at `ms` (≥ the state's clock), or null for a plan without a price or not live. */
export function statementAt(state: PlanState, ms: number): Statement | null {
  if (state.deletedAtMs !== null && ms >= state.deletedAtMs) return null;
  const copy = cloneState(state);
  tick(copy, Math.max(ms, copy.clockMs));
  const { price } = copy.config;
  if (copy.period === null || price === undefined) return null;
  const charges = (copy.charges ?? []).map((c) => ({ ...c, credits: { ...c.credits } }));
  const previous = copy.previousMeteredCharge;
  const previousMeteredCharge = previous != null && previous.currency === price.currency ? previous : zeroMoney(price.currency);
  const total = sumMoney([price, ...charges.map((c) => c.price), previousMeteredCharge], price.currency);
  return { period: copy.period, price, charges, previousMeteredCharge, total };
}

const csvField = (text: string): string => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A statement as CSV (one line per item, then the total), amounts as exact decimal strings. */
export function statementCsv(statement: Statement): string {
  const { period, price } = statement;
  const rows: string[][] = [['item', 'at', 'amount', 'currency']];
  rows.push(['Period price', isoSecond(period.startMs), price.amount, price.currency]);
  for (const charge of statement.charges) rows.push([`Charge now ${charge.id}`, isoSecond(charge.atMs), charge.price.amount, charge.price.currency]);
  rows.push(['Previous period metered overage', isoSecond(period.startMs), statement.previousMeteredCharge.amount, statement.previousMeteredCharge.currency]);
  rows.push(['Total', '', statement.total.amount, statement.total.currency]);
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
