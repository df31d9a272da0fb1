export { ApiProvider, makeQueryClient, useApi } from './ApiProvider';
export { apiErrorOf, useCommand, useCommandMutation, usePrefetchCommand, useRole, type CommandQueryOptions } from './hooks';
export { queryKeys } from './keys';
export { pickTransport, takeSecretFromUrl, webTransport } from './transports';
