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

export class UsageCoalescer {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly decide: (events: UsageEventInput[]) => Promise<UsageDecisionRecord[]>,
    /** Transactions allowed at once (1 for the embedded database: it runs one at a time anyway). */
    private readonly maxInFlight: number,
    /** Events per grouped transaction, so one group never holds the locks for long. */
    private readonly maxEvents = 5_000,
  ) {}

  private scheduled = false;

  submit(events: UsageEventInput[]): Promise<UsageDecisionRecord[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
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
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group: Waiting[] = [this.queue.shift()!];
      let size = group[0]!.events.length;
      while (this.queue.length > 0 && size + this.queue[0]!.events.length <= this.maxEvents) {
        const next = this.queue.shift()!;
        group.push(next);
        size += next.events.length;
      }
      this.inFlight += 1;
      this.decide(group.flatMap((waiting) => waiting.events))
        .then(
          (decisions) => {
            let offset = 0;
            for (const waiting of group) {
              waiting.resolve(decisions.slice(offset, offset + waiting.events.length));
              offset += waiting.events.length;
            }
          },
          async (error: unknown) => {
            if (group.length === 1) {
              group[0]!.reject(error);
              return;
            }
            // One bad request (an id reused, a sum too large, a value the database refuses) must
            // not fail the others grouped with it: each is decided again on its own.
            for (const waiting of group) {
              await this.decide(waiting.events).then(waiting.resolve, waiting.reject);
            }
          },
        )
        .finally(() => {
          this.inFlight -= 1;
          this.schedule();
        });
    }
  }
}
