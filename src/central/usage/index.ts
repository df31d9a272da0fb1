export * from './authorize';
export * from './state';
export * from './coalescer';
