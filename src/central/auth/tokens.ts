import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CentralRole, SessionRecord } from '../../shared/sync';
import type { Queryable } from '../store';

/**
 * Bearer tokens. The secret is shown once, when created; the database keeps only its SHA-256
 * (a token is 32 random bytes, so a plain hash is enough: there is nothing to guess).
 */
export type Principal = SessionRecord;

const PREFIX = 'cpc_';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface NewToken {
  name: string;
  role: CentralRole;
  /** null: every environment. */
  environments: string[] | null;
  /** When the token stops working; null: never. */
  expiresMs?: number | null;
}

export async function createToken(db: Queryable, token: NewToken, nowMs: number): Promise<{ id: string; secret: string }> {
  const secret = PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await db.query(
    'INSERT INTO tokens (id, hash, name, role, environments, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [id, hashToken(secret), token.name, token.role, token.environments, nowMs, token.expiresMs ?? null],
  );
  return { id, secret };
}

export interface TokenInfo {
  id: string;
  environments: string[] | null;
  revokedMs: number | null;
}

export async function tokenInfo(db: Queryable, id: string): Promise<TokenInfo | null> {
  const result = await db.query<{ id: string; environments: string[] | null; revoked_ms: unknown }>(
    'SELECT id, environments, revoked_ms FROM tokens WHERE id = $1',
    [id],
  );
  const row = result.rows[0];
  return row ? { id: row.id, environments: row.environments, revokedMs: row.revoked_ms === null ? null : Number(row.revoked_ms) } : null;
}

/** Revoke a token; false when there is no such token or it was revoked already. */
export async function revokeToken(db: Queryable, id: string, nowMs: number): Promise<boolean> {
  const result = await db.query('UPDATE tokens SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL', [id, nowMs]);
  return result.rowCount > 0;
}

interface TokenRow {
  [key: string]: unknown;
  id: string;
  name: string;
  role: CentralRole;
  environments: string[] | null;
  expires_ms: unknown;
}

export async function findToken(db: Queryable, secret: string, nowMs: number): Promise<{ principal: Principal; expiresMs: number | null } | null> {
  if (!secret.startsWith(PREFIX) || secret.length > 200) return null;
  const result = await db.query<TokenRow>(
    'SELECT id, name, role, environments, expires_ms FROM tokens WHERE hash = $1 AND revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > $2)',
    [hashToken(secret), nowMs],
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    principal: { tokenId: row.id, name: row.name, role: row.role, environments: row.environments },
    expiresMs: row.expires_ms === null ? null : Number(row.expires_ms),
  };
}

export function maySee(principal: Principal, environmentId: string): boolean {
  return principal.environments === null || principal.environments.includes(environmentId);
}

/**
 * Looks tokens up with a short memory, so a burst of usage requests does not read the token
 * table for each one. A revoked token stops working within `ttlMs` on every instance.
 */
export class TokenVerifier {
  private readonly cache = new Map<string, { principal: Principal | null; expiresMs: number }>();

  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = 2_000,
  ) {}

  async verify(secret: string, nowMs: number): Promise<Principal | null> {
    const hit = this.cache.get(secret);
    if (hit && hit.expiresMs > nowMs) return hit.principal;
    const found = await findToken(this.db, secret, nowMs);
    if (this.cache.size > 10_000) this.cache.clear();
    // Remembered no longer than the token lives.
    this.cache.set(secret, { principal: found?.principal ?? null, expiresMs: Math.min(nowMs + this.ttlMs, found?.expiresMs ?? Infinity) });
    return found?.principal ?? null;
  }

  /** Forget a token at once on this instance (revoked here); other instances within ttlMs. */
  forget(tokenId: string): void {
    for (const [secret, entry] of this.cache) if (entry.principal?.tokenId === tokenId) this.cache.delete(secret);
  }
}
