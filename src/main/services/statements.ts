import type { PlanPatch } from '../../shared/domain';
import { applyDelete, applyEdit, createPlanState, statementAt, statementCsv, tick, type Period } from '../../shared/engine';
import { ApiFailure, type PlanStatementView, type StatementView } from '../../shared/api';
import { currentAttribution, stateAt, type PlanTimeline } from '../accounts';
import { iso, type Ledger } from '../ledger';
import type { PlansService } from './plans';

/**
 * A plan's statement per period (SPEC §9.6), for account managers and admins: the engine's
 * statement (price, the period's charge-nows, the previous period's metered overage charge, the
 * total) over the ledger's replay of the plan up to the period's last instant — the same replay
 * every read uses, so the figures are the ones the plan's details showed at the time. Money stays
 * exact decimal strings from the engine to the screen and the CSV.
 */

/** More periods than any plan has in practice (a weekly plan for two centuries): a bound on the walk. */
const MAX_PERIODS = 10_000;

/**
 * The plan's periods from its activation to the one in force at `now` (or its deletion), oldest
 * first. The calendar depends only on the plan's versions — never on usage or credits — so the
 * engine walks them alone, boundary by boundary, with no event to replay.
 */
function periodsOf(timeline: PlanTimeline, now: number): Period[] {
  const [first, ...later] = timeline.versions;
  if (first === undefined) return [];
  const state = createPlanState(first.config);
  const byIndex = new Map<number, Period>();
  let next = 0;
  for (let steps = 0; steps < MAX_PERIODS + later.length; steps += 1) {
    const version = later[next];
    const versionAt = version?.effectiveAt ?? Infinity;
    const boundaryAt = state.deletedAtMs !== null ? Infinity : state.period === null ? state.segment.startMs : (state.period.endMs ?? Infinity);
    const at = Math.min(versionAt, boundaryAt);
    if (at === Infinity || at > now) break;
    if (versionAt <= boundaryAt) {
      next += 1;
      if (version!.action === 'deleted') applyDelete(state, at);
      else applyEdit(state, version!.config as PlanPatch, at);
    } else {
      tick(state, at);
    }
    const { period } = state;
    // An edit at a period's first instant may give that period a new end under the same index.
    if (period !== null && (state.deletedAtMs === null || period.startMs < state.deletedAtMs)) byIndex.set(period.index, { ...period });
  }
  const periods = [...byIndex.values()].sort((a, b) => a.index - b.index);
  // An edit that moves the calendar cuts the period in force where the next one starts.
  for (let i = 0; i + 1 < periods.length; i += 1) {
    const cut = periods[i + 1]!.startMs;
    const period = periods[i]!;
    if (period.endMs === null || period.endMs > cut) periods[i] = { ...period, endMs: cut };
  }
  return periods;
}

function periodView(period: Period): { index: number; start: string; end: string | null } {
  return { index: period.index, start: iso(period.startMs), end: period.endMs === null ? null : iso(period.endMs) };
}

export class StatementsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
    private readonly plans: PlansService,
  ) {}

  statement(planId: string, which: number | 'current'): PlanStatementView {
    const plan = this.plans.row(planId);
    const now = this.clock();
    const timeline = currentAttribution(this.ledger).timeline(plan.ref);
    if (timeline === undefined) throw new ApiFailure('not_found', `There is no credit plan ${planId} in this ledger.`);
    const periods = periodsOf(timeline, now);
    const timeZone = plan.config.activation.timeZone;
    const base = { planId: plan.id, timeZone, periods: periods.map(periodView) };
    const period = which === 'current' ? periods.at(-1) : periods.find((p) => p.index === which);
    if (period === undefined) {
      if (which === 'current') return { ...base, period: null, statement: null };
      throw new ApiFailure('not_found', `Plan ${plan.id} has no period ${which} yet; its periods are 0 to ${periods.length - 1}.`);
    }
    // The period's last instant the ledger knows: its end, now, or the plan's deletion.
    const deletedAt = timeline.deletedAt ?? Infinity;
    const at = Math.min(period.endMs === null ? now : period.endMs - 1, now, deletedAt - 1);
    const computed = statementAt(stateAt(this.ledger, timeline, at), at);
    if (computed === null || computed.period.index !== period.index) return { ...base, period: periodView(period), statement: null };
    const statement: StatementView = {
      price: computed.price,
      charges: computed.charges.map((c) => ({ id: c.id, at: iso(c.atMs), credits: c.credits, price: c.price })),
      previousMeteredCharge: computed.previousMeteredCharge,
      total: computed.total,
      csv: statementCsv(computed),
      fileName: `statement-${plan.id}-period-${period.index}-${iso(period.startMs).slice(0, 10)}.csv`,
    };
    return { ...base, period: periodView(period), statement };
  }
}
