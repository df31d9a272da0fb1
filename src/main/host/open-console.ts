import type { Dispatcher } from '../../shared/api';
import type { EventBus } from './event-bus';

export interface OpenConsoleOptions {
  /** The data folder; created if missing. The ledger is one SQLite file inside it. */
  dataDir: string;
  /** Skip the first-start demo environment. */
  empty: boolean;
  /** Electron's build of better_sqlite3.node (scripts/electron-sqlite.mjs); Node's copy otherwise. */
  nativeBinding?: string;
}

/** The services as both hosts use them. */
export interface ConsoleRuntime {
  dispatcher: Dispatcher;
  bus: EventBus;
  ledgerPath: string;
  /** Whether this start created the demo environment. */
  seededDemo: boolean;
  close(): void;
}

export async function openConsole(_options: OpenConsoleOptions): Promise<ConsoleRuntime> {
  throw new Error('not wired yet');
}
