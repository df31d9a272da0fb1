export * from './codec';
export * from './database';
export * from './errors';
export * from './migrations';
export * from './arrays';
