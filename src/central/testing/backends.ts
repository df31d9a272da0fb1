import { describe } from 'vitest';
import { PG_TEST_URL, postgresReachable, type Backend } from './databases';

/**
 * Runs a suite on the embedded database always, and on PostgreSQL when one answers at
 * CENTRAL_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test); otherwise the
 * PostgreSQL suite is reported as skipped, with the reason in its title.
 */
export async function describeOnBackends(title: string, body: (backend: Backend) => void): Promise<void> {
  const pg = await postgresReachable();
  describe(`${title} [embedded PostgreSQL]`, () => body('embedded'));
  if (pg) describe(`${title} [PostgreSQL ${PG_TEST_URL}]`, () => body('postgres'));
  else describe.skip(`${title} [PostgreSQL: not reachable at ${PG_TEST_URL}, skipped]`, () => body('postgres'));
}
