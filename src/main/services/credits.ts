import { bucketNames, type Money } from '../../shared/domain';
import {
  applyChargeNow,
  applyTopUp,
  cloneState,
  minimumChargeOf,
  quoteChargeNow,
  type ChargeNowRefusal,
  type PlanState,
  type TopUpRefusal,
} from '../../shared/engine';
import { ApiFailure, type ChargeNowOutput, type ChargeNowQuoteView, type PlanCreditView } from '../../shared/api';
import { AggregateDelta, applyNewCredit, currentAttribution, settle, stateAt, type PlanTimeline } from '../accounts';
import {
  getPlan,
  getPlanCredit,
  getSpace,
  insertCreditHistory,
  insertNotification,
  insertPlanCredit,
  iso,
  listPlanCredits,
  newId,
  notFound,
  type Ledger,
  type PlanCreditRow,
  type PlanRow,
} from '../ledger';
import { composeCreditsNotification } from './notifications';
import { actorName } from './outbox';
import { creditChange, insertOutbox } from '../sync';

/**
 * Add-on credits for a live plan (SPEC §9.2–9.3): a top-up (credits for one bucket until the
 * period's end or until spent, with an optional price) and "charge now" (every bucket's share
 * of the allocation for the current billing week, at a prorated price, previewed before it is
 * confirmed). The engine decides on the plan's state now; what it accepts is recorded with who,
 * when, what and the price (`plan_credits`), and the plan's state takes it in the same
 * transaction, with its outbox change for the central service (sync/credits.ts). A refusal
 * changes nothing and says why.
 */

const TOP_UP_REFUSAL: Record<TopUpRefusal, (plan: PlanRow) => string> = {
  out_of_order: (p) => `Plan ${p.id} already counted usage later than now; add the credits again in a moment.`,
  invalid_credits: () => 'Credits must be a whole number from 1 to 1,000,000,000,000.',
  invalid_expires: () => 'Choose when the credits expire: at the end of the period, or never.',
  invalid_price: () => 'The price must be an amount such as 25.00 with a three-letter currency such as USD.',
  unknown_field: () => 'The top-up has a field the console does not know.',
  before_activation: (p) => `Plan ${p.id} is not active yet (it starts on ${p.config.activation.date}); add credits once it is.`,
  deleted: (p) => `Plan ${p.id} is deleted; a deleted plan takes no credits.`,
  unknown_bucket: (p) => `Plan ${p.id} has no such bucket; its buckets are ${bucketNames(p.config).join(', ')}.`,
};

const CHARGE_REFUSAL: Record<ChargeNowRefusal, (plan: PlanRow) => string> = {
  out_of_order: (p) => `Plan ${p.id} already counted usage later than now; charge again in a moment.`,
  unknown_field: () => 'The charge has a field the console does not know.',
  before_activation: (p) => `Plan ${p.id} is not active yet (it starts on ${p.config.activation.date}); charge once it is.`,
  deleted: (p) => `Plan ${p.id} is deleted; a deleted plan cannot be charged.`,
  no_renewal: (p) => `Plan ${p.id} does not renew, so it has no billing month to charge the rest of; charge now needs a renewing plan.`,
  no_price: (p) => `Plan ${p.id} has no price per period; give it one (edit the plan) to charge now.`,
  no_credits: (p) => `Charging plan ${p.id} now would add no credits: every bucket's share of its allocation rounds down to 0.`,
};

function view(plan: PlanRow, row: PlanCreditRow): PlanCreditView {
  return {
    id: row.id,
    planId: plan.id,
    kind: row.kind,
    credits: row.answer.credits,
    expires: row.expires ?? 'period_end',
    price: row.answer.price,
    week: row.answer.week ?? null,
    at: iso(row.at),
    actor: row.actor,
  };
}

/** A charge-now's quote as it was when it was applied (for the same request sent again). */
function storedQuote(plan: PlanRow, row: PlanCreditRow): ChargeNowQuoteView {
  const price = row.answer.price ?? { amount: '0', currency: plan.config.price?.currency ?? 'USD' };
  const week = row.answer.week ?? { day: 1, days: 1, week: 1, weeks: 1 };
  return { ...week, credits: row.answer.credits, price, periodPrice: plan.config.price ?? price, minimum: minimumChargeOf(plan.config) ?? price };
}

export class CreditsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
  ) {}

  private plan(planId: string): PlanRow {
    const plan = getPlan(this.ledger, planId);
    if (!plan) throw notFound('credit plan', planId);
    return plan;
  }

  /** The plan's state now, as a copy the engine may try things on. */
  private trial(plan: PlanRow, at: number): { timeline: PlanTimeline; state: PlanState } {
    const timeline = currentAttribution(this.ledger).timeline(plan.ref);
    if (timeline === undefined) throw notFound('credit plan', plan.id);
    return { timeline, state: cloneState(stateAt(this.ledger, timeline, at)) };
  }

  /**
   * Record credits the engine accepted and let the plan's state take them (in the caller's
   * transaction): the plan's record of the grant, its entry in the credit history log and the
   * Account Manager's "Credits Added" e-mail.
   */
  private record(plan: PlanRow, timeline: PlanTimeline, row: Omit<PlanCreditRow, 'seq'>): PlanCreditRow {
    const seq = insertPlanCredit(this.ledger, row);
    const stored = { ...row, seq };
    const space = getSpace(this.ledger, plan.spaceId);
    if (space === null) throw notFound('space', plan.spaceId);
    const credit = {
      id: row.id,
      kind: row.kind,
      credits: row.answer.credits,
      expires: row.expires ?? 'period_end',
      price: row.answer.price,
      week: row.answer.week ?? null,
    };
    // The change that tells the central service, first: the e-mail names it (as a plan change's does).
    insertOutbox(this.ledger, creditChange(plan.id, stored), row.at, { ref: plan.ref, version: null }, space.demo);
    const facts = { planRef: plan.ref, planId: plan.id, spaceId: space.id, version: plan.version, actor: row.actor, at: row.at, plan: plan.config };
    insertCreditHistory(this.ledger, { ...facts, credit, sync: 'local' });
    const mail = composeCreditsNotification({ space, planId: plan.id, version: plan.version, config: plan.config, credit, actor: row.actor, at: row.at });
    insertNotification(this.ledger, {
      id: newId('NT'),
      planRef: plan.ref,
      planId: plan.id,
      spaceId: space.id,
      changeId: row.id,
      kind: 'credits_added',
      recipient: space.accountManager.email,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      createdAt: row.at,
    });
    applyNewCredit(this.ledger, timeline, stored);
    // Usage already counted at or after this instant is re-decided with the credits.
    const delta = new AggregateDelta();
    settle(this.ledger, timeline, delta, row.at);
    delta.flush(this.ledger);
    return stored;
  }

  list(planId: string): PlanCreditView[] {
    const plan = this.plan(planId);
    return listPlanCredits(this.ledger, plan.ref).map((row) => view(plan, row));
  }

  /**
   * The credits already recorded under a caller's id: the first answer again (the same request
   * sent twice adds nothing), or a conflict when the id names other credits.
   */
  private known(id: string | undefined, plan: PlanRow, kind: PlanCreditRow['kind']): PlanCreditRow | null {
    if (id === undefined) return null;
    const row = getPlanCredit(this.ledger, id);
    if (row === null) return null;
    if (row.planRef !== plan.ref || row.kind !== kind) throw new ApiFailure('conflict', `The id ${id} was already used for other credits; open the dialog again.`);
    return row;
  }

  private newCreditId(prefix: 'TU' | 'CN'): string {
    let id = newId(prefix);
    while (getPlanCredit(this.ledger, id) !== null) id = newId(prefix);
    return id;
  }

  addCredits(
    input: { planId: string; id?: string; bucket: string; credits: number; expires: 'period_end' | 'never'; price?: Money },
    who: string,
  ): PlanCreditView {
    const actor = actorName(who);
    return this.ledger.transaction(() => {
      const plan = this.plan(input.planId);
      const done = this.known(input.id, plan, 'top_up');
      if (done !== null) return view(plan, done);
      const at = this.clock();
      const { timeline, state } = this.trial(plan, at);
      const id = input.id ?? this.newCreditId('TU');
      const result = applyTopUp(state, { id, bucket: input.bucket, credits: input.credits, expires: input.expires, price: input.price }, at);
      if (!result.applied) throw new ApiFailure('validation', TOP_UP_REFUSAL[result.reason](plan));
      const row = this.record(plan, timeline, {
        id,
        planRef: plan.ref,
        kind: 'top_up',
        bucket: input.bucket as PlanCreditRow['bucket'],
        credits: input.credits,
        expires: input.expires,
        price: result.price,
        answer: { credits: { [input.bucket]: input.credits }, price: result.price },
        at,
        actor,
      });
      return view(plan, row);
    });
  }

  /**
   * Charge now: without `confirm`, what it would add and cost now (nothing changes); with it,
   * apply it — refused as a conflict when the billing week is no longer the one previewed, so
   * the admin never confirms a price they were not shown.
   */
  chargeNow(planId: string, confirm: { week: number; id?: string } | undefined, who: string): ChargeNowOutput {
    const actor = actorName(who);
    return this.ledger.transaction(() => {
      const plan = this.plan(planId);
      const done = this.known(confirm?.id, plan, 'charge_now');
      if (done !== null) return { quote: storedQuote(plan, done), applied: view(plan, done) };
      const at = this.clock();
      const { timeline, state } = this.trial(plan, at);
      const quoted = quoteChargeNow(state, at);
      if (!quoted.ok) throw new ApiFailure('validation', CHARGE_REFUSAL[quoted.reason](plan));
      const { quote } = quoted;
      if (confirm === undefined) return { quote, applied: null };
      if (confirm.week !== quote.week) {
        throw new ApiFailure(
          'conflict',
          `The billing week moved on since the preview (it is now week ${quote.week} of ${quote.weeks}: ${quote.price.amount} ${quote.price.currency}); review the new price and confirm again.`,
        );
      }
      const id = confirm.id ?? this.newCreditId('CN');
      const result = applyChargeNow(state, id, at);
      if (!result.applied) throw new ApiFailure('validation', CHARGE_REFUSAL[result.reason](plan));
      const row = this.record(plan, timeline, {
        id,
        planRef: plan.ref,
        kind: 'charge_now',
        bucket: null,
        credits: null,
        expires: null,
        price: result.price,
        answer: { credits: result.credits, price: result.price, week: { day: quote.day, days: quote.days, week: quote.week, weeks: quote.weeks } },
        at,
        actor,
      });
      return { quote, applied: view(plan, row) };
    });
  }
}
