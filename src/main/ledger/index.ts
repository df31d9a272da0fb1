/**
 * The local ledger: one SQLite file (WAL, synchronous=FULL, foreign keys on), numbered
 * migrations, repositories, the engine state of every plan, and usage import.
 * See README.md for how usage, aggregates and engine states are kept.
 */
export { LedgerOpenError, type LedgerOpenProblem } from './errors';
export { Ledger, openLedger } from './ledger';
export { MIN_SQLITE_VERSION, openDatabase, type OpenOptions } from './open';
export { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, migrate, type Migration } from './migrations';
export { decodeState, encodeState } from './codec';
export { newChangeId, newId, newPlanId } from './ids';
export { BEGINNING, DAY_MS, HOUR_MS, SLOT_MS, iso } from './time';
export * from './org';
export * from './plans';
export * from './history';
export * from './sync';
export * from './notifications';
export * from './drafts';
export { Attribution, buildTimeline, covers, currentAttribution, loadTimelines, type PlanTimeline, type TimelineVersion } from './timeline';
export { loadAccount, settle, settleAll, stateAt, type Account } from './accounts';
export { afterPlanVersion, refreshPlans } from './plan-engine';
export { AggregateDelta, spaceDailyRate, usageInWindow, usageInWindows, type ChannelTotals } from './aggregates';
export { centralUsageCorrections, type CentralUsagePlan } from './central-usage';
export { CENTRAL_CLOCK_SKEW_MS, centralBucketsAt, type CentralBuckets, type CentralStatePlan } from './central-state';
export {
  ImportFormatError,
  ImportStoppedError,
  UsageWriter,
  importUsageFile,
  importUsageText,
  markInterruptedImports,
  recordUsageEvents,
  type EventDecision,
  type EventInput,
  type ImportOptions,
  type ImportProgress,
  type ImportSaved,
  type ImportReport,
} from './usage';
export { parseIsoInstant, type UsageRow } from './usage-rows';
