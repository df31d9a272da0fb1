import { randomBytes, randomUUID } from 'node:crypto';

/** Crockford base32: no I, L, O, U, so an id read aloud or retyped survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHABET[bytes[i]! & 31];
  return out;
}

/** Credit Plan ID: "CP-" and 10 random base32 characters (50 bits). */
export function newPlanId(): string {
  return `CP-${base32(10)}`;
}

/** TU: a top-up, CN: a charge-now (one id space, SPEC §9.8). */
export function newId(prefix: 'ENV' | 'SP' | 'NT' | 'DR' | 'IM' | 'TU' | 'CN'): string {
  return `${prefix}-${base32(10)}`;
}

/** The id of one change in the outbox, generated and stored before it is ever sent. */
export function newChangeId(): string {
  return randomUUID();
}
