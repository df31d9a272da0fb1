import type { SyncStatus } from '../../shared/api';
import { START_CURSOR, type ChangeResult } from '../../shared/sync';
import type { OutboxRow } from './outbox';
import type { SyncService } from './service';
import { backoffDelay } from './backoff';
import { CentralFailure, pullChanges, pushChanges, type CentralEndpoint } from './central-http';

/**
 * The console's sync client: pushes the outbox, then pulls by cursor — on start, shortly after
 * each local change, every `intervalMs`, and when asked. One round at a time. While the
 * central service cannot be reached it retries with exponential backoff and jitter; the
 * console keeps working on its ledger meanwhile, and the status says how many changes wait.
 *
 * Exactly-once rests on the protocol: every change carries the id stored with it in the
 * outbox before its first send, so a change sent again (the answer was lost, the service died
 * mid-push) is answered "already applied"; every pulled page is applied together with the
 * cursor after it, so a page read twice is applied as the same latest state.
 */
export interface SyncClientOptions {
  /** What the client uses of the console's services (it never reads or writes the ledger itself). */
  services: { sync: SyncService; clock: () => number };
  /** Each new status, for the screens' `sync.status` event. */
  onStatus?: (status: SyncStatus) => void;
  /** After a pull page that applied any record, or a conflict: the plans among them (for `ledger.changed`). */
  onLedgerChanged?: (planIds: string[]) => void;
  /** A failure that is not the network's (a bug): logged, then retried like an outage. */
  log?: (line: string) => void;
  intervalMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  /** Records per pull page (the central service allows up to 5000). */
  pageLimit?: number;
  /** Changes per push (the central service allows up to 500). */
  batchSize?: number;
  timeoutMs?: number;
  /** Wait after a local change before syncing, so that a burst of edits goes in one round. */
  changeDelayMs?: number;
}

export class SyncClient {
  private readonly services: SyncClientOptions['services'];
  private readonly options: Required<Omit<SyncClientOptions, 'services' | 'onStatus' | 'onLedgerChanged' | 'log'>>;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private changeTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = true;
  private inRound = false;
  private halted = false;

  constructor(private readonly config: SyncClientOptions) {
    this.services = config.services;
    this.options = {
      intervalMs: config.intervalMs ?? 60_000,
      backoff: config.backoff ?? { baseMs: 1_000, maxMs: 60_000 },
      random: config.random ?? Math.random,
      pageLimit: config.pageLimit ?? 2_000,
      batchSize: config.batchSize ?? 100,
      timeoutMs: config.timeoutMs ?? 20_000,
      changeDelayMs: config.changeDelayMs ?? 250,
    };
  }

  /** Start syncing: a round now, then periodically. */
  start(): void {
    this.stopped = false;
    void this.trigger();
  }

  /** Stop the timers and wait for a round in flight to finish. */
  async stop(): Promise<void> {
    this.halt();
    await this.chain;
  }

  /** Stop the timers now; `busy` tells whether a round is still finishing. */
  halt(): void {
    this.stopped = true;
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.timer = this.changeTimer = null;
  }

  get busy(): boolean {
    return this.inRound || this.queued !== null;
  }

  /** A local change was written: sync soon. */
  notifyLocalChange(): void {
    if (this.stopped || this.changeTimer !== null) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      void this.trigger();
    }, this.options.changeDelayMs);
    this.changeTimer.unref();
  }

  /** One full round now (or the one about to start); resolves with the status after it. */
  async syncNow(): Promise<SyncStatus> {
    await this.trigger();
    return this.services.sync.status();
  }

  /** Failures in a row since the last good round. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  private trigger(): Promise<void> {
    if (this.queued !== null) return this.queued;
    const next = this.chain.then(async () => {
      this.queued = null;
      if (this.halted) return;
      this.inRound = true;
      try {
        await this.round();
      } finally {
        this.inRound = false;
      }
    });
    this.queued = next;
    this.chain = next;
    return next;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.trigger();
    }, delayMs);
    this.timer.unref();
  }

  private report(patch: Parameters<SyncService['report']>[0]): void {
    const status = this.services.sync.report(patch);
    this.config.onStatus?.(status);
  }

  private async round(): Promise<void> {
    const central = this.services.sync.endpoint();
    if (central === null) return;
    // A token sealed by another key store, or a URL stored before the console checked them
    // (plain http to another computer): nothing is sent, and the status says why.
    if ('problem' in central) {
      this.report({ state: 'offline', lastError: central.problem, pull: null });
      return;
    }
    const endpoint: CentralEndpoint = { ...central, timeoutMs: this.options.timeoutMs };
    this.report({ state: 'syncing' });
    try {
      await this.push(endpoint);
      await this.pull(endpoint);
      this.failures = 0;
      this.report({ state: 'connected', lastSyncAt: this.services.clock(), lastError: null, pull: null });
      this.schedule(this.options.intervalMs);
    } catch (error) {
      this.failures += 1;
      if (!(error instanceof CentralFailure)) this.config.log?.(`[sync] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const message = error instanceof Error ? error.message : String(error);
      this.report({ state: 'offline', lastError: message, pull: null });
      const delay = backoffDelay(this.failures, this.options.backoff, this.options.random);
      this.schedule(error instanceof CentralFailure && error.kind === 'unauthorized' ? Math.max(delay, this.options.backoff.maxMs) : delay);
    }
  }

  /**
   * The outbox in order, in batches. A batch holds at most one change per plan: the central
   * service answers each change on its own, so a second edit of a plan whose first edit turns
   * out to conflict must not be applied on top of someone else's version.
   */
  private async push(endpoint: CentralEndpoint): Promise<void> {
    const { sync } = this.services;
    for (;;) {
      const batch: OutboxRow[] = [];
      const plans = new Set<string>();
      for (const row of sync.toSend(this.options.batchSize)) {
        if (row.planId !== null && plans.has(row.planId)) break;
        if (row.planId !== null) plans.add(row.planId);
        batch.push(row);
      }
      if (batch.length === 0) return;
      sync.markBatchSent(batch.map((row) => row.changeId));
      let results: ChangeResult[];
      try {
        results = (await pushChanges(endpoint, batch.map((row) => row.payload))).results;
      } catch (error) {
        if (error instanceof CentralFailure && error.kind === 'change_id_reused') {
          // Not ours to retry: the same id with another payload can never be applied.
          sync.settleRefused(batch.filter((row) => error.changeIds.includes(row.changeId)), error.message);
          continue;
        }
        throw error;
      }
      if (results.length !== batch.length) throw new CentralFailure('unreachable', 'The central service answered a push with the wrong number of results.');
      if (results.some((result, i) => result.id !== batch[i]!.changeId)) {
        throw new CentralFailure('unreachable', 'The central service answered a push out of order.');
      }
      const changed = sync.settlePush(batch, results);
      if (changed.length > 0) this.config.onLedgerChanged?.(changed);
    }
  }

  /**
   * Pages from the stored cursor until the central service has nothing more. The next page is
   * asked for (by the cursor the current page ends at) while the current one is applied; the
   * stored cursor still moves only with the page applied. The first page asks the central
   * service how much is left after it, so a pull of more than one page shows done / total; a
   * central service that does not count leaves the total unknown (null).
   */
  private async pull(endpoint: CentralEndpoint): Promise<void> {
    const { sync } = this.services;
    let done = 0;
    let total: number | null = null;
    const cursor = sync.cursor() ?? START_CURSOR;
    // A central service older than `count`, `credits` or `labels` refuses the parameter (400):
    // pull without a total, add-on credits and usage per identity and campaign (it keeps none).
    let newer = true;
    let next = pullChanges(endpoint, cursor, this.options.pageLimit, { count: true, credits: newer, labels: newer }).catch((error: unknown) => {
      if (error instanceof CentralFailure && error.kind === 'refused') {
        newer = false;
        return pullChanges(endpoint, cursor, this.options.pageLimit);
      }
      throw error;
    });
    for (;;) {
      const page = await next;
      if (page.hasMore) {
        next = pullChanges(endpoint, page.nextCursor, this.options.pageLimit, { credits: newer, labels: newer });
        next.catch(() => undefined); // awaited on the next turn; a failure there ends the round
      }
      if (total === null && page.remaining !== undefined) total = page.items.length + page.remaining;
      const result = sync.applyPage(page);
      done += result.applied;
      // Any record changes what some screen shows (an environment, a space, a channel, usage,
      // an e-mail), not only a plan's: the screens refresh after every page that applied any.
      if (result.applied > 0) this.config.onLedgerChanged?.([...result.planIds]);
      if (!page.hasMore) return;
      // A pull that takes more than one page is a large one: show how far it got. Records written
      // during the pull come on top of the first count, so the total grows rather than lag behind.
      if (total !== null && done > total) total = done;
      this.report({ pull: { done, total } });
    }
  }
}
