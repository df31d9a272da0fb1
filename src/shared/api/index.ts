export * from './client';
export * from './commands';
export * from './constants';
export * from './credits';
export * from './dispatcher';
export * from './envelope';
export * from './error-schema';
export * from './events';
export * from './roles';
export * from './schemas';
export * from './statement';
export * from './usage-explain';
export * from './usage-report';

/** The names of the IPC channels the preload allows: one per command, one per event. */
export const IPC_INVOKE_CHANNEL = 'api:invoke';
export const IPC_EVENT_PREFIX = 'api:event:';
