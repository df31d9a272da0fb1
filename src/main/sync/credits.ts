import type { BucketName, PlanConfig } from '../../shared/domain';
import type { Change, PlanCreditRecord } from '../../shared/sync';
import {
  decodeConfig,
  getPlan,
  getPlanCredit,
  insertCreditHistory,
  insertPlanCredit,
  iso,
  setNotificationStatus,
  settleCreditHistory,
  type Ledger,
  type PlanCreditRow,
} from '../ledger';
import { settleOutbox, type OutboxRow } from './outbox';

/**
 * Add-on credits (top-ups, charge-nows) through sync. Given here, they go out as an outbox change
 * whose id is the credit's id (SPEC §9.8: its idempotency key) — `plan.top_up` with what was
 * asked, `plan.charge_now` with the billing week the admin confirmed — after the plan's own
 * changes (the outbox keeps its order), and no base version: credits never conflict with an edit.
 * The central service's answer settles them: accepted (history entry `confirmed`; its e-mail is
 * the central service's to send), or refused (`refused`: kept here, on record, its e-mail marked
 * not sent with the reason). Pulled from the central service, credits another console gave are
 * recorded here as it applied them (at its effective instant).
 */

/** The outbox change for credits given here. */
export function creditChange(planId: string, row: PlanCreditRow): Change {
  const common = { id: row.id, at: iso(row.at), actor: row.actor, planId };
  if (row.kind === 'charge_now') {
    const week = row.answer.week;
    if (week === undefined) throw new Error(`charge ${row.id} has no billing week`);
    return { ...common, kind: 'plan.charge_now', week: week.week };
  }
  if (row.bucket === null || row.credits === null || row.expires === null) throw new Error(`top-up ${row.id} is incomplete`);
  return {
    ...common,
    kind: 'plan.top_up',
    topUp: { bucket: row.bucket, credits: row.credits, expires: row.expires, ...(row.price !== null ? { price: row.price } : {}) },
  };
}

export const isCreditChange = (row: OutboxRow): boolean => row.kind === 'plan.top_up' || row.kind === 'plan.charge_now';

/** The central service's answer to credits given here. */
export function settleCreditChange(ledger: Ledger, row: OutboxRow, outcome: 'accepted' | 'refused', at: number, message: string | null): boolean {
  const settled = settleOutbox(ledger, row.changeId, outcome === 'accepted' ? 'accepted' : 'rejected', at, message);
  settleCreditHistory(ledger, row.changeId, outcome === 'accepted' ? 'confirmed' : 'refused');
  if (outcome === 'refused') {
    setNotificationStatus(ledger, { changeId: row.changeId }, 'failed', at, `Not sent: the central service refused these credits (${message ?? 'no reason given'}).`);
  }
  return settled;
}

/**
 * A credit record from a pull. Mine (the id is on record here): its waiting change and history
 * entry are settled as accepted (also when the push's answer was lost). Another console's: recorded
 * with its history entry, as of its effective instant. Returns the plan whose state must take it,
 * or null.
 */
export function applyPulledCredit(ledger: Ledger, record: PlanCreditRecord, now: number): number | null {
  const known = getPlanCredit(ledger, record.id);
  if (known !== null) {
    ledger
      .stmt("UPDATE outbox SET status = 'accepted', settled_at = ? WHERE change_id = ? AND status IN ('pending', 'sent')")
      .run(now, record.id);
    settleCreditHistory(ledger, record.id, 'confirmed');
    return null;
  }
  const plan = getPlan(ledger, record.planId);
  if (plan === null) return null; // the plan's records come first in the feed; a plan out of sight takes nothing
  const at = Date.parse(record.effectiveAt);
  const buckets = Object.keys(record.credits) as BucketName[];
  const topUp = record.kind === 'top_up' ? { bucket: buckets[0]!, credits: record.credits[buckets[0]!]! } : null;
  insertPlanCredit(ledger, {
    id: record.id,
    planRef: plan.ref,
    kind: record.kind,
    bucket: topUp?.bucket ?? null,
    credits: topUp?.credits ?? null,
    expires: record.kind === 'top_up' ? record.expires : null,
    price: record.price,
    answer: { credits: record.credits, price: record.price, ...(record.week !== null ? { week: record.week } : {}) },
    at,
    actor: record.actor,
  });
  const config: PlanConfig = planConfigAt(ledger, plan.ref, record.planVersion) ?? plan.config;
  insertCreditHistory(ledger, {
    planRef: plan.ref,
    planId: plan.id,
    spaceId: plan.spaceId,
    version: record.planVersion,
    actor: record.actor,
    at,
    plan: config,
    credit: { id: record.id, kind: record.kind, credits: record.credits, expires: record.expires, price: record.price, week: record.week },
    sync: 'confirmed',
  });
  return plan.ref;
}

function planConfigAt(ledger: Ledger, planRef: number, version: number): PlanConfig | null {
  const row = ledger.stmt('SELECT config FROM plan_versions WHERE plan_ref = ? AND version = ?').get(planRef, version) as { config: string } | undefined;
  return row === undefined ? null : decodeConfig(row.config);
}
