/** UTC slot sizes of the usage aggregates. Every zone offset in use today is a multiple of 15 minutes. */
export const SLOT_MS = 15 * 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The earliest instant a stored state may be replayed from: "from the beginning". */
export const BEGINNING = Number.MIN_SAFE_INTEGER;

/** UTC ISO-8601 with milliseconds and Z, as every instant crosses the contract. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
