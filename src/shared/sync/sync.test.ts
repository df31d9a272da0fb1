import { describe, expect, it } from 'vitest';
import type { PlanConfig } from '../domain';
import { canonicalJson } from './canonical';
import { changeSchema, pushRequestSchema } from './changes';
import { diffPlanConfigs } from './diff';
import { START_CURSOR, compareCursors, formatCursor, parseCursor } from './ids';
import { pullQuerySchema } from './pull';

const plan: PlanConfig = {
  limit: 'channel_specific',
  credits: { SMS: 500, WhatsApp: 300 },
  renew: 'monthly',
  rollover: true,
  overage: false,
  activation: { date: '2026-03-01', timeZone: 'America/Mexico_City' },
};

describe('sync wire format', () => {
  it('writes the same JSON for the same meaning whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    expect(canonicalJson({ a: 1, skip: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ x: 'é"' })).toBe('{"x":"é\\""}');
  });

  it('orders cursors by transaction, then sequence, and reads back what it writes', () => {
    const a = parseCursor('12.900')!;
    const b = parseCursor('13.5')!;
    expect(compareCursors(a, b)).toBeLessThan(0);
    expect(compareCursors(b, a)).toBeGreaterThan(0);
    expect(compareCursors(a, parseCursor('12.900')!)).toBe(0);
    expect(formatCursor(parseCursor('18446744073709551615.9223372036854775807')!)).toBe('18446744073709551615.9223372036854775807');
    expect(parseCursor(START_CURSOR)).toEqual({ tx: 0n, seq: 0n });
    for (const bad of ['', '1', '1.', '.1', '-1.2', '1.2.3', 'a.b']) expect(parseCursor(bad)).toBeNull();
    expect(pullQuerySchema.safeParse({ cursor: '1.2', limit: '10' })).toMatchObject({ success: true, data: { cursor: '1.2', limit: 10 } });
    expect(pullQuerySchema.safeParse({ limit: '100000' }).success).toBe(false);
  });

  it('lists what an edit changed, per bucket, old → new', () => {
    const edited: PlanConfig = { ...plan, credits: { SMS: 800, Email: 50 }, overage: true, activation: { ...plan.activation, timeZone: 'Europe/Madrid' } };
    expect(diffPlanConfigs(plan, edited)).toEqual([
      { field: 'credits.SMS', old: 500, new: 800 },
      { field: 'credits.WhatsApp', old: 300, new: null },
      { field: 'credits.Email', old: null, new: 50 },
      { field: 'overage', old: false, new: true },
      { field: 'activation.timeZone', old: 'America/Mexico_City', new: 'Europe/Madrid' },
    ]);
    expect(diffPlanConfigs(plan, plan)).toEqual([]);
    const pool: PlanConfig = { ...plan, limit: 'all_channels', credits: 1000, renew: null, rollover: false };
    expect(diffPlanConfigs(plan, pool).map((c) => c.field)).toEqual(['limit', 'credits.ALL', 'credits.SMS', 'credits.WhatsApp', 'renew', 'rollover']);
  });

  it('lists changes of SPEC §9 parts per channel, a pool’s daily limit whole, money whole, and once → metered overage', () => {
    const usd = (amount: string): { amount: string; currency: string } => ({ amount, currency: 'USD' });
    const priced: PlanConfig = { ...plan, costs: { WhatsApp: 2 }, dailyLimit: { SMS: 100 }, price: usd('150.00') };
    const metered: PlanConfig = { ...priced, overage: true, overageMetered: true, overageRate: usd('0.000085'), costs: { WhatsApp: 3 }, dailyLimit: { SMS: 100, WhatsApp: 50 } };
    expect(diffPlanConfigs(priced, metered)).toEqual([
      { field: 'overage', old: false, new: 'metered' },
      { field: 'costs.WhatsApp', old: 2, new: 3 },
      { field: 'dailyLimit.WhatsApp', old: null, new: 50 },
      { field: 'overageRate', old: null, new: usd('0.000085') },
    ]);
    expect(diffPlanConfigs(plan, priced).map((c) => c.field)).toEqual(['costs.WhatsApp', 'dailyLimit.SMS', 'price']);
    const pool: PlanConfig = { ...plan, limit: 'all_channels', credits: 1000, dailyLimit: 40 };
    expect(diffPlanConfigs(pool, { ...pool, dailyLimit: 60 })).toEqual([{ field: 'dailyLimit', old: 40, new: 60 }]);
    const { dailyLimit: _gone, ...unlimited } = pool;
    expect(diffPlanConfigs(pool, unlimited)).toEqual([{ field: 'dailyLimit', old: 40, new: null }]);
  });

  it('validates changes with the engine’s plan rules and names the field that is wrong', () => {
    const change = { id: 'c-00000001', kind: 'plan.create', at: '2026-03-01T10:00:00Z', actor: 'alice', planId: 'p1', spaceId: 's1', baseVersion: 0, config: plan };
    expect(changeSchema.parse(change)).toMatchObject({ kind: 'plan.create', config: { credits: { SMS: 500 } } });
    const bad = changeSchema.safeParse({ ...change, config: { ...plan, rollover: true, renew: null } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toContain('config.rollover');
    expect(changeSchema.safeParse({ ...change, baseVersion: 1 }).success).toBe(false);
    expect(changeSchema.safeParse({ ...change, id: 'short' }).success).toBe(false);
    expect(changeSchema.safeParse({ ...change, extra: 1 }).success).toBe(false);
    expect(pushRequestSchema.safeParse({ changes: Array.from({ length: 501 }, () => change) }).success).toBe(false);
  });
});
