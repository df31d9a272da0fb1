import { describe, expect, it } from 'vitest';
import type { Space } from '../../../../shared/api';
import { emptyForm, fieldOfIssue, formFromConfig, offeredChannels, patchOf, validateForm, type PlanForm } from './form';

const space: Space = {
  id: 's1',
  environmentId: 'e1',
  environmentName: 'Env',
  name: 'Space',
  accountManager: { name: 'A', email: 'a@example.com' },
  channels: [
    { channel: 'SMS', bidirectional: true, addedAt: '2026-01-01T00:00:00Z' },
    { channel: 'WhatsApp', bidirectional: false, addedAt: '2026-01-01T00:00:00Z' },
    { channel: 'Email', bidirectional: false, addedAt: '2026-01-01T00:00:00Z' },
  ],
  uncoveredChannels: ['WhatsApp', 'Email'],
  livePlanCount: 1,
  demo: false,
};

function form(patch: Partial<PlanForm>): PlanForm {
  return { ...emptyForm('UTC'), date: '2026-01-01', ...patch };
}

describe('the wizard form', () => {
  it('asks for Add before Next', () => {
    expect(validateForm(form({})).errors.credits?.[0]).toMatch(/Total Credits/);
    expect(validateForm(form({ limit: 'channel_specific' })).errors.credits?.[0]).toMatch(/channel/);
  });

  it('uses the engine’s validation and places each issue next to its field', () => {
    const result = validateForm(form({ limit: 'channel_specific', rows: [{ channel: 'SMS', credits: '0' }], timeZone: 'Mars/Base' }));
    expect(result.config).toBeNull();
    expect(result.errors['credits.SMS']?.[0]).toMatch(/positive integer/);
    expect(result.errors['activation.timeZone']?.[0]).toMatch(/IANA/);
  });

  it('never sends roll over without renewal, even if the hidden toggle was left on', () => {
    const result = validateForm(form({ pool: '100', rollover: true, renewOn: false }));
    expect(result.config).toMatchObject({ limit: 'all_channels', credits: 100, renew: null, rollover: false });
  });

  it('maps service paths (plan., config.) to fields', () => {
    expect(fieldOfIssue('plan.limit', 'all_channels')).toBe('limit');
    expect(fieldOfIssue('config.credits.SMS', 'channel_specific')).toBe('credits.SMS');
    expect(fieldOfIssue('credits.SMS', 'all_channels')).toBe('credits');
    expect(fieldOfIssue('something', 'all_channels')).toBe('form');
  });

  it('offers only uncovered channels, plus the edited plan’s own', () => {
    expect(offeredChannels(space, form({ limit: 'channel_specific' }), null)).toEqual(['WhatsApp', 'Email']);
    expect(offeredChannels(space, form({ limit: 'channel_specific', rows: [{ channel: 'Email', credits: '1' }] }), null)).toEqual(['WhatsApp']);
    const own = { limit: 'channel_specific', credits: { SMS: 5 }, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } } as const;
    expect(offeredChannels(space, form({ limit: 'channel_specific' }), own)).toEqual(['SMS', 'WhatsApp', 'Email']);
  });

  it('an edit sends only what changed', () => {
    const original = { limit: 'all_channels', credits: 100, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-31', timeZone: 'UTC' } } as const;
    const filled = formFromConfig(original);
    expect(filled).toMatchObject({ pool: '100', renewOn: true, renew: 'monthly', date: '2026-01-31', timeZone: 'UTC' });
    const next = validateForm({ ...filled, pool: '200' }).config;
    expect(next).not.toBeNull();
    expect(patchOf(original, next!)).toEqual({ credits: 200 });
  });
});
