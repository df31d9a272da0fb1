export * from './tokens';
export * from './limiter';
