import { markInterruptedImports } from '../usage-import';
import type { Ledger } from '../ledger';
import { settleAll } from '../accounts';
import { CreditsService } from './credits';
import { DetailsService } from './details';
import { DraftsService } from './drafts';
import { HistoryService } from './history';
import { NotificationsService } from './notifications';
import { OrgService } from './org';
import { PlansService } from './plans';
import { StatementsService } from './statements';
import { SyncService } from '../sync';
import type { TokenSealer } from '../sync/token-store';
import { UsageService } from './usage';
import { UsageAnalyticsService } from './usage-analytics';
import { UsageExplorerService } from './usage-explorer';

/**
 * The main process's services over the ledger. Time comes only from the injected clock
 * (epoch milliseconds), so tests control it; the acting person is a parameter of each change.
 */
export interface Services {
  ledger: Ledger;
  clock: () => number;
  org: OrgService;
  plans: PlansService;
  details: DetailsService;
  credits: CreditsService;
  statements: StatementsService;
  history: HistoryService;
  usage: UsageService;
  usageAnalytics: UsageAnalyticsService;
  usageExplorer: UsageExplorerService;
  notifications: NotificationsService;
  sync: SyncService;
  drafts: DraftsService;
}

export interface ServicesOptions {
  ledger: Ledger;
  clock: () => number;
  /**
   * Finish what a crash may have interrupted (imports left running, plans left dirty). On by
   * default: the host creates the services once, at start; a second set of services over the
   * same ledger in the same process (the demo seed's dated changes) passes false.
   */
  recover?: boolean;
  /** Seals the central service's token at rest (the Electron host passes safeStorage); none: stored as is. */
  tokenSealer?: TokenSealer | null;
}

export function createServices({ ledger, clock, recover = true, tokenSealer = null }: ServicesOptions): Services {
  if (recover) {
    const now = clock();
    ledger.transaction(() => markInterruptedImports(ledger, now));
    settleAll(ledger, now);
  }
  const plans = new PlansService(ledger, clock);
  const sync = new SyncService(ledger, clock, plans, tokenSealer);
  if (recover) sync.sealStoredToken();
  return {
    ledger,
    clock,
    org: new OrgService(ledger, clock),
    plans,
    details: new DetailsService(ledger, clock, plans),
    credits: new CreditsService(ledger, clock),
    statements: new StatementsService(ledger, clock, plans),
    history: new HistoryService(ledger),
    usage: new UsageService(ledger, clock),
    usageAnalytics: new UsageAnalyticsService(ledger, clock),
    usageExplorer: new UsageExplorerService(ledger, sync),
    notifications: new NotificationsService(ledger, clock),
    sync,
    drafts: new DraftsService(ledger, clock),
  };
}

export { composeNotification } from './notifications';
export type { OrgService } from './org';
export type { PlansService } from './plans';
export type { DetailsService } from './details';
export type { CreditsService } from './credits';
export type { StatementsService } from './statements';
export type { HistoryService } from './history';
export type { UsageService } from './usage';
export type { UsageAnalyticsService } from './usage-analytics';
export type { UsageExplorerService } from './usage-explorer';
export type { NotificationsService } from './notifications';
export type { SyncService } from '../sync';
export type { DraftsService } from './drafts';
