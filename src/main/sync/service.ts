import { randomUUID } from 'node:crypto';
import type { SyncConflict, SyncStatus } from '../../shared/api';
import { CHANNELS, type PlanConfig } from '../../shared/domain';
import type { ChangeResult, PullItem } from '../../shared/sync';
import { closeConflict, getConflict, listConflicts, openConflictCount, setAsideConflict, type ConflictRow } from './conflicts';
import { applyPullPage, refreshEngine, type PullPageResult } from './pull';
import { isCreditChange, settleCreditChange } from './credits';
import {
  getOutbox,
  getSyncState,
  markOutboxSent,
  outboxCounts,
  outboxToSend,
  setSyncSettings,
  settleOutbox,
  updateSyncState,
  type OutboxRow,
  type SyncStateRow,
} from './outbox';
import { getPlan, getPlanByRef, iso, setNotificationStatus, type Ledger } from '../ledger';
import { ApiFailure } from '../../shared/api';
import { notFound } from '../ledger';

/** What resolving a conflict with "mine" needs of the plans service: saving my plan again. */
export interface PlanWriter {
  edit(planId: string, baseVersion: number, patch: PlanConfig, who: string): unknown;
  delete(planId: string, baseVersion: number, who: string): unknown;
}
import { checkCentralUrl, sameCentralService } from './central-url';
import { isSealed, readStoredToken, tokenToStore, type TokenSealer } from './token-store';

/**
 * Sync state, the outbox, pulled pages and conflicts, as the screens and the network client
 * see them. The client (client.ts) drains the outbox through `toSend` / `markBatchSent` /
 * `settlePush`, applies pulled pages with `applyPage`, and reports rounds with `report`; it
 * never reads or writes the ledger itself.
 */
export class SyncService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
    private readonly plans?: PlanWriter,
    /** Seals the token at rest where the host can (Electron's safeStorage); null: kept as is. */
    private readonly sealer: TokenSealer | null = null,
  ) {}

  status(): SyncStatus {
    const state = getSyncState(this.ledger);
    const counts = outboxCounts(this.ledger);
    return {
      state: state.centralUrl === null ? 'not_configured' : state.state,
      centralUrl: state.centralUrl,
      lastSyncAt: state.lastSyncAt === null ? null : iso(state.lastSyncAt),
      pendingChanges: counts.pending,
      conflicts: openConflictCount(this.ledger),
      lastError: state.centralUrl !== null && state.token === null ? 'No token is set for this central service: enter one under Settings.' : state.lastError,
      pull: state.pull,
    };
  }

  settings(): { centralUrl: string | null; hasToken: boolean } {
    const state = getSyncState(this.ledger);
    return { centralUrl: state.centralUrl, hasToken: state.token !== null };
  }

  /** Seal a token stored in plain text (by an older console, or the web host) once a sealer is at hand. */
  sealStoredToken(): boolean {
    const sealer = this.sealer;
    if (sealer === null) return false;
    const state = getSyncState(this.ledger);
    if (state.token === null || isSealed(state.token)) return false;
    // secure_delete: the bytes of the clear token are overwritten, not merely freed.
    this.ledger.db.pragma('secure_delete = ON');
    try {
      this.ledger.transaction(() => setSyncSettings(this.ledger, state.centralUrl, tokenToStore(state.token!, sealer)));
      this.ledger.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.ledger.db.pragma('secure_delete = OFF');
    }
    return true;
  }

  /**
   * Set the central service and its token. A token belongs to the service that issued it: when
   * the URL changes and no new token comes with it, the stored one is removed (and the answer
   * says so), so that pointing the console at another listener never hands it the token.
   */
  updateSettings(centralUrl: string | null, token?: string | null): { centralUrl: string | null; hasToken: boolean; tokenCleared: boolean } {
    let url: string | null = null;
    if (centralUrl !== null) {
      const checked = checkCentralUrl(centralUrl);
      if (!checked.ok) throw new ApiFailure('validation', checked.message);
      url = checked.url;
    }
    const tokenCleared = this.ledger.transaction(() => {
      const before = getSyncState(this.ledger);
      const moved = !sameCentralService(before.centralUrl, url);
      const clear = token === undefined && before.token !== null && moved;
      setSyncSettings(this.ledger, url, clear ? null : typeof token === 'string' ? tokenToStore(token, this.sealer) : token);
      // The last error was the old service's.
      if (moved) updateSyncState(this.ledger, { lastError: null });
      return clear;
    });
    return { ...this.settings(), tokenCleared };
  }

  /**
   * Where to sync and with which token; null while either is not set; a problem when the token
   * cannot be read here (sealed by another key store) or the stored URL fails today's check
   * (plain http to another computer, stored by an older console): nothing is sent then.
   */
  endpoint(): { url: string; token: string } | { problem: string } | null {
    const state = getSyncState(this.ledger);
    if (state.centralUrl === null || state.token === null) return null;
    const read = readStoredToken(state.token, this.sealer);
    if (read.token === null) return { problem: read.problem };
    const checked = checkCentralUrl(state.centralUrl);
    if (!checked.ok) return { problem: checked.message };
    return { url: checked.url, token: read.token };
  }

  /** The cursor the next pull starts from (null before the first pull). */
  cursor(): string | null {
    return getSyncState(this.ledger).cursor;
  }

  toSend(limit = 100): OutboxRow[] {
    return outboxToSend(this.ledger, limit);
  }

  markSent(changeId: string, error: string | null = null): void {
    this.ledger.transaction(() => markOutboxSent(this.ledger, changeId, this.clock(), error));
  }

  /** A batch is about to be sent: one transaction for all of it. */
  markBatchSent(changeIds: readonly string[]): void {
    const at = this.clock();
    this.ledger.transaction(() => {
      for (const changeId of changeIds) markOutboxSent(this.ledger, changeId, at);
    });
  }

  /**
   * The central service's answers to a pushed batch (in the batch's order), in one
   * transaction: accepted changes are settled; a refused change of a plan sets that plan's
   * waiting changes aside as a conflict and takes its engine state back to the central
   * version. Returns the plans whose records changed.
   */
  settlePush(batch: readonly OutboxRow[], results: readonly ChangeResult[]): string[] {
    const changed: string[] = [];
    this.ledger.transaction(() => {
      batch.forEach((row, i) => {
        const result = results[i]!;
        if (isCreditChange(row)) {
          const accepted = result.status === 'applied' || result.status === 'already_applied';
          settleCreditChange(this.ledger, row, accepted ? 'accepted' : 'refused', this.clock(), accepted ? null : result.message);
          // Refused credits no longer count here: the plan's state is decided again without them.
          if (!accepted && row.planId !== null) changed.push(row.planId);
          return;
        }
        if (result.status === 'applied' || result.status === 'already_applied') {
          settleOutbox(this.ledger, row.changeId, 'accepted', this.clock());
          return;
        }
        const reason = result.status === 'conflict' ? 'outdated' : 'rejected';
        if (this.setAside(row, reason, result.message) && row.planId !== null) changed.push(row.planId);
      });
      this.refreshPlans(changed);
    });
    return changed;
  }

  /** Changes the central service can never apply (their id was used for another change). */
  settleRefused(rows: readonly OutboxRow[], message: string): void {
    this.ledger.transaction(() => {
      const refused: string[] = [];
      for (const row of rows) {
        if (isCreditChange(row)) {
          settleCreditChange(this.ledger, row, 'refused', this.clock(), message);
          if (row.planId !== null) refused.push(row.planId);
        } else this.setAside(row, 'rejected', message);
      }
      this.refreshPlans(refused);
    });
  }

  /** A plan change is set aside as a conflict; any other change is settled as rejected. */
  private setAside(row: OutboxRow, reason: 'outdated' | 'rejected', message: string): boolean {
    if (row.planRef !== null && row.baseVersion !== null) {
      setAsideConflict(this.ledger, { planRef: row.planRef, baseVersion: row.baseVersion, reason, message, at: this.clock(), newId: SyncService.newConflictId });
      return true;
    }
    settleOutbox(this.ledger, row.changeId, 'rejected', this.clock(), message);
    return false;
  }

  /** Engine states of plans taken back to an earlier version. */
  private refreshPlans(planIds: readonly string[]): void {
    const refs = planIds.flatMap((id) => getPlan(this.ledger, id)?.ref ?? []);
    if (refs.length > 0) refreshEngine(this.ledger, refs, this.clock());
  }

  /** One pulled page and the cursor after it, in one transaction. */
  applyPage(page: { items: readonly PullItem[]; nextCursor: string }): PullPageResult {
    return applyPullPage(this.ledger, page, { now: this.clock(), newId: SyncService.newConflictId });
  }

  /** The central service accepted the change: its e-mail is now the central service's to send. */
  accepted(changeId: string): boolean {
    return this.ledger.transaction(() => settleOutbox(this.ledger, changeId, 'accepted', this.clock()));
  }

  /** The central service refused the change (a conflict): no e-mail will go out for it. */
  rejected(changeId: string, reason: string): boolean {
    return this.ledger.transaction(() => {
      const at = this.clock();
      const settled = settleOutbox(this.ledger, changeId, 'rejected', at, reason);
      if (settled) setNotificationStatus(this.ledger, { changeId }, 'failed', at, `The central service refused this change: ${reason}`);
      return settled;
    });
  }

  change(changeId: string): OutboxRow | null {
    return getOutbox(this.ledger, changeId);
  }

  conflicts(includeResolved = false): SyncConflict[] {
    return listConflicts(this.ledger, includeResolved).map((c) => this.conflictView(c));
  }

  /**
   * The admin's decision. Keep central: my set-aside changes stay on record, marked dropped in
   * the history log. Mine: my resulting plan is applied as a new change on top of the central
   * version (a new version, history entry, outbox change and e-mail), and my set-aside entries
   * are marked rebased. One transaction either way.
   */
  resolveConflict(conflictId: string, keep: 'central' | 'mine', who: string): SyncConflict {
    const conflict = getConflict(this.ledger, conflictId);
    if (conflict === null) throw notFound('conflict', conflictId);
    if (conflict.resolvedAt !== null) {
      throw new ApiFailure('conflict', `This conflict was already resolved (${conflict.resolution === 'central' ? 'central version kept' : 'your version applied'}).`);
    }
    this.ledger.transaction(() => {
      let rebased: string | null = null;
      if (keep === 'mine') {
        const plans = this.plans;
        if (plans === undefined) throw new Error('SyncService needs the plans service to apply a change again');
        const current = getPlanByRef(this.ledger, conflict.planRef);
        if (current === null || conflict.baseVersion === 0) {
          throw new ApiFailure('conflict', `The central service has no plan ${conflict.planId} to apply your version on; keep the central state, then create the plan again.`);
        }
        if (current.deletedAt !== null) {
          throw new ApiFailure('conflict', `Plan ${conflict.planId} was deleted on the central service; your version cannot be applied on top of it. Keep the central state, then create a new plan.`);
        }
        if (conflict.mine.deleted) plans.delete(conflict.planId, current.version, who);
        else if (!sameConfig(conflict.mine.config, current.config)) plans.edit(conflict.planId, current.version, conflict.mine.config, who);
        const after = getPlanByRef(this.ledger, conflict.planRef)!;
        rebased = after.version > current.version ? (this.changeOf(conflict.planRef, after.version) ?? null) : null;
      }
      closeConflict(this.ledger, conflict.id, { resolution: keep, by: who, at: this.clock(), rebasedChangeId: rebased });
    });
    return this.conflictView(getConflict(this.ledger, conflictId)!);
  }

  private changeOf(planRef: number, version: number): string | undefined {
    const row = this.ledger.stmt('SELECT change_id FROM outbox WHERE plan_ref = ? AND version = ?').get(planRef, version) as { change_id: string } | undefined;
    return row?.change_id;
  }

  private conflictView(c: ConflictRow): SyncConflict {
    const plan = getPlanByRef(this.ledger, c.planRef);
    const central =
      plan === null || c.baseVersion === 0 && plan.version <= 1 && c.resolvedAt === null
        ? null
        : { config: plan.config, deleted: plan.deletedAt !== null, actor: plan.updatedBy, at: iso(plan.updatedAt), version: plan.version };
    const mine = { config: c.mine.config, deleted: c.mine.deleted, actor: c.mine.actor, at: iso(c.mine.at), version: null };
    return {
      id: c.id,
      planId: c.planId,
      spaceId: c.spaceId,
      reason: c.reason,
      message: c.message,
      detectedAt: iso(c.detectedAt),
      changes: c.changes.length,
      central,
      mine,
      fields: sideBySide(central, mine),
      resolution: c.resolution,
      resolvedAt: c.resolvedAt === null ? null : iso(c.resolvedAt),
      resolvedBy: c.resolvedBy,
    };
  }

  /** A fresh id for a conflict record. */
  static newConflictId(): string {
    return `CF-${randomUUID()}`;
  }

  report(patch: Partial<Pick<SyncStateRow, 'cursor' | 'state' | 'lastSyncAt' | 'lastError' | 'pull'>>): SyncStatus {
    this.ledger.transaction(() => updateSyncState(this.ledger, patch));
    return this.status();
  }
}

function sameConfig(a: PlanConfig, b: PlanConfig): boolean {
  return JSON.stringify(fieldsOf(a, false)) === JSON.stringify(fieldsOf(b, false));
}

/** Every field of a plan as the conflict view lists it, in a fixed order. */
function fieldsOf(config: PlanConfig, deleted: boolean): [string, unknown][] {
  const credits: [string, unknown][] =
    config.limit === 'all_channels'
      ? [['credits.ALL', config.credits]]
      : CHANNELS.filter((c) => config.credits[c] !== undefined).map((c) => [`credits.${c}`, config.credits[c]]);
  return [
    ['status', deleted ? 'deleted' : 'live'],
    ['limit', config.limit],
    ...credits,
    ['renew', config.renew],
    ['rollover', config.rollover],
    ['overage', config.overage],
    ['activation.date', config.activation.date],
    ['activation.timeZone', config.activation.timeZone],
  ];
}

function sideBySide(
  central: { config: PlanConfig; deleted: boolean } | null,
  mine: { config: PlanConfig; deleted: boolean },
): SyncConflict['fields'] {
  const a = new Map(central === null ? [] : fieldsOf(central.config, central.deleted));
  const b = new Map(fieldsOf(mine.config, mine.deleted));
  const names = [...new Set([...a.keys(), ...b.keys()])];
  const order = (name: string): number => {
    const i = [...b.keys(), ...a.keys()].indexOf(name);
    return name.startsWith('credits.') ? 2 + i / 100 : i;
  };
  return names
    .sort((x, y) => order(x) - order(y))
    .map((field) => {
      const c = a.has(field) ? a.get(field) : null;
      const m = b.has(field) ? b.get(field) : null;
      return { field, central: c, mine: m, differs: JSON.stringify(c) !== JSON.stringify(m) };
    });
}
