import { describe, expect, it } from 'vitest';
import { diffPlanConfigs } from '../sync';
import { fieldLabel, fieldValueLabel } from './labels';
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

describe('a plan field’s value has one wording everywhere', () => {
  it('writes each value a change can carry as the summary step does, numbers with thousands separators', () => {
    const before: PlanConfig = { limit: 'all_channels', credits: 1_500_000, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } };
    const after: PlanConfig = { limit: 'channel_specific', credits: { SMS: 2_500 }, renew: 'half_year', rollover: true, overage: true, activation: { date: '2026-02-01', timeZone: 'Europe/Madrid' } };
    const lines = diffPlanConfigs(before, after).map((c) => `${fieldLabel(c.field)}: ${fieldValueLabel(c.field, c.old)} → ${fieldValueLabel(c.field, c.new)}`);
    expect(lines).toEqual([
      'Credit limit: All Channels → Channel Specific',
      'Credits, all channels (shared pool): 1,500,000 → —',
      'SMS credits: — → 2,500',
      'Renew credits: No → Yes — Half-year',
      'Roll Over credits: No → Yes',
      'Overage: No → Yes',
      'Credit Plan Activation: 2026-01-01 → 2026-02-01',
      'Time zone: UTC → Europe/Madrid',
    ]);
  });

  it('words a conflict’s status, and the whole credits and activation older history carries', () => {
    expect(fieldValueLabel('status', 'live')).toBe('In force');
    expect(fieldValueLabel('status', 'deleted')).toBe('Deleted');
    expect(fieldValueLabel('renew', undefined)).toBe('No');
    expect(fieldValueLabel('credits', { ALL: 12_000 })).toBe('All Channels: 12,000');
    expect(fieldValueLabel('credits', { SMS: 1_000, WhatsApp: 300 })).toBe('SMS: 1,000; WhatsApp: 300');
    expect(fieldValueLabel('activation', { date: '2026-12-01', timeZone: 'America/Mexico_City' })).toBe('2026-12-01 at 00:00, America/Mexico_City');
    expect(fieldValueLabel('renew', 'fortnightly')).toBe('fortnightly');
    expect(fieldValueLabel('colour', 'blue')).toBe('blue');
  });
});
