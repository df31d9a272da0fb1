/**
 * Every answer crosses the process boundary as data: Electron passes only an error's message
 * across IPC, so failures travel as values with a kind the screens can act on.
 */
export const ERROR_KINDS = ['validation', 'not_found', 'conflict', 'forbidden', 'internal'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** A field-level problem, for an inline error next to the field. */
export interface ApiIssue {
  path: string;
  message: string;
}

/**
 * What a failure says. Written out rather than inferred from `apiErrorSchema` (error-schema.ts,
 * which checks that the two agree) so that the screens' first script can use the envelope and
 * the client without loading zod.
 */
export interface ApiError {
  kind: ErrorKind;
  message: string;
  /** Field-level problems, for inline errors next to the field. */
  issues?: ApiIssue[] | undefined;
  /** For conflicts: the current state the caller collided with. */
  current?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(kind: ErrorKind, message: string, extra: Omit<ApiError, 'kind' | 'message'> = {}): { ok: false; error: ApiError } {
  return { ok: false, error: { kind, message, ...extra } };
}

/**
 * A failure the person using the console can act on: the services throw it, and the
 * dispatcher answers with it as a value, kind and message unchanged. Anything else thrown
 * becomes an `internal` error whose details stay in the main process.
 */
export class ApiFailure extends Error {
  readonly error: ApiError;
  constructor(kind: ErrorKind, message: string, extra: Omit<ApiError, 'kind' | 'message'> = {}) {
    super(message);
    this.name = 'ApiFailure';
    this.error = { kind, message, ...extra };
  }

  get kind(): ErrorKind {
    return this.error.kind;
  }

  get issues(): ApiIssue[] | undefined {
    return this.error.issues;
  }

  get current(): unknown {
    return this.error.current;
  }
}
