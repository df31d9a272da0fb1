import type { ErrorKind } from '../../shared/api';

/**
 * A failure the person using the console can act on. Services throw it; the handlers pass it
 * on as an error value with the same kind and message.
 */
export class ServiceError extends Error {
  readonly kind: ErrorKind;
  readonly issues: { path: string; message: string }[] | undefined;
  readonly current: unknown;
  constructor(kind: ErrorKind, message: string, extra: { issues?: { path: string; message: string }[]; current?: unknown } = {}) {
    super(message);
    this.name = 'ServiceError';
    this.kind = kind;
    this.issues = extra.issues;
    this.current = extra.current;
  }
}

export function notFound(what: string, id: string): ServiceError {
  return new ServiceError('not_found', `There is no ${what} ${id} in this ledger.`);
}
