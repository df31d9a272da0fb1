import { keepPreviousData, useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ApiError, CommandInput, CommandName, CommandOutput, Result, Role } from '../../../shared/api';
import { useApi } from './ApiProvider';
import { INVALIDATIONS, isKeyOfFamilies, queryKeys, type WriteCommand } from './keys';

export interface CommandQueryOptions {
  enabled?: boolean;
  /** Keep showing the previous answer while the next one loads (filters, paging). */
  keepPrevious?: boolean;
}

/** Read through one command of the contract. */
export function useCommand<N extends CommandName>(
  name: N,
  input: CommandInput<N>,
  options: CommandQueryOptions = {},
): UseQueryResult<CommandOutput<N>, Error> {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.command(name, input),
    queryFn: () => api.get(name, input),
    enabled: options.enabled ?? true,
    placeholderData: options.keepPrevious ? keepPreviousData : undefined,
  });
}

/**
 * Start a read now that a screen will make later (once what it waits for has loaded), so the
 * two round trips run side by side instead of one after the other. Pass a memoised `input`:
 * a new object asks again (answered from the cache while fresh); null asks nothing.
 * Returns whether that read has settled (answered, failed, or null), for a screen that would
 * rather commit once with everything than once per answer.
 */
export function usePrefetchCommand<N extends CommandName>(name: N, input: CommandInput<N> | null): boolean {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = input === null ? null : queryKeys.command(name, input);
  // Already in the cache (a screen seen a moment ago): settled from the first render, no flash.
  const cached = key === null || queryClient.getQueryState(key)?.status === 'success';
  const [settledKey, setSettledKey] = useState<string | null>(null);
  const keyText = key === null ? null : JSON.stringify(key);
  useEffect(() => {
    if (input === null) return;
    let live = true;
    void queryClient
      .prefetchQuery({ queryKey: queryKeys.command(name, input), queryFn: () => api.get(name, input) })
      .then(() => live && setSettledKey(JSON.stringify(queryKeys.command(name, input))));
    return () => {
      live = false;
    };
  }, [api, queryClient, name, input]);
  return cached || (keyText !== null && settledKey === keyText);
}

/**
 * Write through one command. Failures come back as values (never thrown) so forms can place
 * each issue next to its field; on success what the command invalidates (declared once, in
 * keys.ts) is refetched at once rather than waiting for the ledger.changed event.
 */
export function useCommandMutation<N extends WriteCommand>(name: N) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CommandInput<N>) => api.call(name, input),
    onSuccess: async (result) => {
      if (result.ok) {
        await queryClient.invalidateQueries({ predicate: (query) => isKeyOfFamilies(query.queryKey, INVALIDATIONS[name]) });
      }
    },
  });
}

/**
 * A read asked for at a moment of the user's choosing (the wizard's Next), through the query
 * cache: keyed like useCommand's, so an answer already there and still fresh is reused and the
 * invalidations of the writes apply to it. Failures come back as values, as with mutations.
 */
export function useCommandFetch<N extends CommandName>(name: N): (input: CommandInput<N>) => Promise<Result<CommandOutput<N>>> {
  const api = useApi();
  const queryClient = useQueryClient();
  return async (input) => {
    try {
      const value = await queryClient.fetchQuery({ queryKey: queryKeys.command(name, input), queryFn: () => api.get(name, input) });
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: apiErrorOf(error) };
    }
  };
}

/** The error a failed query carries, as the contract describes it. */
export function apiErrorOf(error: unknown): ApiError {
  if (error && typeof error === 'object' && 'error' in error) {
    const inner = (error as { error: unknown }).error;
    if (inner && typeof inner === 'object' && 'message' in inner) return inner as ApiError;
  }
  return { kind: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** The caller's role, or null while it loads. Screens hide what the role may not do; the main process enforces it. */
export function useRole(): Role | null {
  const whoami = useCommand('session.whoami', {});
  return whoami.data?.role ?? null;
}
