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

/** A command family ("plans.") or one command ("plans.preview"): what an invalidation names. */
export type Family = (CommandName extends `${infer F}.${string}` ? `${F}.` : never) | CommandName;

/** The commands that change something, and so invalidate what the screens read. */
export type WriteCommand =
  | 'plans.create'
  | 'plans.edit'
  | 'plans.delete'
  | 'plans.addCredits'
  | 'plans.chargeNow'
  | 'spaces.addChannel'
  | 'drafts.save'
  | 'drafts.delete'
  | 'usage.import'
  | 'usage.record'
  | 'sync.now'
  | 'sync.resolveConflict'
  | 'settings.update';

/** A plan's change shows in its space, its details, the history, the e-mails and the sync outbox. */
const PLAN_CHANGE = ['plans.', 'spaces.', 'details.', 'history.', 'notifications.', 'sync.', 'usage.report', 'usage.explain'] as const satisfies readonly Family[];
/** A space's change (a channel) shows in its environment's counts and in what plans may cover. */
const SPACE_CHANGE = ['spaces.', 'environments.', 'plans.'] as const satisfies readonly Family[];
/** Usage moves balances and what an edit would leave. */
const USAGE_CHANGE = ['details.', 'plans.preview', 'plans.statement', 'usage.report', 'usage.explain'] as const satisfies readonly Family[];
const DRAFT_CHANGE = ['drafts.'] as const satisfies readonly Family[];

/**
 * What each write invalidates on success, declared once. A pull from the central service may
 * bring any of these changes, so `sync.now` (and a background pull, through `ledger.changed`)
 * applies all of them.
 */
export const INVALIDATIONS: Record<WriteCommand, readonly Family[]> = {
  'plans.create': PLAN_CHANGE,
  'plans.edit': PLAN_CHANGE,
  'plans.delete': PLAN_CHANGE,
  // Add-on credits move the plan's balances and are part of its record.
  'plans.addCredits': PLAN_CHANGE,
  'plans.chargeNow': PLAN_CHANGE,
  'sync.resolveConflict': PLAN_CHANGE,
  'spaces.addChannel': SPACE_CHANGE,
  'drafts.save': DRAFT_CHANGE,
  'drafts.delete': DRAFT_CHANGE,
  'usage.import': USAGE_CHANGE,
  'usage.record': USAGE_CHANGE,
  'settings.update': ['settings.', 'sync.'],
  'sync.now': [...new Set([...PLAN_CHANGE, ...SPACE_CHANGE, ...USAGE_CHANGE])],
};

type Scope = EventPayload<'ledger.changed'>['scope'];

/**
 * Which families show data of each ledger scope: the same lists as the writes that change that
 * scope, so a change made in another window, or brought in by a pull, refreshes what a local
 * change would.
 */
const FAMILIES_OF_SCOPE: Record<Scope, readonly Family[]> = {
  plans: INVALIDATIONS['plans.edit'],
  spaces: INVALIDATIONS['spaces.addChannel'],
  usage: INVALIDATIONS['usage.record'],
  history: ['history.'],
  notifications: ['notifications.', 'sync.'],
  drafts: INVALIDATIONS['drafts.save'],
};

export function isKeyOfScope(queryKey: readonly unknown[], scope: Scope): boolean {
  return isKeyOfFamilies(queryKey, FAMILIES_OF_SCOPE[scope]);
}

export function isKeyOfFamilies(queryKey: readonly unknown[], families: readonly string[]): boolean {
  const name = queryKey[1];
  return queryKey[0] === 'api' && typeof name === 'string' && families.some((family) => name.startsWith(family));
}
