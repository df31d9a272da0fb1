export { HistoryLogs } from './HistoryLogs';
export { toHistoryFilter } from './filter';
