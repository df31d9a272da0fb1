import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ApiClient } from '../../../shared/api';
import { isKeyOfScope, queryKeys } from './keys';

const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiProvider>');
  return api;
}

/** The screens' query cache; main.tsx makes it before React so the first reads can start at once. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Fresh data arrives through ledger.changed events, so refetching on focus is noise.
        refetchOnWindowFocus: false,
        staleTime: 30_000,
        retry: (count, error) => count < 1 && !(error instanceof Error && error.name === 'ApiFailure'),
      },
    },
  });
}

export function ApiProvider({ api, client, children }: { api: ApiClient; client?: QueryClient; children: ReactNode }) {
  const [queryClient] = useState(() => client ?? makeQueryClient());

  useEffect(() => {
    const offChanged = api.on('ledger.changed', (payload) => {
      void queryClient.invalidateQueries({ predicate: (query) => isKeyOfScope(query.queryKey, payload.scope) });
    });
    const offSync = api.on('sync.status', (payload) => {
      queryClient.setQueryData(queryKeys.command('sync.status', {}), payload);
    });
    return () => {
      offChanged();
      offSync();
    };
  }, [api, queryClient]);

  return (
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </ApiContext.Provider>
  );
}
