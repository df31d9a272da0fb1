export * from './channels';
export * from './plan';
