import {
  applyChargeNow,
  applyTopUp,
  isoSecond,
  quoteChargeNow,
  type ChargeNowRefusal,
  type TopUpRefusal,
} from '../../shared/engine';
import type { ChangeResult, CreditChange, PlanCreditRecord } from '../../shared/sync';
import { maySee, type Principal } from '../auth';
import { enqueueCreditEmail } from '../mail';
import { PLAN_COLUMNS, PLAN_CREDIT_COLUMNS, planCreditRecord, planRecord, type CreditRequest, type PlanCreditRow, type PlanRow } from '../records';
import { foldCounters, seedCounters } from '../usage';
import { decodePlanState, encodePlanState, type Queryable } from '../store';

/**
 * Add-on credits pushed by a console (SPEC §9.2–9.3): `plan.top_up` and `plan.charge_now`. They
 * carry no base version — credits never conflict with an edit: the engine applies them at their
 * instant onto the version then in force, and an edit never takes them away (§9.8). They take
 * effect at the time of an edit, `max(plan clock, min(at, now))`, under the same locks (space,
 * plan, state, counters), and take the next `ord` among the plan's operations, so bucket states at
 * an instant and explanations replay them in their place.
 *
 * What the engine refuses (before activation, a bucket the plan does not have, a charge-now
 * without renewal or price, a billing week that moved on…) is answered `rejected` and — unlike
 * other rejections — recorded with the change id: the same id again gets the same refusal
 * (§9.8). An unknown plan is a conflict and a deleted one a rejection, as for edits, and neither
 * is recorded.
 */
export type CreditOutcome = { result: ChangeResult; record: 'applied' | 'refused' | null };

const TOP_UP_WORDS: Record<TopUpRefusal, string> = {
  out_of_order: 'the plan already decided usage later than this instant',
  invalid_credits: 'credits must be a whole number from 1 to 10^12',
  invalid_expires: 'expires must be period_end or never',
  invalid_price: 'the price is not valid money',
  unknown_field: 'the top-up has an unknown field',
  before_activation: 'the plan is not active yet at this instant',
  deleted: 'the plan is deleted',
  unknown_bucket: 'the plan has no such bucket at this instant',
};

const CHARGE_WORDS: Record<ChargeNowRefusal, string> = {
  out_of_order: 'the plan already decided usage later than this instant',
  unknown_field: 'the charge has an unknown field',
  before_activation: 'the plan is not active yet at this instant',
  deleted: 'the plan is deleted',
  no_renewal: 'the plan does not renew',
  no_price: 'the plan has no price per period',
  no_credits: 'every bucket’s share of its allocation rounds down to 0',
};

function refused(change: CreditChange, path: string, reason: string, words: string): CreditOutcome {
  return {
    result: { id: change.id, status: 'rejected', message: `${change.id}: ${words} (${reason})`, issues: [{ path, message: `${words} (${reason})` }] },
    record: 'refused',
  };
}

/**
 * `answered` looks the id up among recorded changes: asked again once the plan is locked, so a
 * copy that arrived while the first was applying answers as its repeat at once (rather than
 * failing on the credit's primary key and being retried).
 */
export async function applyCreditChange(
  tx: Queryable,
  change: CreditChange,
  context: { atMs: number; nowMs: number; principal: Principal; answered: () => Promise<ChangeResult | null> },
): Promise<CreditOutcome> {
  const { atMs, nowMs, principal } = context;
  const peek = await tx.query<{ space_id: string; environment_id: string }>('SELECT space_id, environment_id FROM plans WHERE id = $1', [change.planId]);
  const visible = peek.rows[0] && maySee(principal, peek.rows[0].environment_id) ? peek.rows[0] : undefined;
  if (visible === undefined) {
    return { result: { id: change.id, status: 'conflict', message: `plan ${change.planId} does not exist here`, current: null }, record: null };
  }
  // Lock order: space, plan, state, counters (as edits).
  await tx.query('SELECT 1 FROM spaces WHERE id = $1 FOR UPDATE', [visible.space_id]);
  const plan = (await tx.query<PlanRow>(`SELECT ${PLAN_COLUMNS} FROM plans WHERE id = $1 FOR UPDATE`, [change.planId])).rows[0]!;
  const before = await context.answered();
  if (before !== null) return { result: before, record: null };
  if (plan.deleted_ms !== null) {
    return { result: { id: change.id, status: 'rejected', message: `plan ${plan.id} is deleted`, issues: [{ path: 'planId', message: 'is a deleted plan' }] }, record: null };
  }
  const stateRow = await tx.query<{ state: string; ops: number }>('SELECT state::text AS state, ops FROM plan_states WHERE plan_id = $1 FOR UPDATE', [plan.id]);
  const state = decodePlanState(stateRow.rows[0]!.state);
  const folded = await foldCounters(tx, new Map([[plan.id, state]]));
  const ord = Number(stateRow.rows[0]!.ops) + (folded.size > 0 ? 1 : 0);
  const effectiveMs = Math.max(state.clockMs, Math.min(atMs, nowMs));

  let request: CreditRequest;
  let answer: Pick<PlanCreditRecord, 'credits' | 'expires' | 'price' | 'week'>;
  if (change.kind === 'plan.top_up') {
    const { topUp } = change;
    request = { bucket: topUp.bucket, credits: topUp.credits, expires: topUp.expires, ...(topUp.price ? { price: topUp.price } : {}) };
    const applied = applyTopUp(state, { id: change.id, ...request }, effectiveMs);
    if (!applied.applied) return refused(change, applied.reason === 'unknown_bucket' ? 'topUp.bucket' : 'topUp', applied.reason, TOP_UP_WORDS[applied.reason]);
    answer = { credits: { [topUp.bucket]: topUp.credits }, expires: topUp.expires, price: applied.price, week: null };
  } else {
    request = { week: change.week };
    const quoted = quoteChargeNow(state, effectiveMs);
    if (!quoted.ok) return refused(change, 'planId', quoted.reason, CHARGE_WORDS[quoted.reason]);
    const { quote } = quoted;
    if (quote.week !== change.week) {
      // The admin confirmed another week's price: never charge a price they were not shown.
      return refused(change, 'week', 'week_moved_on', `the billing week at ${isoSecond(effectiveMs)} is ${quote.week} of ${quote.weeks}, not the confirmed ${change.week}`);
    }
    const applied = applyChargeNow(state, change.id, effectiveMs);
    if (!applied.applied) return refused(change, 'planId', applied.reason, CHARGE_WORDS[applied.reason]);
    answer = {
      credits: applied.credits,
      expires: 'period_end',
      price: applied.price,
      week: { day: quote.day, days: quote.days, week: quote.week, weeks: quote.weeks },
    };
  }

  const inserted = await tx.query<PlanCreditRow>(
    `INSERT INTO plan_credits (id, plan_id, space_id, environment_id, plan_version, kind, request, answer, actor, at_ms, effective_ms, ord)
     VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8::json, $9, $10, $11, $12) RETURNING ${PLAN_CREDIT_COLUMNS}`,
    [change.id, plan.id, plan.space_id, plan.environment_id, plan.version, change.kind === 'plan.top_up' ? 'top_up' : 'charge_now',
      JSON.stringify(request), JSON.stringify(answer), change.actor, atMs, effectiveMs, ord],
  );
  await tx.query('UPDATE plan_states SET state = $2::json, ops = $3 WHERE plan_id = $1', [plan.id, encodePlanState(state), ord + 1]);
  await seedCounters(tx, [{ planId: plan.id, state, generation: ord + 1 }]);
  const credit = planCreditRecord(inserted.rows[0]!);
  await enqueueCreditEmail(
    tx,
    {
      planId: plan.id,
      version: Number(plan.version),
      spaceId: plan.space_id,
      config: plan.config,
      grant: { id: change.id, kind: credit.kind, credits: credit.credits, expires: credit.expires, price: credit.price, week: credit.week },
      actor: change.actor,
      atMs,
    },
    nowMs,
  );
  return { result: { id: change.id, status: 'applied', plan: planRecord(plan, nowMs), credit }, record: 'applied' };
}
