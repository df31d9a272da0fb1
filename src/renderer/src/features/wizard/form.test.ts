import { describe, expect, it } from 'vitest';
import type { Space } from '../../../../shared/api';
import { Temporal } from 'temporal-polyfill';
import { CREDITS_RULE } from '../../../../shared/engine';
import { currentPeriod, emptyForm, fieldOfIssue, formFromConfig, offeredChannels, pastActivationNote, patchOf, validateForm, type PlanForm } from './form';

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

  it('words a bad credit value once, naming the limit, for the pool and for a channel', () => {
    for (const pool of ['0', '12x', String(10 ** 13)]) expect(validateForm(form({ pool })).errors.credits).toEqual([CREDITS_RULE]);
    const row = validateForm(form({ limit: 'channel_specific', rows: [{ channel: 'SMS', credits: String(10 ** 13) }] }));
    expect(row.errors['credits.SMS']).toEqual([CREDITS_RULE]);
    expect(CREDITS_RULE).toContain('1,000,000,000,000');
  });

  it('stores a zone typed in lower case as the database spells it', () => {
    expect(validateForm(form({ pool: '100', timeZone: 'america/mexico_city' })).config?.activation.timeZone).toBe('America/Mexico_City');
  });

  it('says what a past activation means for the periods, and nothing for today or later', () => {
    const now = Temporal.Instant.from('2026-12-05T08:00:00Z');
    expect(pastActivationNote(form({ pool: '1', date: '2026-12-05' }), now)).toBeNull();
    expect(pastActivationNote(form({ pool: '1', date: '2027-01-01' }), now)).toBeNull();
    expect(pastActivationNote(form({ pool: '1', date: '1900-01-01' }), now)).toBe(
      '1900-01-01 is in the past: the plan is in force as soon as it is saved, as if since 00:00 that day (UTC), and usage recorded since then counts against it. Without renewal it has one period, from 1900-01-01 on.',
    );
    expect(pastActivationNote(form({ pool: '1', date: '2026-01-31', renewOn: true, renew: 'monthly' }), now)).toBe(
      '2026-01-31 is in the past: the plan is in force as soon as it is saved, as if since 00:00 that day (UTC), and usage recorded since then counts against it. Its periods count from that date, so 10 periods have already passed: the current one began on 2026-11-30, not today, and runs to 2026-12-31.',
    );
    expect(pastActivationNote(form({ pool: '1', date: '2026-12-01', renewOn: true, renew: 'weekly' }), now)).toMatch(/first period is still running: it renews on 2026-12-08\.$/);
    expect(pastActivationNote(form({ pool: '1', date: '2026-12-01', timeZone: 'Not/AZone' }), now)).toBeNull();
    // An edit that keeps the activation: nothing to say.
    expect(pastActivationNote(form({ pool: '1', date: '2026-01-31' }), now, { date: '2026-01-31', timeZone: 'UTC' })).toBeNull();
    expect(pastActivationNote(form({ pool: '1', date: '2026-11-28', renewOn: true, renew: 'weekly' }), now)).toMatch(/the current one began on 2026-12-05 \(today\) and runs to 2026-12-12\.$/);
  });

  it('finds the current period of a long-past calendar without walking it', () => {
    expect(currentPeriod('1900-01-01', 'weekly', '2026-12-05')).toEqual({ index: 6622, start: '2026-11-30' }) // 1900-01-01 was a Monday, as 2026-11-30 is;
    expect(currentPeriod('2024-01-31', 'quarterly', '2026-12-05')).toEqual({ index: 11, start: '2026-10-31' });
  });
});

describe('the Policies section of step 1 (SPEC §9)', () => {
  const pool = (patch: Partial<PlanForm>) => form({ pool: '144000', renewOn: true, ...patch });

  it('builds the policy parts from what is typed, leaving blanks out', () => {
    const { config, errors } = validateForm(pool({ costs: { WhatsApp: '2', SMS: '' }, dailyPool: '2000', price: '150.00', currency: 'usd', overage: true, overageMetered: true, overageRate: '0.000085' }));
    expect(errors).toEqual({});
    expect(config).toMatchObject({
      costs: { WhatsApp: 2 },
      dailyLimit: 2000,
      overage: true,
      overageMetered: true,
      price: { amount: '150.00', currency: 'USD' },
      overageRate: { amount: '0.000085', currency: 'USD' },
    });
    expect(config?.minimumCharge).toBeUndefined();
    // Nothing typed: the plan has exactly its former shape.
    expect(Object.keys(validateForm(pool({})).config ?? {})).toEqual(['limit', 'credits', 'renew', 'rollover', 'overage', 'activation']);
  });

  it('names the field and its limit, per channel for a channel-specific plan', () => {
    const channels = form({ limit: 'channel_specific', rows: [{ channel: 'SMS', credits: '500' }], dailyByChannel: { SMS: '0', WhatsApp: '5' }, costs: { SMS: 'two' } });
    const { errors } = validateForm(channels);
    expect(errors['dailyLimit.SMS']).toEqual([CREDITS_RULE]);
    expect(errors['costs.SMS']).toEqual([CREDITS_RULE]);
    expect(validateForm(pool({ dailyPool: '1000000000001' })).errors.dailyLimit?.[0]).toMatch(/from 1 to 1,000,000,000,000/);
    expect(validateForm(pool({ price: '1,50' })).errors.price?.[0]).toMatch(/amount such as 150.00/);
    expect(validateForm(pool({ price: '1.50', currency: 'DOLLARS' })).errors.currency?.[0]).toMatch(/three-letter currency code/);
    expect(validateForm(pool({ overage: true, overageMetered: true })).errors.overageRate?.[0]).toMatch(/needed by metered overage/);
    // Once (+100 %) ignores a rate typed while Metered was chosen.
    expect(validateForm(pool({ overage: true, overageRate: 'x' })).config?.overageRate).toBeUndefined();
  });

  it('reads a plan back into the form and edits only the parts that changed', () => {
    const { config } = validateForm(pool({ dailyPool: '2000', price: '150.00', currency: 'EUR', overage: true, overageMetered: true, overageRate: '0.01' }));
    const back = formFromConfig(config!);
    expect(back).toMatchObject({ policiesOpen: true, dailyPool: '2000', price: '150.00', currency: 'EUR', overage: true, overageMetered: true, overageRate: '0.01' });
    const edited = validateForm({ ...back, dailyPool: '', overageMetered: false }).config!;
    expect(patchOf(config!, edited)).toEqual({ overage: true, dailyLimit: null, overageRate: null });
  });
});
