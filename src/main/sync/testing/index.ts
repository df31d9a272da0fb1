import { startTestCentral, waitForFeed, type Backend, type TestCentral } from '../../../central/testing';
import type { Channel } from '../../../shared/domain';
import type { Queryable } from '../../../central/store';
import { createServices, type Services } from '../../services';
import { tempLedger, type TempLedger } from '../../ledger/testing';
import { SyncClient, type SyncClientOptions } from '../client';

/** Test support: a console (real SQLite file, real services, a sync client) and what to compare. */
export interface TestConsole {
  name: string;
  t: TempLedger;
  services: Services;
  client: SyncClient;
  connect(url: string, token: string): void;
  /**
   * The central service's database, when the test has it. A pull hands out a change only once
   * every older transaction on the PostgreSQL server has ended (central README, "Pull"), so a
   * pull right after a push may not yet bring back what was pushed. With it, `settle` waits
   * until the feed has caught up before each round (waitForFeed), so a round pulls every change
   * pushed before it, by this console or another.
   */
  feed: Pick<Queryable, 'query'> | null;
  /**
   * Sync until a round ends connected with nothing waiting (or give up). With a `feed`, that
   * round must also have pushed nothing: then it pulled this console's own changes back too.
   */
  settle(rounds?: number): Promise<void>;
  cleanup(): Promise<void>;
}

export function makeConsole(name: string, options: Partial<SyncClientOptions> = {}, feed: Pick<Queryable, 'query'> | null = null): TestConsole {
  const t = tempLedger();
  const services = createServices({ ledger: t.ledger, clock: () => Date.now() });
  const client = new SyncClient({ services, backoff: { baseMs: 20, maxMs: 200 }, timeoutMs: 5_000, pageLimit: 50, ...options });
  const test: TestConsole = {
    name,
    t,
    services,
    client,
    connect(url, token) {
      services.sync.updateSettings(url, token);
    },
    feed,
    async settle(rounds = 40) {
      for (let i = 0; i < rounds; i += 1) {
        const pushes = services.sync.status().pendingChanges > 0;
        if (test.feed) await waitForFeed(test.feed);
        const status = await client.syncNow();
        if (status.state === 'connected' && status.pendingChanges === 0) {
          if (!test.feed || !pushes) return;
          continue; // pushed: the next round, after the feed caught up, pulls the changes back
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`${name} did not settle: ${JSON.stringify(services.sync.status())}`);
    },
    async cleanup() {
      await client.stop();
      t.cleanup();
    },
  };
  return test;
}

/** Plans and the live credit history of a ledger, in a form two ledgers can be compared by. */
export function ledgerSnapshot(services: Services): { plans: unknown[]; history: unknown[] } {
  const { ledger } = services;
  const plans = ledger
    .stmt('SELECT id, space_id, version, config, deleted_at IS NOT NULL AS deleted, updated_by FROM plans ORDER BY id')
    .all()
    .map((row) => ({ ...(row as Record<string, unknown>), config: JSON.parse((row as { config: string }).config) as unknown }));
  const history = ledger
    .stmt(
      `SELECT plan_id, version, action, actor, at, plan, changes, change_id FROM history_log
       WHERE sync IN ('local', 'confirmed') ORDER BY plan_id, version, credit IS NOT NULL, at, change_id`,
    )
    .all()
    .map((row) => {
      const r = row as Record<string, unknown> & { plan: string; changes: string };
      return { ...r, plan: JSON.parse(r.plan) as unknown, changes: JSON.parse(r.changes) as unknown };
    });
  return { plans, history };
}

/** A central service on `backend` and two consoles, A and B, whose `settle` waits for its feed. */
export interface CentralAndTwoConsoles {
  central: TestCentral;
  a: TestConsole;
  b: TestConsole;
}

export async function startCentralAndTwoConsoles(backend: Backend): Promise<CentralAndTwoConsoles> {
  const central = await startTestCentral(backend);
  return { central, a: makeConsole('A', {}, central.database.db), b: makeConsole('B', {}, central.database.db) };
}

/** Stops what `startCentralAndTwoConsoles` started, also when a part of it never started. */
export async function stopCentralAndTwoConsoles(world: Partial<CentralAndTwoConsoles>): Promise<void> {
  await world.a?.cleanup();
  await world.b?.cleanup();
  await world.central?.dispose();
}

/** An environment and one space in it, on console `c`, made by alice. */
export function createSpaceOn(
  c: TestConsole,
  ids: { environmentId: string; spaceId: string },
  accountManager: { name: string; email: string },
  channels: { channel: Channel; bidirectional: boolean }[],
): void {
  const env = c.services.org.createEnvironment({ name: 'Production', id: ids.environmentId }, 'alice');
  c.services.org.createSpace({ id: ids.spaceId, environmentId: env.id, name: 'Retail', accountManager, channels }, 'alice');
}
