import type { Caller, Dispatcher } from '../../shared/api';

/** How many spaces the warm-up looks through for one with plans. */
const SPACES_LOOKED_AT = 50;

/**
 * After the host listens, run the reads a browser asks for first (who am I, the sync status,
 * the environments, a space, its plans, its first history page) once, in the background. The
 * first call of each command costs several times a later one (its output schema compiled on
 * first use, statements prepared, code not yet optimised, ledger pages not yet in memory), and
 * the first plan listed loads every plan's calendar, whose first time zone loads the runtime's
 * zone data (tens of ms). The browser spends its first few hundred ms loading the page's
 * script, so paying that here takes it off the screen's path. The space warmed is the first
 * that has plans: an empty one would leave the calendars cold.
 * Only reads: nothing is written, and any failure is ignored (the real call will report it).
 */
export async function warmUp(dispatcher: Dispatcher, caller: Caller): Promise<void> {
  const read = async (name: string, input: unknown): Promise<unknown> => {
    // One event-loop turn between calls, so a request that arrives meanwhile is not kept waiting.
    await new Promise((resolve) => setImmediate(resolve));
    const result = await dispatcher.dispatch(name, input, caller);
    return result.ok ? result.value : null;
  };
  await read('session.whoami', {});
  await read('sync.status', {});
  const environments = (await read('environments.list', {})) as { id: string }[] | null;
  let looked = 0;
  let warmed: string | null = null;
  for (const environment of environments ?? []) {
    const spaces = ((await read('spaces.list', { environmentId: environment.id })) as { id: string; livePlanCount?: number }[] | null) ?? [];
    warmed ??= spaces[0]?.id ?? null;
    const withPlans = spaces.slice(0, SPACES_LOOKED_AT - looked).find((space) => (space.livePlanCount ?? 0) > 0);
    looked += spaces.length;
    if (withPlans) {
      warmed = withPlans.id;
      break;
    }
    if (looked >= SPACES_LOOKED_AT) break;
  }
  if (warmed === null) return;
  await read('spaces.get', { spaceId: warmed });
  await read('plans.list', { spaceId: warmed, includeDeleted: true });
  await read('history.list', { filter: { spaceId: warmed }, cursor: null, limit: 50 });
}
