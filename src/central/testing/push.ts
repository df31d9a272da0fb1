import { expect } from 'vitest';
import { pushResponseSchema, type ChangeInput, type ChangeResult } from '../../shared/sync';
import type { CentralClient } from './client';

/** Push changes a test sets up with, expecting every one applied (the answer shown if not). */
export async function pushApplied(
  client: CentralClient,
  changes: ChangeInput[],
): Promise<ChangeResult[]> {
  const answer = await client.post('/v1/sync/push', { changes });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const results = pushResponseSchema.parse(answer.body).results;
  expect(
    results.every((r) => r.status === 'applied'),
    JSON.stringify(results),
  ).toBe(true);
  return results;
}
