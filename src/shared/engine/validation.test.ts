import { describe, expect, it } from 'vitest';
import type { Channel, PlanConfig } from '../domain';
import {
  ACTIVATION_DATE_RULE,
  canonicalTimeZone,
  checkCoexistence,
  CREDITS_RULE,
  formatIssue,
  mergePatch,
  parsePlanConfig,
  parsePlanPatch,
  uncoveredChannels,
  type SpacePlan,
} from './validation';

const valid = {
  limit: 'channel_specific',
  credits: { SMS: 500 },
  renew: 'monthly',
  rollover: true,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
};

/** The messages a plan gets, formatted as the scenario command prints them. */
function messages(plan: unknown): string[] {
  const parsed = parsePlanConfig(plan);
  return parsed.ok ? [] : parsed.issues.map(formatIssue);
}

function config(plan: Record<string, unknown>): PlanConfig {
  const parsed = parsePlanConfig({ ...valid, ...plan });
  if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('; '));
  return parsed.value;
}

describe('a plan', () => {
  it('accepts SPEC §8 plan as it is', () => {
    expect(parsePlanConfig(valid)).toEqual({ ok: true, value: valid });
  });

  it('defaults renew to null, rollover and overage to false', () => {
    const parsed = parsePlanConfig({
      limit: 'all_channels',
      credits: 10,
      activation: valid.activation,
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        limit: 'all_channels',
        credits: 10,
        renew: null,
        rollover: false,
        overage: false,
        activation: valid.activation,
      },
    });
  });

  it('names the channel whose credits are not a positive integer', () => {
    for (const bad of [-5, 0, 2.5, '500', null, true, 1e13]) {
      const found = messages({ ...valid, credits: { SMS: bad } });
      expect(found, String(bad)).toHaveLength(1);
      expect(found[0]).toMatch(/^plan\.credits\.SMS: must be a positive integer/);
    }
    expect(messages({ ...valid, credits: { SMS: 500, Email: -1 } })).toEqual([
      expect.stringMatching(/^plan\.credits\.Email: must be a positive integer/),
    ]);
  });

  it('names an unknown channel and an empty allocation', () => {
    expect(messages({ ...valid, credits: { Fax: 3 } })).toEqual([
      'plan.credits.Fax: is not a channel (one of SMS, WhatsApp, Email, Push, RCS)',
    ]);
    expect(messages({ ...valid, credits: { sms: 3 } })[0]).toMatch(
      /^plan\.credits\.sms: is not a channel/,
    );
    expect(messages({ ...valid, credits: {} })).toEqual([
      'plan.credits: must allocate credits to at least one channel',
    ]);
    expect(messages({ ...valid, credits: 500 })[0]).toMatch(/^plan\.credits: must map channels/);
  });

  it('wants one positive integer for an all-channels pool', () => {
    expect(messages({ ...valid, limit: 'all_channels', credits: 1000, rollover: false })).toEqual(
      [],
    );
    // One wording for the rule, naming the limit, whatever the bad value (10^13 included).
    for (const bad of [{ SMS: 5 }, 0, -3, 1.5, '10', 10 ** 13]) {
      expect(messages({ ...valid, limit: 'all_channels', credits: bad })).toEqual([
        'plan.credits: must be a positive integer from 1 to 1,000,000,000,000',
      ]);
    }
    expect(messages({ ...valid, credits: { SMS: 10 ** 13 } })).toEqual([`plan.credits.SMS: ${CREDITS_RULE}`]);
  });

  it('allows roll over only with a renewal period', () => {
    expect(messages({ ...valid, renew: null })).toEqual([
      'plan.rollover: needs a renewal period: roll over is only allowed when renew is set',
    ]);
    expect(messages({ ...valid, renew: undefined })).toHaveLength(1);
    expect(messages({ ...valid, renew: null, rollover: false })).toEqual([]);
    for (const renew of ['weekly', 'monthly', 'quarterly', 'half_year', 'annually'])
      expect(messages({ ...valid, renew })).toEqual([]);
  });

  it('names a bad limit, renewal and flags', () => {
    expect(messages({ ...valid, limit: 'per_channel' })).toEqual([
      'plan.limit: must be one of all_channels, channel_specific',
    ]);
    expect(messages({ ...valid, renew: 'daily' })).toEqual([
      'plan.renew: must be null or one of weekly, monthly, quarterly, half_year, annually',
    ]);
    expect(messages({ ...valid, rollover: 'yes', overage: 1 })).toEqual([
      'plan.rollover: must be true or false',
      'plan.overage: must be true, false or "metered"',
    ]);
  });

  it('bounds the activation date (9999-12-31 would have no period boundaries to write) and accepts past ones', () => {
    for (const date of ['9999-12-31', '2101-01-01', '1899-12-31']) {
      expect(messages({ ...valid, activation: { date, timeZone: 'Europe/Madrid' } })).toEqual([`plan.activation.date: ${ACTIVATION_DATE_RULE}`]);
    }
    for (const date of ['1900-01-01', '2100-12-31']) expect(messages({ ...valid, activation: { date, timeZone: 'Europe/Madrid' } })).toEqual([]);
  });

  it('stores a zone as the time-zone database spells it, an alias as given', () => {
    const parsed = parsePlanConfig({ ...valid, activation: { date: '2026-01-01', timeZone: 'america/mexico_city' } });
    expect(parsed.ok && parsed.value.activation.timeZone).toBe('America/Mexico_City');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Calcutta')).toBe('Asia/Calcutta');
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
  });

  it('names a date that does not exist and a zone that does not exist', () => {
    expect(
      messages({ ...valid, activation: { date: '2026-02-30', timeZone: 'Europe/Madrid' } }),
    ).toEqual(['plan.activation.date: must be a calendar date from 1900-01-01 to 2100-12-31, written YYYY-MM-DD']);
    expect(
      messages({ ...valid, activation: { date: '01/02/2026', timeZone: 'Europe/Madrid' } }),
    ).toHaveLength(1);
    expect(
      messages({ ...valid, activation: { date: '2026-01-01', timeZone: 'Mars/Olympus' } }),
    ).toEqual([
      'plan.activation.timeZone: must be an IANA time zone such as Europe/Madrid ("Mars/Olympus" is not one)',
    ]);
    expect(
      messages({ ...valid, activation: { date: '2026-01-01', timeZone: '+02:00' } })[0],
    ).toMatch(/^plan\.activation\.timeZone: /);
    expect(messages({ ...valid, activation: { date: '2026-01-01' } })[0]).toMatch(
      /^plan\.activation\.timeZone: must be an IANA time zone/,
    );
    expect(messages({ ...valid, activation: '2026-01-01' })).toEqual([
      'plan.activation: must be an object with a date (YYYY-MM-DD) and a timeZone',
    ]);
  });

  it('names fields it does not know, and refuses what is not an object', () => {
    expect(messages({ ...valid, colour: 'blue' })).toEqual(['plan.colour: is not a known field']);
    expect(messages({ ...valid, activation: { ...valid.activation, hour: 3 } })).toEqual([
      'plan.activation.hour: is not a known field',
    ]);
    expect(messages(null)).toEqual(['plan: must be an object']);
    expect(messages([valid])).toEqual(['plan: must be an object']);
  });

  it('reports every problem at once, each with its place', () => {
    const found = messages({
      limit: 'channel_specific',
      credits: { SMS: -1, Fax: 2 },
      renew: null,
      rollover: true,
      activation: { date: 'x', timeZone: 'y' },
    });
    expect(found.map((m) => m.split(':')[0])).toEqual([
      'plan.credits.SMS',
      'plan.credits.Fax',
      'plan.rollover',
      'plan.activation.date',
      'plan.activation.timeZone',
    ]);
  });
});

describe('an edit', () => {
  const current = config({});

  it('must be an object with at least one known field', () => {
    expect(parsePlanPatch({ credits: { SMS: 600 } })).toEqual({
      ok: true,
      value: { credits: { SMS: 600 } },
    });
    expect(parsePlanPatch({})).toEqual({
      ok: false,
      issues: [{ path: 'edit', message: 'must change at least one plan field' }],
    });
    expect(parsePlanPatch({ colour: 1 }, 'events[3].edit')).toEqual({
      ok: false,
      issues: [{ path: 'events[3].edit.colour', message: 'is not a known field' }],
    });
    expect(parsePlanPatch([1]).ok).toBe(false);
  });

  it('is validated as the whole plan it produces, naming the field', () => {
    const bad = mergePatch(current, { credits: { SMS: -10 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues.map(formatIssue)[0]).toMatch(
        /^edit\.credits\.SMS: must be a positive integer/,
      );
    const switched = mergePatch(current, { limit: 'all_channels' });
    expect(switched.ok).toBe(false);
    if (!switched.ok)
      expect(formatIssue(switched.issues[0]!)).toBe(`edit.credits: ${CREDITS_RULE}`);
    expect(mergePatch(current, { limit: 'all_channels', credits: 900 })).toMatchObject({
      ok: true,
      value: { limit: 'all_channels', credits: 900 },
    });
    const zone = mergePatch(current, {
      activation: { date: '2026-01-01', timeZone: 'Nowhere/Land' },
    });
    expect(zone.ok).toBe(false);
  });

  it('replaces the credits field as a whole', () => {
    const two = config({ credits: { SMS: 500, Email: 100 } });
    expect(mergePatch(two, { credits: { SMS: 600 } })).toMatchObject({
      ok: true,
      value: { credits: { SMS: 600 } },
    });
  });

  it('switching renewal off switches roll over off, unless the edit asks for roll over (then it is refused)', () => {
    expect(mergePatch(current, { renew: null })).toMatchObject({
      ok: true,
      value: { renew: null, rollover: false },
    });
    const refused = mergePatch(current, { renew: null, rollover: true });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(formatIssue(refused.issues[0]!)).toMatch(/^edit\.rollover: needs a renewal period/);
  });
});

describe('plans of one space (coexistence)', () => {
  const pool: SpacePlan = {
    id: 'CP-ALL',
    config: config({ limit: 'all_channels', credits: 1000 }),
  };
  const sms: SpacePlan = { id: 'CP-SMS', config: config({ credits: { SMS: 500 } }) };
  const emailPush: SpacePlan = {
    id: 'CP-EP',
    config: config({ credits: { Email: 10, Push: 20 } }),
  };

  it('an all-channels plan excludes every other plan, naming the plan in the way', () => {
    const issues = checkCoexistence(pool, [sms]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('plan.limit');
    expect(issues[0]!.message).toContain('CP-SMS');
    expect(issues[0]!.message).toContain('SMS');
    const second = checkCoexistence({ ...pool, id: 'CP-ALL-2' }, [pool]);
    expect(second[0]!.message).toContain('CP-ALL');
    expect(second[0]!.message).toContain('all channels');
  });

  it('no channel-specific plan may join a space with an all-channels plan; the message names plan and channel', () => {
    const issues = checkCoexistence(sms, [pool]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('CP-ALL');
    expect(issues[0]!.message).toMatch(/\bSMS\b/);
    expect(checkCoexistence(emailPush, [pool])[0]!.message).toMatch(/Email, Push/);
  });

  it('channel-specific plans coexist when no channel is allocated twice', () => {
    expect(checkCoexistence(emailPush, [sms])).toEqual([]);
    const clash: SpacePlan = {
      id: 'CP-NEW',
      config: config({ credits: { WhatsApp: 5, Push: 7 } }),
    };
    expect(checkCoexistence(clash, [sms, emailPush])).toEqual([
      { path: 'plan.credits.Push', message: 'channel Push is already allocated in plan CP-EP' },
    ]);
  });

  it('a plan does not conflict with its own earlier version (an edit)', () => {
    expect(checkCoexistence(sms, [sms, emailPush])).toEqual([]);
    expect(checkCoexistence(pool, [pool])).toEqual([]);
  });

  it('refuses channels the space does not have', () => {
    const issues = checkCoexistence(
      { id: 'CP-RCS', config: config({ credits: { RCS: 5 } }) },
      [],
      ['SMS', 'Email'],
    );
    expect(issues).toEqual([{ path: 'plan.credits.RCS', message: 'the space has no RCS channel' }]);
  });

  it('flags channels that no plan covers; an all-channels plan covers them all, even ones added later', () => {
    const channels: Channel[] = ['SMS', 'WhatsApp', 'Email', 'Push'];
    expect(uncoveredChannels(channels, [sms, emailPush])).toEqual(['WhatsApp']);
    expect(uncoveredChannels([...channels, 'RCS'], [sms, emailPush])).toEqual(['WhatsApp', 'RCS']);
    expect(uncoveredChannels([...channels, 'RCS'], [pool])).toEqual([]);
    expect(uncoveredChannels(channels, [])).toEqual(channels);
  });
});

describe('a parsed plan reads back as itself', () => {
  it('takes overageMetered: true beside overage: true as metered overage, and refuses it otherwise', () => {
    const metered = parsePlanConfig({
      limit: 'all_channels',
      credits: 100,
      renew: 'monthly',
      overage: 'metered',
      overageRate: { amount: '0.000085', currency: 'USD' },
      activation: { date: '2026-01-01', timeZone: 'UTC' },
    });
    expect(metered).toMatchObject({ ok: true, value: { overage: true, overageMetered: true } });
    if (!metered.ok) return;
    expect(parsePlanConfig(metered.value)).toEqual(metered);
    expect(parsePlanConfig({ ...metered.value, overage: false })).toMatchObject({ ok: false, issues: [{ path: 'plan.overageMetered' }] });
    expect(parsePlanConfig({ ...metered.value, overageMetered: 'yes' })).toMatchObject({ ok: false, issues: [{ path: 'plan.overageMetered' }] });
  });
});
