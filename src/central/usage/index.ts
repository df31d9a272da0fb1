export * from './authorize';
export * from './state';
