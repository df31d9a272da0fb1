import type { QueryClient } from '@tanstack/react-query';
import type { ApiClient, CommandInput, CommandName } from '../../../shared/api';
import { queryKeys } from '../api';
import { firstHistoryPageInput } from '../features/history';
import { creditsTabReads } from '../features/overview';
import { onHashChange, type Route } from './router';

interface Read<N extends CommandName = CommandName> {
  name: N;
  input: CommandInput<N>;
}

const read = <N extends CommandName>(name: N, input: CommandInput<N>): Read => ({ name, input }) as Read;

/**
 * What the screen at `route` asks for first, with the very inputs the screen passes (so the
 * answers land under the keys it reads). The Credits tab's reads come from the tab itself;
 * the others are plain.
 */
export function screenReads(route: Route): Read[] {
  switch (route.name) {
    case 'environments':
      return [read('environments.list', {})];
    case 'spaces':
      return [read('spaces.list', { environmentId: route.environmentId }), read('environments.list', {})];
    case 'space':
      return [read('spaces.get', { spaceId: route.spaceId })];
    case 'credits': {
      const tab = creditsTabReads(route.spaceId);
      const history = firstHistoryPageInput(route.spaceId);
      return [read('spaces.get', tab.space), read('plans.list', tab.plans), ...(history ? [read('history.list', history)] : [])];
    }
    default:
      return [];
  }
}

/** The header's reads and those of the screen the console opens on. */
export function firstReads(route: Route): Read[] {
  return [read('session.whoami', {}), read('sync.status', {}), ...screenReads(route)];
}

/** Settles when every read has (prefetchQuery never rejects: a failure is kept for the screen to show). */
function prefetch(queryClient: QueryClient, api: ApiClient, reads: Read[]): Promise<void[]> {
  // Answered from the cache while fresh (a screen seen a moment ago).
  return Promise.all(reads.map(({ name, input }) => queryClient.prefetchQuery({ queryKey: queryKeys.command(name, input), queryFn: () => api.get(name, input) })));
}

/**
 * Start those reads now, before React has rendered anything: they travel while the browser
 * still evaluates the page's script, and the first render (main.tsx waits for them, briefly)
 * finds their answers in the cache instead of asking after it. Settles when they all have.
 */
export function prefetchFirstReads(queryClient: QueryClient, api: ApiClient, route: Route): Promise<unknown> {
  return prefetch(queryClient, api, firstReads(route));
}

/**
 * The same for the screen's own reads on every later move between screens (the header stays
 * and keeps its answers): the listener is added before React's, which renders the new screen
 * right after, in the same event. `sendQueued` sends them at once, before that render (8-10 ms
 * when a screen's code runs for the first time), rather than at the end of the event's turn.
 */
export function prefetchOnRouteChange(queryClient: QueryClient, api: ApiClient, parse: (hash: string) => Route, sendQueued: () => void): () => void {
  return onHashChange((hash) => {
    void prefetch(queryClient, api, screenReads(parse(hash)));
    sendQueued();
  });
}
