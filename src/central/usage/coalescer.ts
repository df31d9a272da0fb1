import type { UsageDecisionRecord } from '../../shared/sync';
import type { UsageEventInput } from './authorize';

/**
 * Group commit for usage requests. While the transactions already running occupy the
 * database, the requests that arrive meanwhile wait in a queue, and the next free slot decides
 * all of them in one transaction. An idle service adds no delay; a busy one commits once per
 * group instead of once per request. Decisions are the same as one request after the other:
 * a batch is decided in order, and an id repeated across the grouped requests is answered as
 * a duplicate of its first decision.
 *
 * A group that fails is decided again request by request, so a request that cannot be decided
 * fails alone.
 *
 * Only requests in flight are held here; nothing outlives them, so instances stay stateless.
 */
interface Waiting {
  events: UsageEventInput[];
  resolve(decisions: UsageDecisionRecord[]): void;
  reject(error: unknown): void;
}

/** How groups are formed (see UsageCoalescer). */
export interface GroupingLimits {
  /** Groups that may run whatever their size (1 for the embedded database: it runs one at a time anyway). */
  smallGroups: number;
  /** Groups that may run at once when the queue holds work enough for them (≥ smallGroups). */
  maxGroups: number;
  /**
   * Events a group beyond the small ones takes at least: below this, a statement's and a commit's
   * own cost per group outweighs running groups side by side.
   */
  bigGroupEvents: number;
  /** Events per group at most, so that one group never holds the locks for long. */
  maxEvents: number;
  /**
   * When a group ends, the next one starts before its requests are answered (false: one turn of
   * the event loop later, for a database that keeps the event loop while it works; see schedule).
   */
  startNextAtOnce: boolean;
}

export const DEFAULT_GROUPING: GroupingLimits = { smallGroups: 1, maxGroups: 8, bigGroupEvents: 1_000, maxEvents: 5_000, startNextAtOnce: true };

export class UsageCoalescer {
  private readonly queue: Waiting[] = [];
  /** Events waiting in the queue. */
  private queued = 0;
  private inFlight = 0;
  private readonly limits: GroupingLimits;
  /** Groups started and the events in them, since the start (reported at shutdown). */
  groups = 0;
  events = 0;

  /**
   * Up to `smallGroups` groups run at once whatever their size: single events queue behind them
   * and go in large groups (one statement and one commit for many requests). More groups, up to
   * `maxGroups`, start only when the queue holds `bigGroupEvents` or more, and the queue is then
   * shared among the free ones: large batches are decided side by side on as many database
   * backends, as a client sending them on separate connections would be, instead of one after
   * the other in one large group. On a machine shared with other work that matters: the CPU is
   * shared per runnable process, so work on one backend gets a small share of it.
   */
  constructor(
    private readonly decide: (events: UsageEventInput[]) => Promise<UsageDecisionRecord[]>,
    limits: Partial<GroupingLimits> = {},
  ) {
    const merged = { ...DEFAULT_GROUPING, ...limits };
    this.limits = { ...merged, maxGroups: Math.max(merged.maxGroups, merged.smallGroups) };
  }

  private scheduled = false;

  submit(events: UsageEventInput[]): Promise<UsageDecisionRecord[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.queued += events.length;
      this.schedule();
    });
  }

  /**
   * Start the next group one turn of the event loop later. The embedded database runs its
   * queries without ever giving the event loop back, so requests received during a
   * transaction are only read after it; this turn lets them join the queue first.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const { smallGroups, maxGroups, bigGroupEvents, maxEvents } = this.limits;
    while (this.queue.length > 0 && this.inFlight < maxGroups) {
      if (this.inFlight >= smallGroups && this.queued < bigGroupEvents) break;
      // The queue shared among as many groups as may run, none below bigGroupEvents.
      const share = Math.max(bigGroupEvents, Math.ceil(this.queued / maxGroups));
      const group: Waiting[] = [this.queue.shift()!];
      let size = group[0]!.events.length;
      while (this.queue.length > 0 && size < share && size + this.queue[0]!.events.length <= maxEvents) {
        const next = this.queue.shift()!;
        group.push(next);
        size += next.events.length;
      }
      this.queued -= size;
      this.groups += 1;
      this.events += size;
      this.inFlight += 1;
      // When the group ends, the next one is sent to the database first (the requests that
      // arrived meanwhile are queued), and only then are this group's requests answered: the
      // database works on the next group while this process writes the answers, instead of
      // waiting for them (with single events, ~30 answers of ~20 µs each per group).
      const ended = () => {
        this.inFlight -= 1;
        if (this.limits.startNextAtOnce) this.pump();
        else this.schedule();
      };
      this.decide(group.flatMap((waiting) => waiting.events))
        .then(
          (decisions) => {
            ended();
            let offset = 0;
            for (const waiting of group) {
              waiting.resolve(decisions.slice(offset, offset + waiting.events.length));
              offset += waiting.events.length;
            }
          },
          async (error: unknown) => {
            if (group.length === 1) {
              ended();
              group[0]!.reject(error);
              return;
            }
            // One bad request (an id reused, a sum too large, a value the database refuses) must
            // not fail the others grouped with it: each is decided again on its own (the group
            // keeps its place meanwhile).
            for (const waiting of group) {
              await this.decide(waiting.events).then(waiting.resolve, waiting.reject);
            }
            ended();
          },
        );
    }
  }
}
