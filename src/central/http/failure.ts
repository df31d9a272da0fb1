import type { z } from 'zod';
import type { CentralError, CentralErrorKind } from '../../shared/sync';

/** An expected failure, answered with its status and a clear body; never logged as a fault. */
export class HttpFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly kind: CentralErrorKind,
    message: string,
    readonly extra: Omit<CentralError['error'], 'kind' | 'message'> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpFailure';
  }

  body(): CentralError {
    return { error: { kind: this.kind, message: this.message, ...this.extra } };
  }
}

/** `changes[2].config.credits.SMS` rather than `changes.2.config.credits.SMS`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Validate a request part against its schema, or fail with every issue named by its path. */
export function parseOrFail<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'path'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message }));
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'is not valid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new HttpFailure(400, 'validation', `invalid request ${where}: ${summary}${more}`, { issues });
}
