import type { SyncStatus } from '../../shared/api';
import {
  getOutbox,
  getSyncState,
  iso,
  markOutboxSent,
  outboxCounts,
  outboxToSend,
  setNotificationStatus,
  setSyncSettings,
  settleOutbox,
  updateSyncState,
  type Ledger,
  type OutboxRow,
  type SyncStateRow,
} from '../ledger';
import { ServiceError } from './errors';

/**
 * Sync state and the outbox, as data. The network client (another room) drains the outbox
 * through `toSend` / `markSent` / `accepted` / `rejected` and reports rounds with `report`.
 */
export class SyncService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
  ) {}

  status(): SyncStatus {
    const state = getSyncState(this.ledger);
    const counts = outboxCounts(this.ledger);
    return {
      state: state.centralUrl === null ? 'not_configured' : state.state,
      centralUrl: state.centralUrl,
      lastSyncAt: state.lastSyncAt === null ? null : iso(state.lastSyncAt),
      pendingChanges: counts.pending,
      conflicts: counts.rejected,
      lastError: state.lastError,
      pull: state.pull,
    };
  }

  settings(): { centralUrl: string | null; hasToken: boolean } {
    const state = getSyncState(this.ledger);
    return { centralUrl: state.centralUrl, hasToken: state.token !== null };
  }

  /** The token for the sync client (never returned to the screens). */
  token(): string | null {
    return getSyncState(this.ledger).token;
  }

  updateSettings(centralUrl: string | null, token?: string | null): { centralUrl: string | null; hasToken: boolean } {
    if (centralUrl !== null) {
      let url: URL;
      try {
        url = new URL(centralUrl);
      } catch {
        throw new ServiceError('validation', `"${centralUrl}" is not a URL.`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new ServiceError('validation', 'The central service URL must start with https:// (or http:// for a local test service).');
      }
    }
    this.ledger.transaction(() => setSyncSettings(this.ledger, centralUrl, token));
    return this.settings();
  }

  toSend(limit = 100): OutboxRow[] {
    return outboxToSend(this.ledger, limit);
  }

  markSent(changeId: string, error: string | null = null): void {
    this.ledger.transaction(() => markOutboxSent(this.ledger, changeId, this.clock(), error));
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

  report(patch: Partial<Pick<SyncStateRow, 'cursor' | 'state' | 'lastSyncAt' | 'lastError' | 'pull'>>): SyncStatus {
    this.ledger.transaction(() => updateSyncState(this.ledger, patch));
    return this.status();
  }
}
