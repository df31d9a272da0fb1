/** Errors the database reports that mean "try the whole transaction again". */
const RETRYABLE_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';

/** Thrown inside a transaction when another transaction won a race: run the transaction again. */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

/**
 * Run a transaction body again when it lost a race (deadlock, serialization failure, or a
 * unique key another transaction inserted first). Every body is written to be re-runnable:
 * it reads what it needs inside the transaction.
 */
export async function withRetries<T>(work: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const retryable =
        error instanceof RetryTransaction || RETRYABLE_CODES.has(sqlState(error) ?? '') || sqlState(error) === UNIQUE_VIOLATION;
      if (!retryable || attempt >= attempts) throw error;
      // A short random pause lets the winner finish before the retry.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
