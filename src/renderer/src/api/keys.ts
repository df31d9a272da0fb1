import type { CommandInput, CommandName, EventPayload } from '../../../shared/api';

/**
 * Every query is keyed by the command it calls and that command's input, so a change event can
 * invalidate by command family ("plans.", "details.") without each screen knowing the others.
 */
export const queryKeys = {
  all: ['api'] as const,
  family: (prefix: string) => ['api', prefix] as const,
  command: <N extends CommandName>(name: N, input: CommandInput<N>) => ['api', name, input] as const,
};

type Scope = EventPayload<'ledger.changed'>['scope'];

/** Which command families show data of each ledger scope. */
const FAMILIES_OF_SCOPE: Record<Scope, readonly string[]> = {
  plans: ['plans.', 'spaces.', 'details.', 'history.', 'notifications.', 'sync.', 'usage.report'],
  spaces: ['spaces.', 'environments.', 'plans.'],
  usage: ['details.', 'plans.preview', 'usage.report'],
  history: ['history.'],
  notifications: ['notifications.', 'sync.'],
  drafts: ['drafts.'],
};

export function isKeyOfScope(queryKey: readonly unknown[], scope: Scope): boolean {
  const name = queryKey[1];
  if (queryKey[0] !== 'api' || typeof name !== 'string') return false;
  return FAMILIES_OF_SCOPE[scope].some((family) => name.startsWith(family));
}

export function isKeyOfFamilies(queryKey: readonly unknown[], families: readonly string[]): boolean {
  const name = queryKey[1];
  return queryKey[0] === 'api' && typeof name === 'string' && families.some((family) => name.startsWith(family));
}
