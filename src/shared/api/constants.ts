/**
 * Plain values of the contract, without zod: the screens' first script imports them from here
 * (and the client from client.ts) so that it does not wait for zod to load and build every schema.
 */
export const HISTORY_ACTIONS = ['created', 'updated', 'deleted'] as const;
