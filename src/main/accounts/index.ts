/**
 * The engine state of every plan, kept current from the ledger: which plan each event counts
 * against (timeline), the stored state per plan and its replay (accounts, plan-engine), and the
 * usage aggregates the import writes and plan details read. See README.md.
 */
export {
  Attribution,
  buildTimeline,
  currentAttribution,
  loadTimelines,
  refreshPlanTimeline,
  type PlanTimeline,
  type TimelineVersion,
} from './timeline';
export {
  AccountSession,
  applyNewCredit,
  applyNewVersion,
  explainEvent,
  loadAccount,
  markDirty,
  saveAccount,
  settle,
  settleAll,
  stateAt,
  type Account,
  type NewEvent,
} from './accounts';
export { afterPlanVersion, refreshPlans } from './plan-engine';
export { AggregateDelta, channelIndex, spaceDailyRate, usageInWindow, usageInWindows, type ChannelTotals } from './aggregates';
export { DIM, SpaceUsageDelta, labelNames, labelRefs, spaceLabelTotals, spaceUsageWindows, utcMonth, type Dim, type KeyedUsage, type UsageCell } from './space-usage';
