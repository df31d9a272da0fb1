import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../../shared/api';
import { callerSchema } from '../host';

/** A caller and the secret that identifies it for this run of the web host only. */
export interface CallerSession {
  caller: Caller;
  secret: string;
}

/** 256 random bits each, new at every start: a secret from an earlier run opens nothing. */
export function issueSecrets(callers: readonly Caller[]): CallerSession[] {
  if (callers.length === 0) throw new Error('The web host needs at least one caller.');
  return callers.map((caller) => ({ caller: callerSchema.parse(caller), secret: randomBytes(32).toString('base64url') }));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The caller a presented secret belongs to; compared in constant time. */
export function callerForSecret(sessions: readonly CallerSession[], presented: string | null | undefined): Caller | null {
  if (!presented) return null;
  const presentedDigest = digest(presented);
  let found: Caller | null = null;
  for (const session of sessions) {
    if (timingSafeEqual(digest(session.secret), presentedDigest)) found = session.caller;
  }
  return found;
}

/** The secret from `Authorization: Bearer <secret>`. */
export function bearerSecret(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}
