export * from './channels';
export * from './plan';
export * from './labels';
