export * from './account';
export * from './calendar';
export * from './idempotency';
export * from './scenario';
export * from './validation';
