export { firstHistoryPageInput, HistoryLogs, usePrefetchHistory } from './HistoryLogs';
export { toHistoryFilter } from './filter';
