/**
 * The wire format between a console and the central service: pushes of outbox changes, pulls
 * by cursor, usage decisions and the records both sides exchange. Pure: no I/O, no clock.
 */
export * from './canonical';
export * from './changes';
export * from './diff';
export * from './errors';
export * from './ids';
export * from './pull';
export * from './records';
export * from './usage';
export * from './explanation';
