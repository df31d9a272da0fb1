import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/domain';
import { usageBatchResponseSchema, type UsageDecisionRecord } from '../../shared/sync';
import { decisionsJson } from './decisions-json';

const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const decision: fc.Arbitrary<UsageDecisionRecord> = fc.record(
  {
    id: fc.oneof(
      text,
      fc.string({ minLength: 1, maxLength: 20, unit: 'binary' }),
      fc.constantFrom('a"b', 'back\\slash', 'tab\there', 'line\nbreak', '\u2028', 'ünï©ødé', '😀', 'lone \ud800 high', 'lone \udc00 low', '\u0000\u001f\u007f'),
    ),
    accepted: fc.boolean(),
    reason: fc.constantFrom('exhausted' as const, 'daily_limit' as const, 'in_future' as const),
    planId: fc.option(fc.oneof(fc.constantFrom('plan-1', 'plan-2'), text), { nil: null }),
    bucket: fc.option(fc.constantFrom('ALL' as const, ...CHANNELS), { nil: null }),
    consumed: fc.integer({ min: 0, max: 1_000_000_000_000 }),
    overageTriggered: fc.boolean(),
    duplicate: fc.boolean(),
  },
  { requiredKeys: ['id', 'accepted', 'planId', 'bucket', 'consumed', 'overageTriggered', 'duplicate'] },
);

describe('a batch answer written by hand', () => {
  it('is the text JSON.stringify writes, and passes the wire schema', () => {
    fc.assert(
      fc.property(fc.array(decision, { minLength: 1, maxLength: 60 }), (decisions) => {
        const bytes = decisionsJson(decisions);
        expect(bytes.equals(Buffer.from(JSON.stringify({ decisions }), 'utf8'))).toBe(true);
        const body = bytes.toString('utf8');
        const parsed: unknown = JSON.parse(body);
        expect(parsed).toEqual(JSON.parse(JSON.stringify({ decisions })));
        expect(usageBatchResponseSchema.parse(parsed)).toEqual({ decisions });
      }),
      { numRuns: 300 },
    );
  });

  it('is valid UTF-8 for any id, and an empty list is an empty array', () => {
    expect(decisionsJson([]).toString('utf8')).toBe('{"decisions":[]}');
    const one: UsageDecisionRecord = { id: 'ß😀"', accepted: false, reason: 'exhausted', planId: 'p', bucket: 'ALL', consumed: 0, overageTriggered: false, duplicate: true };
    expect(decisionsJson([one]).toString('utf8')).toBe(JSON.stringify({ decisions: [one] }));
  });

  it('grows past its first estimate when ids are long and multi-byte', () => {
    const decisions: UsageDecisionRecord[] = Array.from({ length: 50 }, (_, i) => ({
      id: `${'😀'.repeat(100)}${i}`,
      accepted: true,
      planId: `plan-${'ü'.repeat(150)}`,
      bucket: 'SMS',
      consumed: 1_000_000_000_000,
      overageTriggered: true,
      duplicate: false,
    }));
    expect(decisionsJson(decisions).equals(Buffer.from(JSON.stringify({ decisions }), 'utf8'))).toBe(true);
  });
});
