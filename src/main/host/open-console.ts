import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createDispatcher, type Dispatcher } from '../../shared/api';
import { openLedger } from '../ledger';
import { createServices } from '../services';
import { seedDemo } from '../services/demo';
import { createHandlers } from '../services/handlers';
import { SyncClient, type SyncClientOptions } from '../sync';
import { createEventBus, type EventBus } from './event-bus';

/** The ledger's file name inside the data folder. */
export const LEDGER_FILE = 'ledger.sqlite';

export interface OpenConsoleOptions {
  /** The data folder; created (private to the user) if missing. */
  dataDir: string;
  /** Skip the first-start demo environment. */
  empty: boolean;
  /** Epoch milliseconds; tests pass their own. */
  clock?: () => number;
  /** Where unexpected failures of a command are logged (their details never reach the screens). */
  log?: (line: string) => void;
  /** Told before the demo environment is generated (it takes a few seconds). */
  onSeeding?: () => void;
  /** The better-sqlite3 addon to open the ledger with (the Electron host's own build); default: the one npm built. */
  nativeBinding?: string;
  /** The sync client's timing (tests shorten it); false: run without one. */
  sync?: Pick<SyncClientOptions, 'intervalMs' | 'backoff' | 'changeDelayMs' | 'pageLimit' | 'timeoutMs'> | false;
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

/**
 * Open the ledger in the data folder (refusing, untouched, a file that is not a healthy ledger),
 * build the services and the dispatcher over them, and on the very first start, unless asked
 * for an empty ledger, fill it with the demo environment.
 */
export async function openConsole(options: OpenConsoleOptions): Promise<ConsoleRuntime> {
  const log = options.log ?? ((line: string) => console.error(line));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const ledgerPath = path.join(options.dataDir, LEDGER_FILE);
  const firstStart = !existsSync(ledgerPath);
  const ledger = openLedger(ledgerPath, options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding });
  try {
    const clock = options.clock ?? (() => Date.now());
    const services = createServices({ ledger, clock });
    let seededDemo = false;
    if (firstStart && !options.empty) {
      options.onSeeding?.();
      seededDemo = (await seedDemo(services, clock)) !== null;
    }
    const bus = createEventBus({ onError: (error, context) => log(`[events] ${context}: ${describe(error)}`) });
    const client =
      options.sync === false
        ? null
        : new SyncClient({
            ...options.sync,
            services,
            log,
            onStatus: (status) => bus.emit('sync.status', status),
            onLedgerChanged: () => {
              for (const scope of ['plans', 'history', 'notifications', 'usage', 'spaces'] as const) bus.emit('ledger.changed', { scope });
            },
          });
    const handlers = createHandlers(services, {
      emit: (name, payload) => {
        bus.emit(name, payload);
        // Every local write tells the screens; it also tells the sync client to push soon.
        if (name === 'ledger.changed') client?.notifyLocalChange();
      },
      // New settings (another service, a new token): sync with them soon.
      onSettingsChanged: () => client?.notifyLocalChange(),
      ...(client ? { sync: client } : {}),
    });
    client?.start();
    const dispatcher = createDispatcher(handlers, {
      onInternalError: (error, command) => log(`[${command}] ${describe(error)}`),
    });
    return {
      dispatcher,
      bus,
      ledgerPath,
      seededDemo,
      close: () => {
        // A round in flight finishes on the open ledger; the file closes right after it.
        if (client === null || (client.halt(), !client.busy)) ledger.close();
        else void client.stop().finally(() => ledger.close());
      },
    };
  } catch (error) {
    ledger.close();
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
