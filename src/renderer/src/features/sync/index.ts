export { SyncPanel } from './SyncPanel';
