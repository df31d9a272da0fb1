import type { Queryable } from '../store';

/**
 * Waits until a pull hands out every row committed before this call.
 *
 * A pull hands out only rows of transactions older than the oldest transaction still running
 * (sync/pull.ts), and "running" means anywhere in the PostgreSQL cluster: another test file's
 * transaction, in any database of the server, holds back rows written after it began. They are
 * delayed, never lost. A test that asserts what a pull eventually contains calls this after its
 * writes (and before a pull whose cursor it reuses): it takes the first transaction id not yet
 * given out and waits until no transaction below it is running, so every row written before
 * the call sorts below the xmin of any later pull. It asserts nothing about the content itself;
 * what the test then pulls is compared exactly as before.
 *
 * `except` names transactions (ids as text) to leave running: the wait then ends once they are
 * the only ones below that id still running, so a test can show that they alone hold rows back.
 *
 * On the embedded database (one connection, one transaction at a time) it returns at once,
 * since nothing else is running. `db` may be any connection to the same cluster.
 */
export async function waitForFeed(db: Pick<Queryable, 'query'>, options: { except?: string[]; timeoutMs?: number } = {}): Promise<void> {
  const { except = [], timeoutMs = 30_000 } = options;
  const started = await db.query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax');
  const target = started.rows[0]!.xmax;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Every transaction below the target that is still running, but those the caller keeps open.
    const running = await db.query<{ xid: string }>(
      'SELECT xid::text AS xid FROM pg_snapshot_xip(pg_current_snapshot()) AS xid WHERE xid < $1::xid8 AND xid <> ALL($2::xid8[])',
      [target, except],
    );
    if (running.rows.length === 0) return;
    if (Date.now() > deadline) {
      const xids = running.rows.map((r) => r.xid).join(', ');
      throw new Error(`the feed did not catch up with transaction ${target} in ${timeoutMs} ms: still running below it: ${xids}`);
    }
    // Poll: PostgreSQL offers no way to wait for another session's transaction to end.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
