/**
 * All of the console's sync with the central service: the outbox and sync state, applying
 * pulled pages, conflicts, the central service's usage and bucket states as plan details show
 * them, the sync service behind the contract's sync commands, and the network client that
 * pushes and pulls. The protocol's wire format is in src/shared/sync.
 */
export { SyncClient, type SyncClientOptions } from './client';
export { backoffDelay } from './backoff';
export { CentralFailure, explainCentralEvent } from './central-http';
export { SyncService } from './service';
export {
  getOutbox,
  getSyncState,
  insertOutbox,
  markOutboxSent,
  outboxCounts,
  outboxForPlan,
  outboxToSend,
  setSyncSettings,
  settleOutbox,
  updateSyncState,
  type OutboxKind,
  type OutboxRow,
  type OutboxStatus,
  type SyncStateRow,
} from './outbox';
export {
  closeConflict,
  getConflict,
  listConflicts,
  openConflictCount,
  planHasUnsentChanges,
  setAsideConflict,
  type ConflictReason,
  type ConflictRow,
  type MinePlan,
} from './conflicts';
export { applyPullPage, refreshEngine, type PullPageResult } from './pull';
export { applyPulledCredit, creditChange, isCreditChange, settleCreditChange } from './credits';
export { centralUsageCorrections, type CentralUsagePlan } from './central-usage';
export { centralSpaceChannelCorrections, centralSpaceLabelCorrections, type NamedUsage } from './central-space-usage';
export { CENTRAL_CLOCK_SKEW_MS, centralBucketsAt, type CentralBuckets, type CentralStatePlan } from './central-state';
export type { TokenSealer } from './token-store';
