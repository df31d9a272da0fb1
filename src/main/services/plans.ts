import { allocationOf, bucketNames, type BucketName, type Channel, type PlanConfig, type PlanPatch } from '../../shared/domain';
import {
  applyEdit,
  checkCoexistence,
  cloneState,
  createPlanState,
  formatIssue,
  mergePatch,
  nextBoundaries,
  parsePlanConfig,
  projectBucket,
  projectionWindow,
  snapshotAt,
  type Issue,
  type PlanState,
  type ProjectionWindow,
} from '../../shared/engine';
import type { CreditPlan, PlanPreview } from '../../shared/api';
import { advancePlanRow, getPlan, getSpace, insertHistory, insertNotification, insertPlan, insertPlanVersion, iso, listPlans, newChangeId, newId, newPlanId, planExists, plansPendingSync, type FieldChange, type Ledger, type NotificationKind, type PlanAction, type PlanRow, type SpaceRow } from '../ledger';
import { insertOutbox } from '../sync';
import { afterPlanVersion, currentAttribution, spaceDailyRate, stateAt } from '../accounts';
import { actorName, wireChange } from './outbox';
import { diffPlanConfigs } from '../../shared/sync';
import { ApiFailure } from '../../shared/api';
import { notFound } from '../ledger';
import { composeNotification } from './notifications';

/**
 * Creating, editing and deleting credit plans. Each change is checked by the engine's own
 * rules (the plan's fields, then coexistence with the space's other live plans) and then
 * written in one transaction: the plan row, the version, its history-log row, its outbox row,
 * the Account Manager's e-mail, and the engine states it affects. A refusal saves nothing.
 */

type PlanChangeKind = 'create' | 'edit' | 'delete';
const ACTION_OF: Record<PlanChangeKind, PlanAction> = { create: 'created', edit: 'updated', delete: 'deleted' };
const NOTICE_OF: Record<PlanChangeKind, Exclude<NotificationKind, 'credits_added'>> = { create: 'activated', edit: 'updated', delete: 'deleted' };

function issuesMessage(prefix: string, issues: readonly Issue[]): string {
  return `${prefix}: ${issues.map(formatIssue).join('; ')}.`;
}

export class PlansService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
  ) {}

  list(spaceId: string, includeDeleted = false): CreditPlan[] {
    if (!getSpace(this.ledger, spaceId)) throw notFound('space', spaceId);
    const plans = listPlans(this.ledger, spaceId, includeDeleted);
    const pending = plansPendingSync(
      this.ledger,
      plans.map((p) => p.ref),
    );
    const space = getSpace(this.ledger, spaceId)!;
    return plans.map((p) => this.view(p, space, pending.has(p.ref)));
  }

  get(planId: string): CreditPlan {
    const plan = getPlan(this.ledger, planId);
    if (!plan) throw notFound('credit plan', planId);
    const space = getSpace(this.ledger, plan.spaceId)!;
    return this.view(plan, space, plansPendingSync(this.ledger, [plan.ref]).has(plan.ref));
  }

  /** The plan row, or a not_found error. */
  row(planId: string): PlanRow {
    const plan = getPlan(this.ledger, planId);
    if (!plan) throw notFound('credit plan', planId);
    return plan;
  }

  private view(plan: PlanRow, space: SpaceRow, pendingSync: boolean): CreditPlan {
    const now = this.clock();
    const timeline = currentAttribution(this.ledger).timeline(plan.ref);
    const active = timeline?.activeFrom !== null && timeline?.activeFrom !== undefined && now >= timeline.activeFrom;
    return {
      id: plan.id,
      spaceId: plan.spaceId,
      environmentId: space.environmentId,
      config: plan.config,
      version: plan.version,
      status: plan.deletedAt !== null ? 'deleted' : active ? 'active' : 'scheduled',
      createdAt: iso(plan.createdAt),
      updatedAt: iso(plan.updatedAt),
      createdBy: plan.createdBy,
      updatedBy: plan.updatedBy,
      pendingSync,
    };
  }

  /** Field rules, the space's channels, and coexistence with the other live plans (SPEC §1–2). */
  private checkAgainstSpace(space: SpaceRow, planId: string, config: PlanConfig): void {
    if (config.limit === 'channel_specific') {
      const have = new Set(space.channels.map((c) => c.channel));
      const missing = (Object.keys(config.credits) as Channel[]).filter((c) => !have.has(c));
      if (missing.length > 0) {
        throw new ApiFailure(
          'validation',
          `Space ${space.name} has no ${missing.join(', ')} channel${missing.length > 1 ? 's' : ''}; add ${missing.length > 1 ? 'them' : 'it'} to the space first or remove ${missing.length > 1 ? 'them' : 'it'} from the plan.`,
          { issues: missing.map((c) => ({ path: `credits.${c}`, message: `the space has no ${c} channel` })) },
        );
      }
    }
    const others = listPlans(this.ledger, space.id, false)
      .filter((p) => p.id !== planId)
      .map((p) => ({ id: p.id, config: p.config }));
    const conflicts = checkCoexistence({ id: planId, config }, others, undefined, '');
    if (conflicts.length > 0) {
      throw new ApiFailure('conflict', issuesMessage('This plan cannot coexist with the space’s other plans', conflicts), { issues: conflicts });
    }
  }

  create(spaceId: string, config: unknown, who: string): CreditPlan {
    const actor = actorName(who);
    const parsed = parsePlanConfig(config, '');
    if (!parsed.ok) throw new ApiFailure('validation', issuesMessage('The plan is not valid', parsed.issues), { issues: parsed.issues });
    const id = this.ledger.transaction(() => {
      const space = getSpace(this.ledger, spaceId);
      if (!space) throw notFound('space', spaceId);
      let planId = newPlanId();
      while (planExists(this.ledger, planId)) planId = newPlanId();
      this.checkAgainstSpace(space, planId, parsed.value);
      const at = this.clock();
      const ref = insertPlan(this.ledger, { id: planId, spaceId, config: parsed.value, at, actor });
      this.record(space, { ref, id: planId, kind: 'create', version: 1, baseVersion: 0, config: parsed.value, previous: null, at, actor });
      return planId;
    });
    return this.get(id);
  }

  edit(planId: string, baseVersion: number, patch: PlanPatch, who: string): CreditPlan {
    const actor = actorName(who);
    this.ledger.transaction(() => {
      const plan = this.current(planId, baseVersion, 'edit');
      const space = getSpace(this.ledger, plan.spaceId)!;
      const merged = mergePatch(plan.config, patch, '');
      if (!merged.ok) throw new ApiFailure('validation', issuesMessage('The edited plan is not valid', merged.issues), { issues: merged.issues });
      const changes = diffPlanConfigs(plan.config, merged.value);
      if (changes.length === 0) throw new ApiFailure('validation', `The edit changes nothing in plan ${plan.id}; change a field before saving.`);
      this.checkAgainstSpace(space, plan.id, merged.value);
      const at = this.clock();
      if (!advancePlanRow(this.ledger, plan.ref, plan.version, { config: merged.value, deletedAt: null, at, actor })) {
        throw new ApiFailure('conflict', `Plan ${plan.id} changed while saving; reload it and try again.`);
      }
      this.record(space, { ref: plan.ref, id: plan.id, kind: 'edit', version: plan.version + 1, baseVersion: plan.version, config: merged.value, previous: plan.config, at, actor });
    });
    return this.get(planId);
  }

  delete(planId: string, baseVersion: number, who: string): CreditPlan {
    const actor = actorName(who);
    this.ledger.transaction(() => {
      const plan = this.current(planId, baseVersion, 'delete');
      const space = getSpace(this.ledger, plan.spaceId)!;
      const at = this.clock();
      if (!advancePlanRow(this.ledger, plan.ref, plan.version, { config: plan.config, deletedAt: at, at, actor })) {
        throw new ApiFailure('conflict', `Plan ${plan.id} changed while deleting; reload it and try again.`);
      }
      this.record(space, { ref: plan.ref, id: plan.id, kind: 'delete', version: plan.version + 1, baseVersion: plan.version, config: plan.config, previous: plan.config, at, actor });
    });
    return this.get(planId);
  }

  /** The plan as the caller last saw it, or the reason it can no longer be changed. */
  private current(planId: string, baseVersion: number, what: 'edit' | 'delete'): PlanRow {
    const plan = getPlan(this.ledger, planId);
    if (!plan) throw notFound('credit plan', planId);
    if (plan.deletedAt !== null) {
      throw new ApiFailure('conflict', `Plan ${plan.id} was deleted on ${iso(plan.deletedAt)} by ${plan.updatedBy}; it can no longer be ${what === 'edit' ? 'edited' : 'deleted'}.`);
    }
    if (plan.version !== baseVersion) {
      const space = getSpace(this.ledger, plan.spaceId)!;
      throw new ApiFailure(
        'conflict',
        `Plan ${plan.id} was changed by ${plan.updatedBy} at ${iso(plan.updatedAt)} (it is now version ${plan.version}, you had version ${baseVersion}); review the current plan and ${what} it again.`,
        { current: this.view(plan, space, false) },
      );
    }
    return plan;
  }

  /** The version, its history-log row, its outbox row and its e-mail; then the engine. */
  private record(
    space: SpaceRow,
    change: {
      ref: number;
      id: string;
      kind: PlanChangeKind;
      version: number;
      baseVersion: number;
      config: PlanConfig;
      previous: PlanConfig | null;
      at: number;
      actor: string;
    },
  ): void {
    const action = ACTION_OF[change.kind];
    // As the central service records them: a creation and a deletion change no field.
    const changes: FieldChange[] = change.kind === 'edit' && change.previous ? diffPlanConfigs(change.previous, change.config) : [];
    insertPlanVersion(this.ledger, change.ref, { version: change.version, action, config: change.config, at: change.at, actor: change.actor });
    insertHistory(this.ledger, {
      planRef: change.ref,
      planId: change.id,
      spaceId: space.id,
      version: change.version,
      action,
      actor: change.actor,
      at: change.at,
      plan: change.config,
      changes,
    });
    const common = { id: newChangeId(), at: iso(change.at), actor: change.actor, planId: change.id };
    const wire =
      change.kind === 'create'
        ? wireChange({ ...common, kind: 'plan.create', spaceId: space.id, baseVersion: 0, config: change.config })
        : change.kind === 'edit'
          ? wireChange({ ...common, kind: 'plan.edit', baseVersion: change.baseVersion, config: change.config })
          : wireChange({ ...common, kind: 'plan.delete', baseVersion: change.baseVersion });
    insertOutbox(this.ledger, wire, change.at, { ref: change.ref, version: change.version }, space.demo);
    const changeId = wire.id;
    const kind = NOTICE_OF[change.kind];
    const mail = composeNotification({
      kind,
      space,
      planId: change.id,
      version: change.version,
      config: change.config,
      changes,
      actor: change.actor,
      at: change.at,
    });
    insertNotification(this.ledger, {
      id: newId('NT'),
      planRef: change.ref,
      planId: change.id,
      spaceId: space.id,
      changeId,
      kind,
      recipient: space.accountManager.email,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      createdAt: change.at,
    });
    afterPlanVersion(this.ledger, change.ref, change.at);
  }

  /** Run a draft through the engine (SPEC §3–5): problems, next renewals, projected balances, edit impact. */
  preview(spaceId: string, config: unknown, planId?: string): PlanPreview {
    const space = getSpace(this.ledger, spaceId);
    if (!space) throw notFound('space', spaceId);
    let plan: PlanRow | null = null;
    if (planId !== undefined) {
      plan = getPlan(this.ledger, planId);
      if (!plan) throw notFound('credit plan', planId);
      if (plan.spaceId !== spaceId) throw new ApiFailure('validation', `Plan ${planId} belongs to another space.`);
    }
    const parsed = parsePlanConfig(config, '');
    if (!parsed.ok) return { issues: parsed.issues, boundaries: [], projection: [], editImpact: null };
    const draft = parsed.value;
    const issues: Issue[] = [];
    try {
      this.checkAgainstSpace(space, planId ?? '(draft)', draft);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      issues.push(...(error.issues ?? [{ path: '', message: error.message }]));
    }
    const now = this.clock();
    const shown = nextBoundaries(draft, now);
    const boundaries = shown.map((b) => ({
      index: b.index,
      localDate: b.localDate,
      localTime: b.localTime,
      offset: b.offset,
      start: iso(b.startMs),
      clamped: b.clamped,
      shiftedByDst: b.shiftedByDst,
      offsetChanged: b.offsetChanged,
    }));

    let state: PlanState;
    let editImpact: PlanPreview['editImpact'] = null;
    if (plan !== null && plan.deletedAt === null) {
      const timeline = currentAttribution(this.ledger).timeline(plan.ref)!;
      state = cloneState(stateAt(this.ledger, timeline, now));
      const result = applyEdit(state, draft as PlanPatch, Math.max(now, state.clockMs));
      if (!result.applied) issues.push({ path: '', message: result.reason });
      const snapshot = snapshotAt(state, Math.max(now, state.clockMs));
      editImpact = bucketNames(draft).map((bucket) => {
        const b = snapshot.buckets[bucket];
        return { bucket, consumed: b?.used ?? 0, availableAfter: b?.remaining ?? allocationOf(draft, bucket) };
      });
    } else {
      state = createPlanState(draft);
    }
    const spaceChannels = space.channels.map((c) => c.channel);
    const window = projectionWindow(draft, shown, Math.max(now, state.clockMs));
    const projection = bucketNames(draft).map((bucket) => project(this.ledger, space.id, spaceChannels, draft, state, bucket, now, window));
    return { issues, boundaries, projection, editImpact };
  }
}

/** Balances of one bucket day by day if the space's recent daily traffic continues (the engine's projection). */
function project(
  ledger: Ledger,
  spaceId: string,
  spaceChannels: Channel[],
  config: PlanConfig,
  start: PlanState,
  bucket: BucketName,
  now: number,
  window: ProjectionWindow,
): PlanPreview['projection'][number] {
  const dailyRate = spaceDailyRate(ledger, spaceId, bucket === 'ALL' ? 'all' : [bucket], now);
  const channel: Channel | undefined = bucket === 'ALL' ? spaceChannels[0] : bucket;
  const projection = projectBucket(config, start, bucket, dailyRate, channel, window);
  return { ...projection, points: projection.points.map((p) => ({ at: iso(p.atMs), remaining: p.remaining })) };
}
