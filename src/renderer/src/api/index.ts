export { ApiProvider, makeQueryClient, useApi } from './ApiProvider';
export { apiErrorOf, useCommand, useCommandFetch, useCommandMutation, usePrefetchCommand, useRole, type CommandQueryOptions } from './hooks';
export { INVALIDATIONS, queryKeys, type Family, type WriteCommand } from './keys';
export { pickTransport, takeSecretFromUrl, webTransport } from './transports';
