import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/domain';
import { tempLedger, testClock, type TempLedger } from '../ledger/testing';
import { seedDemo, DEMO_ENVIRONMENT_NAME } from './demo';
import { createServices } from './index';

let t: TempLedger;
afterEach(() => t?.cleanup());

describe('demo environment', () => {
  it('creates spaces with all five channels, plans of both kinds, history, and months of usage, marked as demo', async () => {
    t = tempLedger();
    const clock = testClock('2026-05-20T15:30:00Z');
    const services = createServices({ ledger: t.ledger, clock });
    const started = performance.now();
    const summary = await seedDemo(services, clock);
    const elapsed = performance.now() - started;
    expect(summary).not.toBeNull();
    expect(summary!.events).toBeGreaterThan(100_000);
    // A first start waits for this; it stays a few seconds even on a busy machine.
    expect(elapsed).toBeLessThan(45_000);
    const [env] = services.org.listEnvironments();
    expect(env).toMatchObject({ demo: true, name: DEMO_ENVIRONMENT_NAME });
    const spaces = services.org.listSpaces(env!.id);
    expect(spaces.length).toBeGreaterThanOrEqual(3);
    expect(spaces.every((s) => s.demo && s.name.endsWith('(demo)'))).toBe(true);
    expect(new Set(spaces.flatMap((s) => s.channels.map((c) => c.channel)))).toEqual(new Set(CHANNELS));
    expect(spaces.some((s) => s.uncoveredChannels.length > 0)).toBe(true);
    // Demo e-mails are marked as such: demo data is never synced, so they are never sent.
    const mails = services.notifications.list({});
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.every((m) => m.demo && m.status === 'queued')).toBe(true);
    const plans = spaces.flatMap((s) => services.plans.list(s.id));
    expect(new Set(plans.map((p) => p.config.limit))).toEqual(new Set(['all_channels', 'channel_specific']));
    expect(plans.every((p) => p.status === 'active')).toBe(true);
    for (const plan of plans) {
      const state = services.details.state(plan.id);
      expect(state.buckets.some((b) => b.used > 0)).toBe(true);
    }
    const actions = services.history.list({}, null, 100).entries.map((e) => e.action);
    expect(new Set(actions)).toEqual(new Set(['created', 'updated', 'deleted', 'credits_added', 'charged_now']));
    // Demo changes are kept but never sent to the central service.
    expect(services.sync.status().pendingChanges).toBe(0);
    expect(services.sync.toSend()).toEqual([]);
    expect(await seedDemo(services, clock)).toBeNull();
  });

  it('uses each policy of SPEC §9 on at least one demo plan, the same way for the same day', async () => {
    t = tempLedger();
    const clock = testClock('2026-05-20T15:30:00Z');
    const services = createServices({ ledger: t.ledger, clock });
    await seedDemo(services, clock, { days: 90 });
    const [env] = services.org.listEnvironments();
    const plans = services.org.listSpaces(env!.id).flatMap((s) => services.plans.list(s.id));
    const having = (test: (p: (typeof plans)[number]) => boolean) => {
      const found = plans.filter(test);
      expect(found.length).toBeGreaterThan(0);
      return found[0]!;
    };

    // A rate card: the ledger charged WhatsApp messages at its rate.
    const rated = having((p) => p.config.costs !== undefined);
    expect(rated.config.costs).toEqual({ WhatsApp: 2, RCS: 3 });
    // 1 (most), 2 (a long SMS, or WhatsApp at its rate) and 3 (RCS at its rate: nothing else costs 3).
    const whatsAppCredits = t.ledger.db
      .prepare('SELECT DISTINCT e.credits AS credits FROM usage_events e JOIN plans p ON p.ref = e.plan_ref WHERE p.id = ?')
      .all(rated.id) as { credits: number }[];
    expect(whatsAppCredits.map((r) => r.credits)).toEqual(expect.arrayContaining([2, 3]));

    // A daily limit, which refused some of a busy day's traffic.
    const limited = having((p) => p.config.dailyLimit !== undefined);
    const dailyRefusals = t.ledger.db
      .prepare(`SELECT COUNT(*) AS n FROM usage_rejections r JOIN plans p ON p.ref = r.plan_ref WHERE p.id = ? AND r.reason = 'daily_limit'`)
      .get(limited.id) as { n: number };
    expect(dailyRefusals.n).toBeGreaterThan(0);

    // Metered overage with a price: last month's metered charge is on this month's statement.
    const metered = having((p) => p.config.overageMetered === true && p.config.price !== undefined);
    const meteredStatement = services.statements.statement(metered.id, 'current').statement!;
    expect(meteredStatement.previousMeteredCharge.currency).toBe('USD');
    expect(meteredStatement.previousMeteredCharge.amount).toMatch(/^\d+\.\d{2}$/);
    expect(meteredStatement.previousMeteredCharge.amount).not.toBe('0.00');
    const meteredBucket = services.details.state(metered.id, Date.parse('2026-04-30T12:00:00Z')).buckets[0]!;
    expect(meteredBucket.metered!.credits).toBeGreaterThan(0);

    // A never-expiring top-up and a charge-now, the latter on its plan's statement.
    const credits = plans.flatMap((p) => services.credits.list(p.id));
    const topUp = credits.find((c) => c.kind === 'top_up' && c.expires === 'never' && c.price !== null)!;
    expect(topUp).toBeDefined();
    // Spent after the plan's own credits.
    const bucket = services.details.state(topUp.planId).buckets.find((b) => b.bucket in topUp.credits)!;
    expect(bucket.remaining).toBe(0);
    expect(bucket.topUps!.used).toBeGreaterThan(0);
    const charge = credits.find((c) => c.kind === 'charge_now')!;
    expect(charge).toBeDefined();
    // On 22 April (Madrid), week 4 of 4: a quarter of the month's credits (35,000 then) and price.
    expect(charge).toMatchObject({ at: '2026-04-22T09:00:00.000Z', week: { week: 4, weeks: 4 }, credits: { ALL: 8_750 }, price: { amount: '112.50', currency: 'EUR' } });
    const { periods } = services.statements.statement(charge.planId, 'current');
    const april = periods.find((p) => p.start <= charge.at && (p.end === null || charge.at < p.end))!;
    const statement = services.statements.statement(charge.planId, april.index).statement!;
    expect(statement.charges.map((c) => c.id)).toEqual([charge.id]);
    expect(statement.total).toEqual({ amount: '562.50', currency: 'EUR' });

    // The same day seeds the same demo: the same credits, ids and prices.
    const again = tempLedger();
    try {
      const other = createServices({ ledger: again.ledger, clock });
      await seedDemo(other, clock, { days: 90 });
      const strip = (list: typeof credits) => list.map(({ planId: _planId, ...rest }) => rest);
      const otherPlans = other.org.listSpaces(env!.id).flatMap((s) => other.plans.list(s.id));
      expect(strip(otherPlans.flatMap((p) => other.credits.list(p.id)))).toEqual(strip(credits));
    } finally {
      again.cleanup();
    }
  });
});
