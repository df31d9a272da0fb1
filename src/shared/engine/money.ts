import type { Money } from '../domain';

/**
 * Money, exactly (SPEC §1, §9.8). Amounts travel as decimal strings and are computed as
 * integers (bigint) scaled by a power of ten, so no price, rate or charge ever passes through a
 * float. Rounding is half-up to the currency's minor unit (JPY 0 decimals, KWD 3, most 2).
 */

/** An exact decimal: `units / 10^scale`. */
export interface Decimal {
  units: bigint;
  scale: number;
}

/** Up to 18 digits before the point and 12 after: far beyond any price, and bounded for bigint work. */
const AMOUNT = /^(\d{1,18})(?:\.(\d{1,12}))?$/;

export function parseDecimal(text: string): Decimal | null {
  const match = AMOUNT.exec(text);
  if (!match) return null;
  const fraction = match[2] ?? '';
  return { units: BigInt(`${match[1]}${fraction}`), scale: fraction.length };
}

const TEN = 10n;
const pow10 = (n: number): bigint => TEN ** BigInt(n);

function rescale(value: Decimal, scale: number): bigint {
  return value.units * pow10(scale - value.scale);
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `value × n` for an integer n ≥ 0 (credits), exact. */
export function multiplyDecimal(value: Decimal, n: number): Decimal {
  return { units: value.units * BigInt(n), scale: value.scale };
}

/** `value ÷ divisor` (an integer ≥ 1), rounded half-up to `digits` decimals. */
export function divideRounded(value: Decimal, divisor: number, digits: number): Decimal {
  // numerator / (divisor · 10^value.scale) · 10^digits, rounded half-up (values are never negative).
  const numerator = value.units * pow10(digits) * 2n;
  const denominator = BigInt(divisor) * pow10(value.scale) * 2n;
  return { units: (numerator + denominator / 2n) / denominator, scale: digits };
}

/** Round half-up to `digits` decimals. */
export function roundDecimal(value: Decimal, digits: number): Decimal {
  if (value.scale <= digits) return { units: rescale(value, digits), scale: digits };
  return divideRounded(value, 1, digits);
}

export function formatDecimal({ units, scale }: Decimal): string {
  if (scale === 0) return units.toString();
  const digits = units.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

let currencies: Set<string> | null = null;

/** Is `code` an ISO 4217 currency code this runtime knows? */
export function isCurrency(code: unknown): code is string {
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) return false;
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

const minorUnits = new Map<string, number>();

/** Decimals of a currency's minor unit (USD 2, JPY 0, KWD 3), as the runtime's ISO 4217 data says. */
export function minorDigits(currency: string): number {
  let digits = minorUnits.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorUnits.set(currency, digits);
  }
  return digits;
}

/** Parse a money value from JSON: `{ amount: "150.00", currency: "USD" }`; null when malformed. */
export function parseMoney(value: unknown): Money | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { amount, currency, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return null;
  if (typeof amount !== 'string' || parseDecimal(amount) === null || !isCurrency(currency)) return null;
  return { amount, currency };
}

export function decimalOf(money: Money): Decimal {
  const value = parseDecimal(money.amount);
  if (value === null) throw new Error(`not a money amount: ${money.amount}`);
  return value;
}

/** A money value with an exact decimal, rounded half-up to its currency's minor unit. */
export function moneyOf(value: Decimal, currency: string): Money {
  return { amount: formatDecimal(roundDecimal(value, minorDigits(currency))), currency };
}

export function zeroMoney(currency: string): Money {
  return moneyOf({ units: 0n, scale: 0 }, currency);
}

/** The sum of amounts in one currency, rounded to its minor unit. */
export function sumMoney(values: readonly Money[], currency: string): Money {
  let total: Decimal = { units: 0n, scale: 0 };
  for (const value of values) total = addDecimals(total, decimalOf(value));
  return moneyOf(total, currency);
}
