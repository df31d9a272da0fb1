import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { composeCreditsEmail } from '../../shared/mail';
import { makeWorld, type World } from './testing';

/**
 * Credits given to a plan are on record like its versions: an entry in the credit history log
 * (who, when, what, price) and a "Credits Added" e-mail to the space's Account Manager — in the
 * same transaction as the credits, on a real ledger file.
 */

let w: World;
afterEach(() => w?.cleanup());

const seed003: PlanConfig = {
  limit: 'all_channels',
  credits: 144_000,
  renew: 'monthly',
  rollover: false,
  overage: false,
  price: { amount: '150.00', currency: 'USD' },
  activation: { date: '2026-04-01', timeZone: 'UTC' },
};

describe('credits given to a plan, in the credit history log', () => {
  it('a top-up and a charge-now each add one entry with who, when, what and price; the same request again adds none; the action filter finds them', () => {
    w = makeWorld('2026-04-28T10:00:00Z');
    const plan = w.services.plans.create(w.spaceId, seed003, 'ana');
    w.clock.advance(60_000);
    w.services.credits.addCredits({ planId: plan.id, id: 'TU-0123456789', bucket: 'ALL', credits: 5_000, expires: 'never', price: { amount: '25', currency: 'USD' } }, 'Bo Admin');
    w.services.credits.addCredits({ planId: plan.id, id: 'TU-0123456789', bucket: 'ALL', credits: 5_000, expires: 'never' }, 'Bo Admin');
    w.clock.advance(60_000);
    w.services.credits.chargeNow(plan.id, undefined, 'Cy Admin'); // a preview records nothing
    w.services.credits.chargeNow(plan.id, { week: 4, id: 'CN-0123456789' }, 'Cy Admin');

    const { entries } = w.services.history.list({ spaceId: w.spaceId }, null, 50);
    expect(entries.map((e) => [e.action, e.actor, e.at, e.version, e.sync])).toEqual([
      ['charged_now', 'Cy Admin', '2026-04-28T10:02:00.000Z', 1, 'local'],
      ['credits_added', 'Bo Admin', '2026-04-28T10:01:00.000Z', 1, 'local'],
      ['created', 'ana', '2026-04-28T10:00:00.000Z', 1, 'local'],
    ]);
    expect(entries[0]!.credit).toEqual({
      id: 'CN-0123456789',
      kind: 'charge_now',
      credits: { ALL: 36_000 },
      expires: 'period_end',
      price: { amount: '37.50', currency: 'USD' },
      week: { day: 28, days: 30, week: 4, weeks: 4 },
    });
    expect(entries[1]!.credit).toEqual({ id: 'TU-0123456789', kind: 'top_up', credits: { ALL: 5_000 }, expires: 'never', price: { amount: '25.00', currency: 'USD' }, week: null });
    expect(entries[2]!.credit).toBeUndefined();

    expect(w.services.history.list({ spaceId: w.spaceId, action: 'credits_added' }, null, 50).entries.map((e) => e.credit?.id)).toEqual(['TU-0123456789']);
    expect(w.services.history.list({ spaceId: w.spaceId, action: 'charged_now' }, null, 50).entries.map((e) => e.credit?.id)).toEqual(['CN-0123456789']);
    expect(w.services.history.list({ planId: plan.id, actor: 'bo' }, null, 50).entries.map((e) => e.action)).toEqual(['credits_added']);

    // The CSV says it in words.
    const lines = w.services.history.exportCsv({ spaceId: w.spaceId }, w.clock()).csv.split(/\r?\n/).filter(Boolean);
    expect(lines[1]).toContain(`${plan.id},1,charged_now,Cy Admin,2026-04-28T10:02:00.000Z,Production,Retail`);
    expect(lines[1]).toContain('"CN-0123456789: +36,000 All Channels credits; expire at the end of the period; billing week 4 of 4 (day 28 of 30); price 37.50 USD",Not yet synced');
    expect(lines[2]).toContain('TU-0123456789: +5,000 All Channels credits; never expire (used after the plan’s own credits); price 25.00 USD');
  });

  it('a refused top-up writes no entry and no e-mail; an edit after a top-up takes the next version beside it', () => {
    w = makeWorld('2026-04-28T10:00:00Z');
    const plan = w.services.plans.create(w.spaceId, seed003, 'ana');
    const before = { history: w.services.history.list({ spaceId: w.spaceId }, null, 50).entries.length, mail: w.services.notifications.list().length };
    expect(() => w.services.credits.addCredits({ planId: plan.id, bucket: 'SMS', credits: 10, expires: 'never' }, 'ana')).toThrow(/no such bucket/);
    expect(w.services.history.list({ spaceId: w.spaceId }, null, 50).entries).toHaveLength(before.history);
    expect(w.services.notifications.list()).toHaveLength(before.mail);

    w.services.credits.addCredits({ planId: plan.id, bucket: 'ALL', credits: 10, expires: 'period_end' }, 'ana');
    w.clock.advance(1000);
    w.services.plans.edit(plan.id, 1, { credits: 150_000 }, 'ana');
    const entries = w.services.history.list({ planId: plan.id }, null, 50).entries;
    expect(entries.map((e) => [e.action, e.version])).toEqual([['updated', 2], ['credits_added', 1], ['created', 1]]);
    // The record never changes, whatever its sync state.
    expect(() => w.t.ledger.db.exec("UPDATE history_log SET actor = 'mallory' WHERE action = 'credits_added'")).toThrow(/append-only/);
    expect(() => w.t.ledger.db.exec("DELETE FROM history_log WHERE action = 'credits_added'")).toThrow(/append-only/);
  });
});

describe('"Credits Added" to the Account Manager', () => {
  it('is kept with the console’s e-mails for a top-up and for a charge-now, composed by the one composer, queued', () => {
    w = makeWorld('2026-04-28T10:00:00Z');
    const plan = w.services.plans.create(w.spaceId, seed003, 'ana');
    w.clock.advance(60_000);
    w.services.credits.addCredits({ planId: plan.id, id: 'TU-0123456789', bucket: 'ALL', credits: 5_000, expires: 'never', price: { amount: '25.00', currency: 'USD' } }, 'Bo Admin');
    w.clock.advance(60_000);
    w.services.credits.chargeNow(plan.id, { week: 4, id: 'CN-0123456789' }, 'Cy Admin');

    const mails = w.services.notifications.list({ planId: plan.id });
    expect(mails.map((m) => [m.kind, m.subject, m.to, m.status])).toEqual([
      ['credits_added', `Credits Added: Retail (${plan.id})`, 'ana@example.com', 'queued'],
      ['credits_added', `Credits Added: Retail (${plan.id})`, 'ana@example.com', 'queued'],
      ['activated', `Credit Plan Activated: Retail (${plan.id})`, 'ana@example.com', 'queued'],
    ]);
    const [charge, topUp] = mails;
    expect(charge!.text).toContain(`Charge now CN-0123456789: credits were added to the credit plan ${plan.id} of Retail by Cy Admin at 2026-04-28T10:02:00Z.`);
    expect(charge!.text).toContain('Credits added: +36,000 All Channels credits');
    expect(charge!.text).toContain('Billing week: 4 of 4 (day 28 of 30 of the period)');
    expect(charge!.text).toContain('Price: 37.50 USD');
    expect(topUp!.text).toContain('They: never expire');
    expect(topUp!.html).toContain('<td style="padding:4px 12px 4px 0;text-align:left;vertical-align:top">25.00 USD</td>');
    // The very e-mail the shared composer writes from the same facts.
    const space = { environmentName: 'Production', spaceName: 'Retail', planId: plan.id, version: 1, config: plan.config };
    expect(topUp!.text).toBe(
      composeCreditsEmail({
        ...space,
        spaceChannels: [
          { channel: 'SMS', bidirectional: true },
          { channel: 'WhatsApp', bidirectional: true },
          { channel: 'Email', bidirectional: false },
        ],
        grant: { id: 'TU-0123456789', kind: 'top_up', credits: { ALL: 5_000 }, expires: 'never', price: { amount: '25.00', currency: 'USD' }, week: null },
        actor: 'Bo Admin',
        atMs: Date.parse('2026-04-28T10:01:00Z'),
      }).text,
    );
  });
});
