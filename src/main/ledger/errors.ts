import { ApiFailure } from '../../shared/api/envelope';
/** Why a ledger file could not be opened. The file is never modified when this is thrown. */
export type LedgerOpenProblem =
  | 'sqlite_version'
  | 'not_a_file'
  | 'not_sqlite'
  | 'corrupt'
  | 'foreign'
  | 'too_new'
  | 'unreadable';

export class LedgerOpenError extends Error {
  readonly problem: LedgerOpenProblem;
  readonly path: string;
  constructor(problem: LedgerOpenProblem, path: string, message: string) {
    super(message);
    this.name = 'LedgerOpenError';
    this.problem = problem;
    this.path = path;
  }
}

/** The refusal for an id that names nothing in this ledger. */
export function notFound(what: string, id: string): ApiFailure {
  return new ApiFailure('not_found', `There is no ${what} ${id} in this ledger.`);
}
