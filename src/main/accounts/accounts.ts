import type { Channel, Direction, PlanPatch } from '../../shared/domain';
import { applyChargeNow, applyDelete, applyEdit, applyTopUp, createPlanState, explainUsage, recordUsage, type PlanState, type UsageExplanation } from '../../shared/engine';
import { AggregateDelta } from './aggregates';
import { decodeState, encodeState, planCreditsBetween, type Ledger, type PlanCreditRow, BEGINNING, DAY_MS, channelSql, directionSql } from '../ledger';
import { currentAttribution, type PlanTimeline, type TimelineVersion } from './timeline';

/**
 * Each plan's engine state, kept current as usage arrives. The state after everything applied
 * so far is stored per plan (plan_accounts), with a checkpoint at the start of each UTC day the
 * plan saw activity (plan_checkpoints: the state before any event or version at or after that
 * instant).
 *
 * Events at or after the state's clock are applied at once (the common case: files arrive in
 * time order). An older event marks the plan dirty from its instant; settling replays, from
 * the last checkpoint at or before that instant, every version and event in time order
 * (versions first at the same instant, then events by insertion order), re-deciding each event
 * and writing only the decisions that changed. Reads never need a settled plan: they replay
 * from a checkpoint that precedes the dirty instant.
 */

export interface Account {
  state: PlanState;
  dirtyFrom: number | null;
}

interface EventRow {
  seq: number;
  channel: Channel;
  direction: Direction;
  credits: number;
  occurred_at: number;
}

export interface NewEvent {
  seq: number;
  id: string;
  channel: Channel;
  direction: Direction;
  credits: number;
  t: number;
}

export function loadAccount(ledger: Ledger, timeline: PlanTimeline): Account {
  const row = ledger.stmt('SELECT state, dirty_from FROM plan_accounts WHERE plan_ref = ?').get(timeline.ref) as
    | { state: string; dirty_from: number | null }
    | undefined;
  if (row === undefined) return { state: freshState(timeline), dirtyFrom: BEGINNING };
  return { state: decodeState(row.state), dirtyFrom: row.dirty_from };
}

function freshState(timeline: PlanTimeline): PlanState {
  const first = timeline.versions[0];
  if (first === undefined) throw new Error(`plan ${timeline.id} has no versions`);
  return createPlanState(first.config);
}

export function saveAccount(ledger: Ledger, ref: number, account: Account): void {
  ledger
    .stmt(
      `INSERT INTO plan_accounts (plan_ref, state, dirty_from) VALUES (?, ?, ?)
       ON CONFLICT (plan_ref) DO UPDATE SET state = excluded.state, dirty_from = excluded.dirty_from`,
    )
    .run(ref, encodeState(account.state), account.dirtyFrom);
}

/** Note that everything of the plan from `fromMs` on must be re-decided. */
export function markDirty(ledger: Ledger, timeline: PlanTimeline, fromMs: number): void {
  const account = loadAccount(ledger, timeline);
  const dirtyFrom = Math.min(account.dirtyFrom ?? Infinity, fromMs);
  if (account.dirtyFrom === dirtyFrom) return;
  saveAccount(ledger, timeline.ref, { state: account.state, dirtyFrom });
}

function saveCheckpoint(ledger: Ledger, ref: number, atMs: number, state: string): void {
  ledger.stmt('INSERT OR REPLACE INTO plan_checkpoints (plan_ref, at_ms, state) VALUES (?, ?, ?)').run(ref, atMs, state);
}

/** Before an item at `t`: if it opens a new UTC day for this state, the state is that day's checkpoint. */
function checkpointDue(state: PlanState, t: number): number | null {
  const day = Math.floor(t / DAY_MS);
  if (state.clockMs !== -Infinity && Math.floor(state.clockMs / DAY_MS) >= day) return null;
  return day * DAY_MS;
}

function applyVersion(state: PlanState, version: TimelineVersion): void {
  if (version.action === 'deleted') applyDelete(state, version.effectiveAt);
  else applyEdit(state, version.config as PlanPatch, version.effectiveAt);
}

/** Credits given to the plan (a top-up or a charge-now, SPEC §9.2–9.3), applied at their instant. */
function applyCredit(state: PlanState, credit: PlanCreditRow): void {
  if (credit.kind === 'charge_now') applyChargeNow(state, credit.id, credit.at);
  else applyTopUp(state, { id: credit.id, bucket: credit.bucket, credits: credit.credits, expires: credit.expires, price: credit.price ?? undefined }, credit.at);
}

/**
 * The engine states of the plans one transaction touches, kept in memory while it runs and
 * written once at its end. Events are applied as they come (per plan, each group in time
 * order); a group older than the plan's clock marks the plan dirty instead.
 */
export class AccountSession {
  private readonly open = new Map<number, { timeline: PlanTimeline; account: Account; changed: boolean }>();
  private readonly ledger: Ledger;
  private readonly delta: AggregateDelta;
  private readonly decidedAt: number;

  constructor(ledger: Ledger, delta: AggregateDelta, decidedAt: number) {
    this.ledger = ledger;
    this.delta = delta;
    this.decidedAt = decidedAt;
  }

  apply(timeline: PlanTimeline, events: readonly NewEvent[]): void {
    const first = events[0];
    if (first === undefined) return;
    let entry = this.open.get(timeline.ref);
    if (entry === undefined) {
      entry = { timeline, account: loadAccount(this.ledger, timeline), changed: false };
      this.open.set(timeline.ref, entry);
    }
    const { account } = entry;
    entry.changed = true;
    if (account.dirtyFrom !== null || first.t < account.state.clockMs) {
      account.dirtyFrom = Math.min(account.dirtyFrom ?? Infinity, first.t);
      return;
    }
    const { state } = account;
    const reject = this.ledger.stmt('INSERT OR REPLACE INTO usage_rejections (event_seq, plan_ref, reason, decided_at) VALUES (?, ?, ?, ?)');
    for (const event of events) {
      const due = checkpointDue(state, event.t);
      if (due !== null) saveCheckpoint(this.ledger, timeline.ref, due, encodeState(state));
      const decision = recordUsage(state, event, event.t);
      if (!decision.accepted) {
        reject.run(event.seq, timeline.ref, decision.reason, this.decidedAt);
        this.delta.add(timeline.ref, event.channel, event.t, 0, 0, event.credits);
      }
    }
  }

  /** Write every state that changed (inside the same transaction). */
  save(): void {
    for (const [ref, entry] of this.open) if (entry.changed) saveAccount(this.ledger, ref, entry.account);
    this.open.clear();
  }
}

/** Credits just given to a plan, applied to its state (or, when usage is already later, by a replay). */
export function applyNewCredit(ledger: Ledger, timeline: PlanTimeline, credit: PlanCreditRow): void {
  const account = loadAccount(ledger, timeline);
  if (account.dirtyFrom !== null || credit.at <= account.state.clockMs) {
    markDirty(ledger, timeline, credit.at);
    return;
  }
  const due = checkpointDue(account.state, credit.at);
  if (due !== null) saveCheckpoint(ledger, timeline.ref, due, encodeState(account.state));
  applyCredit(account.state, credit);
  saveAccount(ledger, timeline.ref, account);
}

/** A new version of a plan (an edit or a delete), applied to its state. */
export function applyNewVersion(ledger: Ledger, timeline: PlanTimeline, version: TimelineVersion): void {
  const account = loadAccount(ledger, timeline);
  if (account.dirtyFrom !== null || version.effectiveAt <= account.state.clockMs) {
    markDirty(ledger, timeline, version.effectiveAt);
    return;
  }
  const due = checkpointDue(account.state, version.effectiveAt);
  if (due !== null) saveCheckpoint(ledger, timeline.ref, due, encodeState(account.state));
  applyVersion(account.state, version);
  saveAccount(ledger, timeline.ref, account);
}

interface Replayed {
  state: PlanState;
  /** With `explain`: the explanation of that event (the replay stops there). */
  explanation?: UsageExplanation;
  checkpoints: { atMs: number; state: string }[];
  /** Events whose decision differs from the stored one. */
  flips: { seq: number; channel: Channel; credits: number; t: number; reason: string | null }[];
}

/**
 * Replay a plan from the last checkpoint at or before `fromMs` up to `untilMs` (inclusive).
 * With `prior`, decisions are compared to the stored rejections and differences collected.
 */
function replay(
  ledger: Ledger,
  timeline: PlanTimeline,
  fromMs: number,
  untilMs: number,
  prior: Map<number, string> | null,
  explain: number | null = null,
): Replayed & { startMs: number } {
  const checkpoint =
    fromMs <= BEGINNING
      ? undefined
      : (ledger
          .stmt('SELECT at_ms, state FROM plan_checkpoints WHERE plan_ref = ? AND at_ms <= ? ORDER BY at_ms DESC LIMIT 1')
          .get(timeline.ref, fromMs) as { at_ms: number; state: string } | undefined);
  const state = checkpoint ? decodeState(checkpoint.state) : freshState(timeline);
  const startMs = checkpoint ? checkpoint.at_ms : BEGINNING;
  const versions = timeline.versions.slice(1).filter((v) => v.effectiveAt >= startMs && v.effectiveAt <= untilMs);
  // Credits given (top-ups, charge-nows) are applied after the versions and before the events of their instant.
  const credits = planCreditsBetween(ledger, timeline.ref, startMs, untilMs);
  let nextVersion = 0;
  let nextCredit = 0;
  const checkpoints: Replayed['checkpoints'] = [];
  const flips: Replayed['flips'] = [];
  const track = prior !== null;
  const step = (t: number): void => {
    const due = checkpointDue(state, t);
    if (track && due !== null) checkpoints.push({ atMs: due, state: encodeState(state) });
  };
  /** Apply the versions and credits up to `t` in time order (versions first at one instant). */
  const catchUp = (t: number): void => {
    for (;;) {
      const version = versions[nextVersion];
      const credit = credits[nextCredit];
      const versionAt = version !== undefined && version.effectiveAt <= t ? version.effectiveAt : Infinity;
      const creditAt = credit !== undefined && credit.at <= t ? credit.at : Infinity;
      if (versionAt === Infinity && creditAt === Infinity) return;
      if (versionAt <= creditAt) {
        nextVersion += 1;
        step(versionAt);
        applyVersion(state, version!);
      } else {
        nextCredit += 1;
        step(creditAt);
        applyCredit(state, credit!);
      }
    }
  };
  const events = ledger
    .stmt(
      `SELECT seq, ${channelSql('kind')} AS channel, ${directionSql('kind')} AS direction, credits, occurred_at FROM usage_events
       WHERE plan_ref = ? AND occurred_at >= ? AND occurred_at <= ? ORDER BY occurred_at, seq`,
    )
    .iterate(timeline.ref, startMs, untilMs) as IterableIterator<EventRow>;
  for (const event of events) {
    catchUp(event.occurred_at);
    step(event.occurred_at);
    const usage = { id: '', channel: event.channel, direction: event.direction, credits: event.credits };
    if (event.seq === explain) return { state, checkpoints, flips, startMs, explanation: explainUsage(state, usage, event.occurred_at) };
    const decision = recordUsage(state, usage, event.occurred_at);
    if (track) {
      const reason = decision.accepted ? null : decision.reason;
      const before = prior.get(event.seq) ?? null;
      if (reason !== before) flips.push({ seq: event.seq, channel: event.channel, credits: event.credits, t: event.occurred_at, reason });
    }
  }
  catchUp(Infinity);
  return { state, checkpoints, flips, startMs };
}

/** Re-decide a dirty plan and write what changed. Returns how many decisions changed. */
export function settle(ledger: Ledger, timeline: PlanTimeline, delta: AggregateDelta, decidedAt: number): number {
  const account = loadAccount(ledger, timeline);
  if (account.dirtyFrom === null) return 0;
  const checkpoint =
    account.dirtyFrom <= BEGINNING
      ? undefined
      : (ledger
          .stmt('SELECT at_ms FROM plan_checkpoints WHERE plan_ref = ? AND at_ms <= ? ORDER BY at_ms DESC LIMIT 1')
          .get(timeline.ref, account.dirtyFrom) as { at_ms: number } | undefined);
  const startMs = checkpoint ? checkpoint.at_ms : BEGINNING;
  const prior = new Map<number, string>();
  for (const row of ledger
    .stmt(
      `SELECT r.event_seq AS seq, r.reason AS reason FROM usage_rejections r JOIN usage_events e ON e.seq = r.event_seq
       WHERE r.plan_ref = ? AND e.occurred_at >= ?`,
    )
    .all(timeline.ref, startMs) as { seq: number; reason: string }[]) {
    prior.set(row.seq, row.reason);
  }
  const result = replay(ledger, timeline, account.dirtyFrom, Number.MAX_SAFE_INTEGER, prior);
  ledger.stmt('DELETE FROM plan_checkpoints WHERE plan_ref = ? AND at_ms > ?').run(timeline.ref, result.startMs);
  for (const checkpoint of result.checkpoints) saveCheckpoint(ledger, timeline.ref, checkpoint.atMs, checkpoint.state);
  const reject = ledger.stmt('INSERT OR REPLACE INTO usage_rejections (event_seq, plan_ref, reason, decided_at) VALUES (?, ?, ?, ?)');
  const accept = ledger.stmt('DELETE FROM usage_rejections WHERE event_seq = ?');
  for (const flip of result.flips) {
    const wasRejected = prior.has(flip.seq);
    if (flip.reason === null) {
      accept.run(flip.seq);
      delta.add(timeline.ref, flip.channel, flip.t, 0, 0, -flip.credits);
    } else {
      reject.run(flip.seq, timeline.ref, flip.reason, decidedAt);
      if (!wasRejected) delta.add(timeline.ref, flip.channel, flip.t, 0, 0, flip.credits);
    }
  }
  saveAccount(ledger, timeline.ref, { state: result.state, dirtyFrom: null });
  return result.flips.length;
}

/** Settle every dirty plan (after an import, after a crash mid-import). */
export function settleAll(ledger: Ledger, decidedAt: number): number {
  const dirty = ledger.stmt('SELECT plan_ref FROM plan_accounts WHERE dirty_from IS NOT NULL').all() as { plan_ref: number }[];
  const missing = ledger
    .stmt('SELECT ref AS plan_ref FROM plans WHERE ref NOT IN (SELECT plan_ref FROM plan_accounts)')
    .all() as { plan_ref: number }[];
  if (dirty.length === 0 && missing.length === 0) return 0;
  const attribution = currentAttribution(ledger);
  let changed = 0;
  ledger.transaction(() => {
    const delta = new AggregateDelta();
    for (const { plan_ref } of [...dirty, ...missing]) {
      const timeline = attribution.timeline(plan_ref);
      if (timeline) changed += settle(ledger, timeline, delta, decidedAt);
    }
    delta.flush(ledger);
  });
  return changed;
}

/**
 * The plan's state with every version and event up to `atMs` applied (read-only): the stored
 * state when it is current and not later than `atMs`, otherwise a replay from a checkpoint.
 */
export function stateAt(ledger: Ledger, timeline: PlanTimeline, atMs: number): PlanState {
  const account = loadAccount(ledger, timeline);
  if (account.dirtyFrom === null && atMs >= account.state.clockMs) return account.state;
  const bound = Math.min(atMs, account.dirtyFrom ?? Infinity);
  return replay(ledger, timeline, bound, atMs, null).state;
}

/**
 * Why the plan decided event `seq` (at `t`) as it did: the same replay reads use — from the last
 * checkpoint before it (at most a UTC day of the plan's events), or from before the dirty instant
 * of a plan not yet settled — applying every version and event before it, then the event itself
 * through the engine's explanation. Nothing is written.
 */
export function explainEvent(ledger: Ledger, timeline: PlanTimeline, seq: number, t: number): UsageExplanation | null {
  const account = loadAccount(ledger, timeline);
  const from = Math.min(t, account.dirtyFrom ?? Infinity);
  return replay(ledger, timeline, from, t, null, seq).explanation ?? null;
}
