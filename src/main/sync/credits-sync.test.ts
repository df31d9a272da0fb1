import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { describeOnBackends, type TestCentral } from '../../central/testing';
import { ledgerSnapshot, createSpaceOn, startCentralAndTwoConsoles, stopCentralAndTwoConsoles, type TestConsole } from './testing';

/**
 * Top-ups and charge-nows between two consoles (real SQLite files) and the central service (real,
 * on loopback): given offline on one console, pushed once it is back, applied centrally, pulled
 * by the other console with the same credits, history and bucket figures; refused centrally (the
 * plan was deleted there meanwhile), reported and kept on record.
 */

const plan = (credits: number, extra: Partial<PlanConfig> = {}): PlanConfig =>
  ({
    limit: 'channel_specific',
    credits: { SMS: credits },
    renew: 'monthly',
    rollover: false,
    overage: false,
    activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
    price: { amount: '150.00', currency: 'USD' },
    ...extra,
  }) as PlanConfig;

/** What a console shows of a plan's credits, without the row ids of its own ledger. */
const figures = (c: TestConsole, planId: string) => ({
  credits: c.services.credits.list(planId),
  buckets: c.services.details.state(planId).buckets.map((b) => ({ bucket: b.bucket, allocated: b.allocated, used: b.used, remaining: b.remaining, topUps: b.topUps })),
  history: c.services.history
    .list({ planId }, null, 50)
    .entries.filter((e) => e.credit !== undefined)
    .map(({ action, actor, version, at, credit, sync }) => ({ action, actor, version, at, credit, sync })),
});

await describeOnBackends('top-ups and charge-nows between consoles', (backend) => {
  let central: TestCentral;
  let a: TestConsole;
  let b: TestConsole;
  const SPACE = 'SP-CREDITS';

  beforeAll(async () => {
    ({ central, a, b } = await startCentralAndTwoConsoles(backend));
    createSpaceOn(a, { environmentId: 'ENV-CREDITS', spaceId: SPACE }, { name: 'Ana Ruiz', email: 'ana@example.com' }, [
      { channel: 'SMS', bidirectional: true },
      { channel: 'WhatsApp', bidirectional: false },
    ]);
    a.connect(central.central.url, central.admin.token!);
    b.connect(central.central.url, central.admin.token!);
    await a.settle();
    await b.settle();
  }, 60_000);

  afterAll(() => stopCentralAndTwoConsoles({ central, a, b }));

  it('credits given offline on one console reach the central service and the other console: same credits, history and buckets', async () => {
    const p = a.services.plans.create(SPACE, plan(1000), 'alice');
    await a.settle();
    await b.settle();

    a.connect('http://127.0.0.1:9', central.admin.token!);
    const topUp = a.services.credits.addCredits({ planId: p.id, bucket: 'SMS', credits: 500, expires: 'never', price: { amount: '25.00', currency: 'USD' } }, 'alice');
    const quote = a.services.credits.chargeNow(p.id, undefined, 'alice').quote;
    const charge = a.services.credits.chargeNow(p.id, { week: quote.week }, 'alice').applied!;
    expect(charge.credits.SMS).toBeGreaterThan(0);
    const offline = await a.client.syncNow();
    expect(offline).toMatchObject({ state: 'offline', pendingChanges: 2 });
    expect(figures(a, p.id).history.map((h) => h.sync)).toEqual(['local', 'local']);

    a.connect(central.central.url, central.admin.token!);
    await a.settle();
    await b.settle();
    expect(a.services.sync.status()).toMatchObject({ state: 'connected', pendingChanges: 0, conflicts: 0 });

    const mine = figures(a, p.id);
    expect(mine.credits.map((c) => [c.id, c.kind, c.credits.SMS])).toEqual([
      [charge.id, 'charge_now', charge.credits.SMS],
      [topUp.id, 'top_up', 500],
    ]);
    expect(mine.history.map((h) => [h.action, h.sync])).toEqual([
      ['charged_now', 'confirmed'],
      ['credits_added', 'confirmed'],
    ]);
    expect(mine.buckets).toEqual([
      expect.objectContaining({ bucket: 'SMS', allocated: 1000, topUps: expect.objectContaining({ available: 500 + charge.credits.SMS!, used: 0 }) }),
    ]);
    expect(figures(b, p.id)).toEqual(mine);
    expect(ledgerSnapshot(b.services)).toEqual(ledgerSnapshot(a.services));

    // The platform's traffic spends the plan's credits, then the add-on credits, centrally; both
    // consoles show the central service's buckets with them.
    const platform = await central.client('platform', null);
    const at = new Date().toISOString();
    const answer = await platform.post<{ decisions: { accepted: boolean }[] }>('/v1/usage/batch', {
      events: [
        { id: 'cs-1', spaceId: SPACE, channel: 'SMS', credits: 900, occurredAt: at },
        { id: 'cs-2', spaceId: SPACE, channel: 'SMS', credits: 300, occurredAt: at },
      ],
    });
    expect(answer.body.decisions.map((d) => d.accepted)).toEqual([true, true]);
    await a.settle();
    await b.settle();
    const spent = figures(b, p.id);
    expect(b.services.details.state(p.id).source.kind).toBe('central');
    expect(spent.buckets).toEqual([
      { bucket: 'SMS', allocated: 1000, used: 1000, remaining: 0, topUps: expect.objectContaining({ available: 500 + charge.credits.SMS!, used: 200, remaining: 300 + charge.credits.SMS! }) },
    ]);
    // The charge's period_end lot is spent before the never one (SPEC §9.2), as the engine's lots say.
    expect(spent.buckets[0]!.topUps!.lots.map((l) => [l.id, l.expires])).toEqual([
      [charge.id, 'period_end'],
      [topUp.id, 'never'],
    ]);
    expect(figures(a, p.id)).toEqual(spent);

    // The central service applied them once and composed their e-mails; both consoles show those.
    const stored = await central.database.db.query<{ id: string }>('SELECT id FROM plan_credits WHERE plan_id = $1 ORDER BY id', [p.id]);
    expect(stored.rows.map((r) => r.id).sort()).toEqual([charge.id, topUp.id].sort());
    for (const c of [a, b]) {
      const mails = c.services.notifications.list({ planId: p.id }).filter((m) => m.kind === 'credits_added');
      expect(mails.map((m) => m.subject)).toEqual(['Credits Added: Retail (' + p.id + ')', 'Credits Added: Retail (' + p.id + ')']);
    }
  }, 60_000);

  it('credits the central service refuses (the plan was deleted there meanwhile) are reported and kept on record', async () => {
    const p = a.services.plans.create(SPACE, plan(300, { credits: { WhatsApp: 300 } } as Partial<PlanConfig>), 'alice');
    await a.settle();
    await b.settle();
    a.connect('http://127.0.0.1:9', central.admin.token!);
    const topUp = a.services.credits.addCredits({ planId: p.id, bucket: 'WhatsApp', credits: 40, expires: 'period_end' }, 'alice');
    const between = Date.parse(topUp.at) + 1;
    expect(a.services.details.state(p.id, between).buckets[0]?.topUps).toMatchObject({ available: 40 });
    // The central service's history keeps instants to the second: the deletion lands in a later one.
    await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.parse(topUp.at) % 1000)));
    b.services.plans.delete(p.id, 1, 'bob');
    await b.settle();

    a.connect(central.central.url, central.admin.token!);
    await a.settle();
    expect(a.services.sync.status()).toMatchObject({ state: 'connected', pendingChanges: 0 });
    // Nothing lost: the top-up stays on record here, its entry and e-mail say the central service refused it.
    expect(a.services.credits.list(p.id).map((c) => c.id)).toEqual([topUp.id]);
    const [entry] = figures(a, p.id).history;
    expect(entry).toMatchObject({ action: 'credits_added', sync: 'refused', credit: { id: topUp.id, credits: { WhatsApp: 40 } } });
    const mail = a.services.notifications.list({ planId: p.id }).find((m) => m.kind === 'credits_added');
    expect(mail).toMatchObject({ status: 'failed' });
    expect(mail?.error).toMatch(/refused these credits.*deleted/);
    expect(a.services.history.exportCsv({ planId: p.id }, Date.now()).csv).toContain('Refused by the central service');
    // …but they no longer count: while the plan lived (before the deletion), its bucket has no add-on credits.
    expect(a.services.details.state(p.id, between).buckets).toEqual([expect.objectContaining({ bucket: 'WhatsApp', allocated: 300, remaining: 300 })]);
    expect(a.services.details.state(p.id, between).buckets[0]?.topUps).toBeUndefined();
    // The plan's deletion came down; the central service holds no credits for it, the other console neither.
    expect(a.services.plans.get(p.id).status).toBe('deleted');
    const stored = await central.database.db.query<{ n: string }>('SELECT count(*)::text AS n FROM plan_credits WHERE plan_id = $1', [p.id]);
    expect(stored.rows[0]?.n).toBe('0');
    await b.settle();
    expect(b.services.credits.list(p.id)).toEqual([]);
  }, 60_000);
});
