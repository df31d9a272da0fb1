/**
 * How the central service's token is kept in the ledger. Where the host can seal it with the
 * operating system's key store (Electron's safeStorage: Keychain, DPAPI, libsecret/kwallet), the
 * ledger holds only the sealed bytes; elsewhere (the web host, the command line) it holds the
 * token itself, in a file only its owner can read (0600).
 */
export interface TokenSealer {
  /** What protects the token, for the log (e.g. "Electron safeStorage (gnome_libsecret)"). */
  readonly name: string;
  seal(token: string): Buffer;
  /** Throws when the bytes were not sealed by this key store (another machine or user). */
  unseal(sealed: Buffer): string;
}

const SEALED = 'sealed:v1:';

/** What to store for `token`: sealed when a sealer is given. */
export function tokenToStore(token: string, sealer: TokenSealer | null): string {
  return sealer === null ? token : `${SEALED}${sealer.seal(token).toString('base64')}`;
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED);
}

export type StoredToken = { token: string } | { token: null; problem: string };

/** The token from what the ledger holds, or why it cannot be read here. */
export function readStoredToken(stored: string, sealer: TokenSealer | null): StoredToken {
  if (!isSealed(stored)) return { token: stored };
  const again = 'enter the token again under Sync & notifications → Settings.';
  if (sealer === null) {
    return { token: null, problem: `The stored token was sealed by the desktop console's key store and cannot be read here; ${again}` };
  }
  try {
    return { token: sealer.unseal(Buffer.from(stored.slice(SEALED.length), 'base64')) };
  } catch {
    return { token: null, problem: `The stored token cannot be unsealed by this computer's key store (${sealer.name}); ${again}` };
  }
}
