/**
 * Plain values of the contract, without zod: the screens' first script imports them from here
 * (and the client from client.ts) so that it does not wait for zod to load and build every schema.
 */
export { HISTORY_ACTIONS } from '../domain/history';

/**
 * Where a history entry stands with the central service: made here and not yet accepted
 * (local), accepted (confirmed), set aside in a conflict (conflicted), not applied because
 * the admin kept the central version (dropped), or applied again on top of it (rebased).
 */
export const HISTORY_SYNC_STATES = ['local', 'confirmed', 'conflicted', 'dropped', 'rebased'] as const;

/** The same in words, for the history table and its CSV export. */
export const HISTORY_SYNC_LABEL: Record<(typeof HISTORY_SYNC_STATES)[number], string> = {
  local: 'Not yet synced',
  confirmed: 'Accepted by the central service',
  conflicted: 'In conflict, set aside',
  dropped: 'Dropped: central version kept',
  // This version number went to the central one; the change took effect under a later number.
  rebased: 'Not applied as this version: applied again as a later one',
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
