/** Crockford base32, as the ledger's ids (no I, L, O, U). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of the top-up or charge-now a dialog is about to ask for, chosen when it opens: the
 * request's idempotency key (SPEC §9.8), so a confirmation sent twice adds the credits once.
 */
export function newCreditId(prefix: 'TU' | 'CN'): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let id = `${prefix}-`;
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return id;
}
