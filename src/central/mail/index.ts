export * from './compose';
export * from './outbox';
export * from './worker';
