import type { Caller, Role } from '../../src/shared/api';

/** The three people the e2e suite acts as; each gets its own secret from the web host. */
export const CALLERS: Record<Role, Caller> = {
  admin: { actor: 'Ana Admin', role: 'admin' },
  account_manager: { actor: 'Manu Manager', role: 'account_manager' },
  support: { actor: 'Sol Support', role: 'support' },
};

/** One space per spec, so specs running in parallel never see each other's plans. */
export const FIXTURE_SPACES = [
  'Create',
  'Shared',
  'Overlap',
  'Rollover',
  'Edit',
  'Delete',
  'History',
  'HistoryPages',
  'Usage',
  'Roles',
  'Preview',
  'Axe',
  'AxePool',
  'AxeDetails',
  'Central',
  'SyncConflict',
  'OpensOnCredits',
  'Overage',
  'UsageAnalytics',
  'Calculator',
  'InputChecks',
  'Coexist',
  'PoolUse',
  'EditRollover',
  'Explorer',
  'TopUp',
  'ChargeNow',
  'Policies',
  'Statement',
  'StatementFree',
] as const;
export type FixtureSpace = (typeof FIXTURE_SPACES)[number];

export const FIXTURE_ENVIRONMENT = 'E2E Environment';

/** What the global setup hands to the specs. */
export interface ServerInfo {
  origin: string;
  secrets: Record<Role, string>;
  environmentId: string;
  spaces: Record<FixtureSpace, string>;
  dataDir: string;
  pid: number;
}
