import type { QueryClient } from '@tanstack/react-query';
import type { ApiClient, CommandInput, CommandName } from '../../../shared/api';
import { queryKeys } from '../api';
import { firstHistoryPageInput } from '../features/history';
import { creditsTabReads } from '../features/overview';
import type { Route } from './router';

interface Read<N extends CommandName = CommandName> {
  name: N;
  input: CommandInput<N>;
}

const read = <N extends CommandName>(name: N, input: CommandInput<N>): Read => ({ name, input }) as Read;

/**
 * What the header and the screen at `route` ask for first, with the very inputs the screens
 * pass (so the answers land under the keys they read). The Credits tab's reads come from the
 * tab itself; the others are plain.
 */
export function firstReads(route: Route): Read[] {
  const reads = [read('session.whoami', {}), read('sync.status', {})];
  switch (route.name) {
    case 'environments':
      return [...reads, read('environments.list', {})];
    case 'spaces':
      return [...reads, read('spaces.list', { environmentId: route.environmentId }), read('environments.list', {})];
    case 'space':
      return [...reads, read('spaces.get', { spaceId: route.spaceId })];
    case 'credits': {
      const tab = creditsTabReads(route.spaceId);
      const history = firstHistoryPageInput(route.spaceId);
      return [...reads, read('spaces.get', tab.space), read('plans.list', tab.plans), ...(history ? [read('history.list', history)] : [])];
    }
    default:
      return reads;
  }
}

/**
 * Start those reads now, before React has rendered anything: they travel while the browser
 * still evaluates the page's script and React builds the first screen, which then finds their
 * answers (or their requests in flight) in the cache instead of asking after its first render.
 */
export function prefetchFirstReads(queryClient: QueryClient, api: ApiClient, route: Route): void {
  for (const { name, input } of firstReads(route)) {
    void queryClient.prefetchQuery({ queryKey: queryKeys.command(name, input), queryFn: () => api.get(name, input) });
  }
}
