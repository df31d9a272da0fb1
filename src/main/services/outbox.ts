import { changeSchema, type Change, type ChangeInput } from '../../shared/sync';
import { ApiFailure } from '../../shared/api';

/**
 * Outbox rows carry changes in the sync wire format. Each is checked against the wire schema
 * before it is stored, so a change the central service would refuse as malformed never waits
 * in the outbox.
 */
export function wireChange(change: ChangeInput): Change {
  const parsed = changeSchema.safeParse(change);
  if (!parsed.success) {
    throw new Error(`outbox change ${change.kind} breaks the sync wire format: ${parsed.error.message}`);
  }
  return parsed.data;
}

/** Who is acting, as the history log and the central service record it. */
export function actorName(actor: string): string {
  const name = actor.trim();
  if (name.length === 0) throw new ApiFailure('validation', 'Every change must name who makes it; the console has no user name for you.');
  if (name.length > 200) throw new ApiFailure('validation', 'The name of who makes the change is longer than 200 characters.');
  return name;
}
