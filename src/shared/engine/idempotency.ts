import { recordUsage, type PlanState, type UsageDecision, type UsageInput } from './account';
import { explainUsage, type UsageExplanation } from './explain';
import { applyChargeNow, applyTopUp, type ChargeNowResult, type TopUpRequest, type TopUpResult } from './top-ups';

/**
 * A plan's state together with the decisions already taken, keyed by usage id: the same id
 * twice has one effect, and the second time it answers with the first decision. Top-ups and
 * charge-nows share a second id space (SPEC §9.8), apart from usage ids.
 */
export interface PlanAccount {
  state: PlanState;
  decisions: Map<string, UsageDecision>;
  /** First answers to top-up and charge-now ids (absent in accounts made before SPEC §9). */
  grants?: Map<string, TopUpResult | ChargeNowResult>;
}

export function createAccount(state: PlanState): PlanAccount {
  return { state, decisions: new Map(), grants: new Map() };
}

export function recordUsageOnce(account: PlanAccount, usage: UsageInput, ms: number): UsageDecision {
  const prior = account.decisions.get(usage.id);
  if (prior !== undefined) return prior;
  return remember(account, usage.id, recordUsage(account.state, usage, ms));
}

function remember(account: PlanAccount, id: string, decision: UsageDecision): UsageDecision {
  // An out-of-order event was not decided, so a later retry of the same id may still be.
  if (decision.accepted || decision.reason !== 'out_of_order') account.decisions.set(id, decision);
  return decision;
}

/**
 * `recordUsageOnce` with its explanation: null when the id was already decided (the event then
 * answers with the first decision and takes nothing).
 */
export function explainUsageOnce(account: PlanAccount, usage: UsageInput, ms: number): { decision: UsageDecision; explanation: UsageExplanation | null } {
  const prior = account.decisions.get(usage.id);
  if (prior !== undefined) return { decision: prior, explanation: null };
  const explanation = explainUsage(account.state, usage, ms);
  return { decision: remember(account, usage.id, explanation.decision), explanation };
}

function grantOnce<R extends TopUpResult | ChargeNowResult>(account: PlanAccount, id: string, apply: () => R): R | TopUpResult | ChargeNowResult {
  const grants = (account.grants ??= new Map());
  const prior = grants.get(id);
  if (prior !== undefined) return prior;
  const result = apply();
  // The same id again gets the first answer, even a refusal — but one that was not decided
  // (out of order) may be retried.
  if (result.applied || result.reason !== 'out_of_order') grants.set(id, result);
  return result;
}

/** A top-up, once per id (a charge-now's id included): the same id again answers as the first time. */
export function applyTopUpOnce(account: PlanAccount, request: TopUpRequest, ms: number): TopUpResult | ChargeNowResult {
  return grantOnce(account, request.id, () => applyTopUp(account.state, request, ms));
}

/** A charge-now, once per id (shared with top-ups). */
export function applyChargeNowOnce(account: PlanAccount, id: string, ms: number): TopUpResult | ChargeNowResult {
  return grantOnce(account, id, () => applyChargeNow(account.state, id, ms));
}
