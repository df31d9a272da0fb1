/**
 * The console's network sync client: pushes the ledger's outbox to the central service and
 * pulls what changed there, by cursor. The protocol's wire format is in src/shared/sync.
 */
export { SyncClient, type SyncClientOptions } from './client';
export { backoffDelay } from './backoff';
export { CentralFailure } from './central-http';
export type { TokenSealer } from './token-store';
