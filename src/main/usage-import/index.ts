/**
 * Usage files into the ledger: parsing CSV and JSON Lines (in a worker thread for large
 * files), checking rows, and writing raw events, aggregates and engine decisions in batches.
 * See README.md.
 */
export {
  ImportFormatError,
  UsageWriter,
  importUsageFile,
  importUsageText,
  markInterruptedImports,
  recordUsageEvents,
  type EventDecision,
  type EventInput,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
  type ParseIn,
} from './import';
export { parseIsoInstant, type UsageRow } from './rows';
