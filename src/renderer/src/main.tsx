import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// The client alone, not the contract's index: that one builds every zod schema at load, which
// the screens never use (the main process checks both ends of each command).
import { createClient } from '../../shared/api/client';
import { ApiProvider, makeQueryClient, pickTransport } from './api';
import { App, parseRoute } from './app';
import { prefetchFirstReads, prefetchOnRouteChange } from './app/first-reads';
import { prepareInstantFormat } from './ui';
import './styles.css';

// Pick the transport first: on the web it takes the secret out of the URL before routing reads it.
const { transport } = pickTransport();
const api = createClient(transport);
const queryClient = makeQueryClient();
prefetchFirstReads(queryClient, api, parseRoute(window.location.hash));
prefetchOnRouteChange(queryClient, api, parseRoute);
// The history's date format is built when the browser first has nothing to do (often while a
// screen waits for its answers), not while the first history page renders.
window.requestIdleCallback(prepareInstantFormat);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ApiProvider api={api} client={queryClient}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
