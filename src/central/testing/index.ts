/** Test support for the central service: real databases, a real SMTP server, child processes. */
export * from './client';
export * from './databases';
export * from './feed';
export * from './fixtures';
export * from './harness';
export * from './mime';
export * from './smtp';
export * from './backends';
export * from './push';
export * from './wait';
