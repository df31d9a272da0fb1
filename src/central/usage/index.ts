export * from './authorize';
export * from './state';
export * from './coalescer';
export * from './attribution';
export * from './counters';
export * from './request';
export * from './fast';
