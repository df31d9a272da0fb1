import { describe, expect, it } from 'vitest';
import type { PlanConfig } from '../domain';
import { attributeEvent, planCoverage, type PlanVersionInput } from './attribution';

const at = (iso: string): number => Date.parse(iso);
const pool = (date: string, timeZone = 'UTC'): PlanConfig => ({ limit: 'all_channels', credits: 100, renew: 'monthly', rollover: false, overage: false, activation: { date, timeZone } });
const sms = (date: string, timeZone = 'UTC'): PlanConfig => ({ limit: 'channel_specific', credits: { SMS: 50 }, renew: null, rollover: false, overage: false, activation: { date, timeZone } });
const plan = (id: string, versions: PlanVersionInput[]) => ({ id, ...planCoverage(versions) });

describe('which plan and bucket an event counts against', () => {
  it('counts from the activation instant in the plan’s zone, under the configuration in force, until the delete', () => {
    const p = plan('CP-1', [
      { version: 1, action: 'created', config: sms('2026-03-01', 'Asia/Kathmandu'), at: at('2026-02-01T00:00:00Z') },
      { version: 2, action: 'updated', config: pool('2026-03-01', 'Asia/Kathmandu'), at: at('2026-04-01T00:00:00Z') },
      { version: 3, action: 'deleted', config: pool('2026-03-01', 'Asia/Kathmandu'), at: at('2026-05-01T00:00:00Z') },
    ]);
    // Local midnight of 1 March in +05:45 is 18:15 UTC the day before.
    expect(attributeEvent([p], { channel: 'SMS', atMs: at('2026-02-28T18:14:59Z') })).toBeNull();
    expect(attributeEvent([p], { channel: 'SMS', atMs: at('2026-02-28T18:15:00Z') })).toEqual({ planId: 'CP-1', bucket: 'SMS' });
    expect(attributeEvent([p], { channel: 'Email', atMs: at('2026-03-10T00:00:00Z') })).toBeNull();
    expect(attributeEvent([p], { channel: 'Email', atMs: at('2026-04-10T00:00:00Z') })).toEqual({ planId: 'CP-1', bucket: 'ALL' });
    expect(attributeEvent([p], { channel: 'SMS', atMs: at('2026-05-01T00:00:00Z') })).toBeNull();
  });

  it('judges usage older than the plan’s creation by its first configuration, and a version never applies before the one before it', () => {
    const p = plan('CP-1', [
      { version: 1, action: 'created', config: sms('2026-01-01'), at: at('2026-06-01T00:00:00Z') },
      { version: 2, action: 'updated', config: pool('2026-01-01'), at: at('2026-05-01T00:00:00Z') },
    ]);
    expect(p.versions.map((v) => v.effectiveAt)).toEqual([at('2026-06-01T00:00:00Z'), at('2026-06-01T00:00:00Z')]);
    expect(attributeEvent([p], { channel: 'SMS', atMs: at('2026-02-01T00:00:00Z') })).toEqual({ planId: 'CP-1', bucket: 'SMS' });
    expect(attributeEvent([p], { channel: 'SMS', atMs: at('2026-06-01T00:00:00Z') })).toEqual({ planId: 'CP-1', bucket: 'ALL' });
  });

  it('gives a tie to the plan created first (a deleted plan and a later one with an earlier activation), and leaves uncovered traffic with no plan', () => {
    const deleted = plan('CP-OLD', [
      { version: 1, action: 'created', config: sms('2026-01-01'), at: at('2026-01-01T00:00:00Z') },
      { version: 2, action: 'deleted', config: sms('2026-01-01'), at: at('2026-03-01T00:00:00Z') },
    ]);
    const later = plan('CP-NEW', [{ version: 1, action: 'created', config: pool('2025-12-01'), at: at('2026-03-02T00:00:00Z') }]);
    expect(attributeEvent([deleted, later], { channel: 'SMS', atMs: at('2026-02-01T00:00:00Z') })).toEqual({ planId: 'CP-OLD', bucket: 'SMS' });
    expect(attributeEvent([deleted, later], { channel: 'Email', atMs: at('2026-02-01T00:00:00Z') })).toEqual({ planId: 'CP-NEW', bucket: 'ALL' });
    expect(attributeEvent([deleted, later], { channel: 'SMS', atMs: at('2026-03-01T00:00:00Z') })).toEqual({ planId: 'CP-NEW', bucket: 'ALL' });
    expect(attributeEvent([], { channel: 'SMS', atMs: at('2026-03-01T00:00:00Z') })).toBeNull();
    const never = plan('CP-X', [
      { version: 1, action: 'created', config: sms('2027-01-01'), at: at('2026-01-01T00:00:00Z') },
      { version: 2, action: 'deleted', config: sms('2027-01-01'), at: at('2026-02-01T00:00:00Z') },
    ]);
    expect(never.activeFrom).toBeNull();
    expect(attributeEvent([never], { channel: 'SMS', atMs: at('2027-06-01T00:00:00Z') })).toBeNull();
  });
});
