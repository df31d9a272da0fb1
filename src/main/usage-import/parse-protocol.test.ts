import { describe, expect, it } from 'vitest';
import { checkResume, checkWorkerJob, type WorkerJob } from './parse-protocol';

describe('what the usage parser thread receives', () => {
  const job: WorkerJob = {
    path: '/tmp/u.csv',
    pieceBytes: 1 << 20,
    window: 3,
    context: { sourceName: 'u.csv', spaces: [{ id: 'SP-A', channels: ['SMS', 'RCS'] }], nowMs: 1_800_000_000_000, maxBadRows: 1000 },
  };

  it('takes a well-formed job and resume point as they are', () => {
    expect(checkWorkerJob(structuredClone(job))).toEqual(job);
    const resume = { format: 'csv', header: 'id,spaceId,channel,occurredAt', linesBefore: 8526, bytesBefore: 1_048_543 } as const;
    expect(checkResume({ ...resume })).toEqual(resume);
    expect(checkResume({ ...resume, format: 'jsonl', header: null })).toEqual({ ...resume, format: 'jsonl', header: null });
  });

  it('refuses anything else', () => {
    for (const bad of [
      null,
      { ...job, path: '' },
      { ...job, pieceBytes: 10 },
      { ...job, window: 17 },
      { ...job, window: 2.5 },
      { ...job, context: { ...job.context, nowMs: Number.NaN } },
      { ...job, context: { ...job.context, maxBadRows: -1 } },
      { ...job, context: { ...job.context, spaces: [{ id: 'SP-A', channels: ['Fax'] }] } },
      { ...job, context: { ...job.context, spaces: 'SP-A' } },
    ]) {
      expect(() => checkWorkerJob(bad), JSON.stringify(bad)).toThrow(TypeError);
    }
    for (const bad of [
      { format: 'tsv', header: null, linesBefore: 1, bytesBefore: 1 },
      { format: 'csv', header: 3, linesBefore: 1, bytesBefore: 1 },
      { format: 'csv', header: 'id', linesBefore: 0, bytesBefore: 1 },
      { format: 'csv', header: 'id', linesBefore: 1 },
    ]) {
      expect(() => checkResume(bad), JSON.stringify(bad)).toThrow(TypeError);
    }
  });
});
