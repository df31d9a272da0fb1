import { describe, expect, it } from 'vitest';
import { composeCreditsEmail } from './compose';
import { creditGrantWords } from './credit-words';

const facts = {
  environmentName: 'Production',
  spaceName: 'Retail <EU>',
  planId: 'CP-0123456789',
  version: 3,
  config: {
    limit: 'channel_specific' as const,
    credits: { SMS: 500, WhatsApp: 200 },
    renew: 'monthly' as const,
    rollover: false,
    overage: false,
    activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
  },
  spaceChannels: [{ channel: 'SMS' as const, bidirectional: true }],
  actor: 'Bo "the admin" <bo@example.com>',
  atMs: Date.parse('2026-03-10T12:00:00.400Z'),
};

describe('"Credits Added"', () => {
  it('a top-up: what was added, until when, for how much, by whom and when, then the plan summary; HTML escaped', () => {
    const mail = composeCreditsEmail({ ...facts, grant: { id: 'TU-0123456789', kind: 'top_up', credits: { SMS: 5000 }, expires: 'never', price: null, week: null } });
    expect(mail.subject).toBe('Credits Added: Retail <EU> (CP-0123456789)');
    expect(mail.text.split('\n').slice(0, 9)).toEqual([
      'Credits Added',
      '',
      'Top-up TU-0123456789: credits were added to the credit plan CP-0123456789 of Retail <EU> by Bo "the admin" <bo@example.com> at 2026-03-10T12:00:00Z.',
      '',
      'What was added:',
      '  Credits added: +5,000 SMS credits',
      '  They: never expire (used after the plan’s own credits)',
      '  Price: no price',
      '',
    ]);
    expect(mail.text).toContain('  Version: 3');
    expect(mail.text).toContain('    SMS: 500 credits · MO - MT (bidirectional; only MT consumes)');
    expect(mail.html).toContain('Retail &#60;EU&#62;');
    expect(mail.html).not.toContain('<bo@example.com>');
    expect(mail.html).toContain('Bo &#34;the admin&#34; &#60;bo@example.com&#62;');
  });

  it('a charge-now names its billing week and price; the history’s words are the same facts on one line', () => {
    const grant = { id: 'CN-0123456789', kind: 'charge_now' as const, credits: { SMS: 125, WhatsApp: 50 }, expires: 'period_end' as const, price: { amount: '37.50', currency: 'USD' }, week: { day: 28, days: 30, week: 4, weeks: 4 } };
    const mail = composeCreditsEmail({ ...facts, grant });
    expect(mail.text).toContain('Charge now CN-0123456789: credits were added');
    expect(mail.text).toContain('  Credits added: +125 SMS credits, +50 WhatsApp credits\n  They: expire at the end of the period\n  Billing week: 4 of 4 (day 28 of 30 of the period)\n  Price: 37.50 USD');
    expect(creditGrantWords(grant)).toBe('+125 SMS credits, +50 WhatsApp credits; expire at the end of the period; billing week 4 of 4 (day 28 of 30); price 37.50 USD');
    expect(creditGrantWords({ ...grant, credits: { ALL: 10 }, week: null, price: null })).toBe('+10 All Channels credits; expire at the end of the period; no price');
  });
});
