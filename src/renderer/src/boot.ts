// The console's first steps, imported by main.tsx before anything else: ES modules run in
// import order, so the first reads leave here before React DOM (most of the page's script) is
// evaluated, and travel meanwhile. Nothing imported from here may import react-dom.
// The client alone, not the contract's index: that one builds every zod schema at load, which
// the screens never use (the main process checks both ends of each command).
import { createClient } from '../../shared/api/client';
import { makeQueryClient } from './api/ApiProvider';
import { pickTransport } from './api/transports';
import { prefetchFirstReads, prefetchOnRouteChange } from './app/first-reads';
import { parseRoute } from './app/router';

// Pick the transport first: on the web it takes the secret out of the URL before routing reads it.
const { transport, sendQueued } = pickTransport();
export const api = createClient(transport);
export const queryClient = makeQueryClient();
/** Settles when the header's and the first screen's reads have (each answered or failed). */
export const firstReads = prefetchFirstReads(queryClient, api, parseRoute(window.location.hash));
// Now, not when this turn ends: that is after the rest of the page's script has been evaluated.
sendQueued();
prefetchOnRouteChange(queryClient, api, parseRoute, sendQueued);
