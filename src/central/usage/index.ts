export * from './authorize';
export * from './state';
export * from './coalescer';
export * from './coverage';
export * from './counters';
export * from './request';
export * from './fast';
export * from './explain';
