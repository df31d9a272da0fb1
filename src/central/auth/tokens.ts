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
}

export async function createToken(db: Queryable, token: NewToken, nowMs: number): Promise<{ id: string; secret: string }> {
  const secret = PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await db.query(
    'INSERT INTO tokens (id, hash, name, role, environments, created_ms) VALUES ($1, $2, $3, $4, $5, $6)',
    [id, hashToken(secret), token.name, token.role, token.environments, nowMs],
  );
  return { id, secret };
}

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
}

export async function findToken(db: Queryable, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(PREFIX) || secret.length > 200) return null;
  const result = await db.query<TokenRow>(
    'SELECT id, name, role, environments FROM tokens WHERE hash = $1 AND revoked_ms IS NULL',
    [hashToken(secret)],
  );
  const row = result.rows[0];
  if (!row) return null;
  return { tokenId: row.id, name: row.name, role: row.role, environments: row.environments };
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
    const principal = await findToken(this.db, secret);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(secret, { principal, expiresMs: nowMs + this.ttlMs });
    return principal;
  }
}
