import { describe, expect, it } from 'vitest';
import { diffPlanConfigs } from '../sync';
import { fieldLabel } from './labels';
import type { PlanConfig } from './plan';

describe('a plan field has one name everywhere', () => {
  it('names every field a change can carry in the summary step’s words, never by its path', () => {
    const before: PlanConfig = { limit: 'all_channels', credits: 1_000, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } };
    const after: PlanConfig = { limit: 'channel_specific', credits: { SMS: 500 }, renew: 'monthly', rollover: true, overage: true, activation: { date: '2026-02-01', timeZone: 'Europe/Madrid' } };
    const labels = diffPlanConfigs(before, after).map((change) => fieldLabel(change.field));
    expect(labels).toEqual([
      'Credit limit',
      'Credits, all channels (shared pool)',
      'SMS credits',
      'Renew credits',
      'Roll Over credits',
      'Overage',
      'Credit Plan Activation',
      'Time zone',
    ]);
  });

  it('leaves a path it does not know as it is', () => {
    expect(fieldLabel('status')).toBe('Status');
    expect(fieldLabel('colour')).toBe('colour');
  });
});
