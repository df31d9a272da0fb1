export * from './account';
export * from './attribution';
export * from './calendar';
export * from './idempotency';
export * from './projection';
export * from './scenario';
export * from './validation';
