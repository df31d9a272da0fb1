/**
 * The local ledger: one SQLite file (WAL, synchronous=FULL, foreign keys on), numbered
 * migrations and repositories. See README.md.
 */
export { LedgerOpenError, notFound, type LedgerOpenProblem } from './errors';
export { Ledger, openLedger } from './ledger';
export { MIN_SQLITE_VERSION, openDatabase, type OpenOptions } from './open';
export { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, migrate, type Migration } from './migrations';
export { decodeConfig, decodeState, encodeState } from './codec';
export { newChangeId, newId, newPlanId } from './ids';
export { BEGINNING, DAY_MS, HOUR_MS, SLOT_MS, dayOf, iso } from './time';
export { channelSql, directionSql, isMtSql, kindFromTextSql } from './usage-codes';
export * from './org';
export * from './plans';
export * from './history';
export * from './notifications';
export * from './drafts';
export * from './credits';
