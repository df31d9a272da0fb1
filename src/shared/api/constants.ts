/**
 * Plain values of the contract, without zod: the screens' first script imports them from here
 * (and the client from client.ts) so that it does not wait for zod to load and build every schema.
 */
export const HISTORY_ACTIONS = ['created', 'updated', 'deleted'] as const;

/**
 * The web host's path for several commands in one request (src/shared/api/README.md): the
 * renderer sends the calls it makes in one go (a screen's first reads) together, as each
 * request from the browser costs several ms of its own.
 */
export const WEB_BATCH_PATH = '/api/batch';
/** The most calls one batch may carry. */
export const MAX_BATCH_CALLS = 16;
