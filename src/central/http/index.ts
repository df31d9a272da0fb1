export * from './app';
export * from './failure';
