/**
 * Plain values of the contract, without zod: the screens' first script imports them from here
 * (and the client from client.ts) so that it does not wait for zod to load and build every schema.
 */
import { HISTORY_ACTIONS } from '../domain/history';
export { HISTORY_ACTIONS };

/**
 * What a history entry of this console records: a plan version (HISTORY_ACTIONS), or add-on
 * credits given to the plan (a top-up, a charge-now; SPEC §9.2–9.3). Both sync.
 */
export const CREDIT_HISTORY_ACTIONS = ['credits_added', 'charged_now'] as const;
export const HISTORY_ENTRY_ACTIONS = [...HISTORY_ACTIONS, ...CREDIT_HISTORY_ACTIONS] as const;
export type HistoryEntryAction = (typeof HISTORY_ENTRY_ACTIONS)[number];

/** The actions in words, for the history table, its filter and its CSV export. */
export const HISTORY_ACTION_LABEL: Record<HistoryEntryAction, string> = {
  created: 'Created',
  updated: 'Updated',
  deleted: 'Deleted',
  credits_added: 'Credits added',
  charged_now: 'Charged now',
};

/** The e-mails the console keeps: the plan's (SPEC §6), and "Credits Added" for a top-up or a charge-now. */
export const CONSOLE_NOTIFICATION_KINDS = ['activated', 'updated', 'deleted', 'credits_added'] as const;

/**
 * Where a history entry stands with the central service: made here and not yet accepted
 * (local), accepted (confirmed), set aside in a conflict (conflicted), not applied because
 * the admin kept the central version (dropped), or applied again on top of it (rebased); credits
 * the central service refused (refused: kept here, on record), and credits given before this
 * console synced them (console_only).
 */
export const HISTORY_SYNC_STATES = ['local', 'confirmed', 'conflicted', 'dropped', 'rebased', 'refused', 'console_only'] as const;

/** The same in words, for the history table and its CSV export. */
export const HISTORY_SYNC_LABEL: Record<(typeof HISTORY_SYNC_STATES)[number], string> = {
  local: 'Not yet synced',
  confirmed: 'Accepted by the central service',
  conflicted: 'In conflict, set aside',
  dropped: 'Dropped: central version kept',
  // This version number went to the central one; the change took effect under a later number.
  rebased: 'Not applied as this version: applied again as a later one',
  refused: 'Refused by the central service: kept on this console only',
  console_only: 'Kept on this console: given before top-ups synced',
};

/**
 * The web host's path for several commands in one request (src/shared/api/README.md): the
 * renderer sends the calls it makes in one go (a screen's first reads) together, as each
 * request from the browser costs several ms of its own.
 */
export const WEB_BATCH_PATH = '/api/batch';
/** The most calls one batch may carry. */
export const MAX_BATCH_CALLS = 16;

/** The largest top-up (SPEC §9.8: credits from 1 to 10^12). */
export const MAX_TOP_UP_CREDITS = 1_000_000_000_000;
