import type { Caller, Dispatcher } from '../../shared/api';

/**
 * After the host listens, run the reads a browser asks for first (who am I, the environments,
 * a space, its plans, its first history page) once, in the background. The first call of each
 * command costs several times a later one (validators built on first use, statements prepared,
 * code not yet optimised, ledger pages not yet in memory); the browser spends its first half
 * second loading the page's script, so paying that here takes it off the screen's path.
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
  const environments = (await read('environments.list', {})) as { id: string }[] | null;
  const environmentId = environments?.[0]?.id;
  if (environmentId === undefined) return;
  const spaces = (await read('spaces.list', { environmentId })) as { id: string }[] | null;
  const spaceId = spaces?.[0]?.id;
  if (spaceId === undefined) return;
  await read('spaces.get', { spaceId });
  await read('plans.list', { spaceId, includeDeleted: true });
  await read('history.list', { filter: { spaceId }, cursor: null, limit: 50 });
}
