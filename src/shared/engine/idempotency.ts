import { recordUsage, type PlanState, type UsageDecision, type UsageInput } from './account';

/**
 * A plan's state together with the decisions already taken, keyed by usage id: the same id
 * twice has one effect, and the second time it answers with the first decision.
 */
export interface PlanAccount {
  state: PlanState;
  decisions: Map<string, UsageDecision>;
}

export function createAccount(state: PlanState): PlanAccount {
  return { state, decisions: new Map() };
}

export function recordUsageOnce(account: PlanAccount, usage: UsageInput, ms: number): UsageDecision {
  const prior = account.decisions.get(usage.id);
  if (prior !== undefined) return prior;
  const decision = recordUsage(account.state, usage, ms);
  // An out-of-order event was not decided, so a later retry of the same id may still be.
  if (decision.accepted || decision.reason !== 'out_of_order') account.decisions.set(usage.id, decision);
  return decision;
}
