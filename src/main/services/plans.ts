import { Temporal } from 'temporal-polyfill';
import { allocationOf, bucketNames, type BucketName, type Channel, type PlanConfig, type PlanPatch } from '../../shared/domain';
import {
  applyEdit,
  checkCoexistence,
  cloneState,
  createPlanState,
  formatIssue,
  initialSegment,
  localMidnightMs,
  mergePatch,
  parsePlanConfig,
  periodAt,
  previewBoundaries,
  recordUsage,
  snapshotAt,
  type Issue,
  type PlanState,
} from '../../shared/engine';
import type { CreditPlan, PlanPreview } from '../../shared/api';
import { DAY_MS, advancePlanRow, getPlan, getSpace, insertHistory, insertNotification, insertPlan, insertPlanVersion, iso, listPlans, newChangeId, newId, newPlanId, planExists, plansPendingSync, type FieldChange, type Ledger, type NotificationKind, type PlanAction, type PlanRow, type SpaceRow } from '../ledger';
import { insertOutbox } from '../sync';
import { afterPlanVersion, currentAttribution, spaceDailyRate, stateAt } from '../accounts';
import { actorName, wireChange } from './outbox';
import { diffPlanConfigs } from '../../shared/sync';
import { ServiceError, notFound } from './errors';
import { composeNotification } from './notifications';

/**
 * Creating, editing and deleting credit plans. Each change is checked by the engine's own
 * rules (the plan's fields, then coexistence with the space's other live plans) and then
 * written in one transaction: the plan row, the version, its history-log row, its outbox row,
 * the Account Manager's e-mail, and the engine states it affects. A refusal saves nothing.
 */

type PlanChangeKind = 'create' | 'edit' | 'delete';
const ACTION_OF: Record<PlanChangeKind, PlanAction> = { create: 'created', edit: 'updated', delete: 'deleted' };
const NOTICE_OF: Record<PlanChangeKind, NotificationKind> = { create: 'activated', edit: 'updated', delete: 'deleted' };

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
        throw new ServiceError(
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
      throw new ServiceError('conflict', issuesMessage('This plan cannot coexist with the space’s other plans', conflicts), { issues: conflicts });
    }
  }

  create(spaceId: string, config: unknown, who: string): CreditPlan {
    const actor = actorName(who);
    const parsed = parsePlanConfig(config, '');
    if (!parsed.ok) throw new ServiceError('validation', issuesMessage('The plan is not valid', parsed.issues), { issues: parsed.issues });
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
      if (!merged.ok) throw new ServiceError('validation', issuesMessage('The edited plan is not valid', merged.issues), { issues: merged.issues });
      const changes = diffPlanConfigs(plan.config, merged.value);
      if (changes.length === 0) throw new ServiceError('validation', `The edit changes nothing in plan ${plan.id}; change a field before saving.`);
      this.checkAgainstSpace(space, plan.id, merged.value);
      const at = this.clock();
      if (!advancePlanRow(this.ledger, plan.ref, plan.version, { config: merged.value, deletedAt: null, at, actor })) {
        throw new ServiceError('conflict', `Plan ${plan.id} changed while saving; reload it and try again.`);
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
        throw new ServiceError('conflict', `Plan ${plan.id} changed while deleting; reload it and try again.`);
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
      throw new ServiceError('conflict', `Plan ${plan.id} was deleted on ${iso(plan.deletedAt)} by ${plan.updatedBy}; it can no longer be ${what === 'edit' ? 'edited' : 'deleted'}.`);
    }
    if (plan.version !== baseVersion) {
      const space = getSpace(this.ledger, plan.spaceId)!;
      throw new ServiceError(
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
      if (plan.spaceId !== spaceId) throw new ServiceError('validation', `Plan ${planId} belongs to another space.`);
    }
    const parsed = parsePlanConfig(config, '');
    if (!parsed.ok) return { issues: parsed.issues, boundaries: [], projection: [], editImpact: null };
    const draft = parsed.value;
    const issues: Issue[] = [];
    try {
      this.checkAgainstSpace(space, planId ?? '(draft)', draft);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
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

function nextBoundaries(config: PlanConfig, now: number): ReturnType<typeof previewBoundaries> {
  const { date, timeZone } = config.activation;
  if (config.renew === null) return previewBoundaries(date, timeZone, null, 1);
  const segment = initialSegment(date, timeZone, config.renew);
  const from = now < segment.startMs ? 0 : periodAt(segment, now).index + 1;
  return previewBoundaries(date, timeZone, config.renew, 6, from);
}

/** Without renewal the plan's one period never ends: the projection looks a year ahead. */
const UNRENEWED_HORIZON_DAYS = 366;
/** Points per bucket on the chart at most: longer projections are sampled, keeping each period's edges. */
const MAX_PROJECTION_POINTS = 200;

interface ProjectionWindow {
  fromMs: number;
  toMs: number;
}

/**
 * The projection covers the periods whose starts the preview lists: from now (or from the
 * activation, if later) to the end of the last listed period.
 */
function projectionWindow(config: PlanConfig, shown: ReturnType<typeof previewBoundaries>, now: number): ProjectionWindow {
  const { date, timeZone } = config.activation;
  const fromMs = Math.max(now, localMidnightMs(date, timeZone));
  const last = shown.at(-1);
  if (config.renew === null || last === undefined) {
    const toMs = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone).add({ days: UNRENEWED_HORIZON_DAYS }).epochMilliseconds;
    return { fromMs, toMs };
  }
  const [end] = previewBoundaries(date, timeZone, config.renew, 1, last.index + 1);
  return { fromMs, toMs: end?.startMs ?? fromMs };
}

/** Balances of one bucket day by day (days of the plan's zone) if the space's recent daily traffic continues. */
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
  const channels: Channel[] | 'all' = bucket === 'ALL' ? 'all' : [bucket];
  const dailyRate = spaceDailyRate(ledger, spaceId, channels, now);
  const perDay = Math.round(dailyRate);
  const channel: Channel | undefined = bucket === 'ALL' ? spaceChannels[0] : bucket;
  const timeZone = config.activation.timeZone;
  const sim = cloneState(start);
  const days: { t: number; remaining: number; period: number | null }[] = [];
  let runsOutOn: string | null = null;
  const periods = new Set<number>();
  const runOut = new Set<number>();
  // One sample a local day: the first at the window's start, then at local noon of each next
  // day, stepped in 24 h from the first noon. A daylight-saving change moves a sample an hour
  // or so off noon, never to another date, and the polyfill's zoned arithmetic (~25 µs a day,
  // over 2,000 days for a yearly plan) stays out of the loop.
  const first = Temporal.Instant.fromEpochMilliseconds(window.fromMs).toZonedDateTimeISO(timeZone);
  const firstNoon = first.toPlainDate().toZonedDateTime({ timeZone, plainTime: new Temporal.PlainTime(12) }).epochMilliseconds;
  const localDate = (t: number): string => Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(timeZone).toPlainDate().toString();
  for (let k = 0; ; k += 1) {
    const t = k === 0 ? window.fromMs : firstNoon + k * DAY_MS;
    if (t >= window.toMs) break;
    if (perDay > 0 && channel !== undefined) {
      const decision = recordUsage(sim, { id: '', channel, credits: perDay, direction: 'MT' }, t);
      if (!decision.accepted) {
        const left = snapshotAt(sim, t).buckets[bucket]?.remaining ?? 0;
        if (left > 0) recordUsage(sim, { id: '', channel, credits: left, direction: 'MT' }, t);
      }
    }
    const snapshot = snapshotAt(sim, t);
    const remaining = snapshot.buckets[bucket]?.remaining ?? (snapshot.period === null ? allocationOf(config, bucket) : 0);
    const period = snapshot.period?.index ?? null;
    days.push({ t, remaining, period });
    if (period === null) continue;
    periods.add(period);
    if (perDay > 0 && remaining === 0) {
      runOut.add(period);
      runsOutOn ??= localDate(t);
    }
  }
  const step = Math.ceil(days.length / MAX_PROJECTION_POINTS);
  const points = days
    .filter((d, i) => i % step === 0 || i === days.length - 1 || d.period !== days[i - 1]?.period || d.period !== days[i + 1]?.period)
    .map((d) => ({ at: iso(d.t), remaining: d.remaining }));
  return { bucket, dailyRate, points, runsOutOn, periods: periods.size, runOutPeriods: runOut.size };
}
