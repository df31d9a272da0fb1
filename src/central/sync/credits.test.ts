import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import { applyChargeNow, applyDelete, applyTopUp, createPlanState, describeSnapshot, recordUsage } from '../../shared/engine';
import {
  centralErrorSchema,
  pullResponseSchema,
  pushResponseSchema,
  usageBatchResponseSchema,
  type ChangeInput,
  type ChangeResult,
  type PullItem,
} from '../../shared/sync';
import {
  TestSmtpServer,
  changeId,
  describeOnBackends,
  planCreate,
  planDelete,
  smsPlan,
  spaceSetup,
  startTestCentral,
  waitForFeed,
  type CentralClient,
  type TestCentral,
} from '../testing';

/**
 * Top-ups and charge-nows pushed by a console (plan.top_up, plan.charge_now): applied once, the
 * same id answered the same (even a refusal), stored and replayed in their place, spent by usage
 * authorization exactly as the engine spends them, handed to other consoles by a pull, and told
 * to the Account Manager once.
 */
async function push(client: CentralClient, changes: ChangeInput[]): Promise<ChangeResult[]> {
  const answer = await client.post('/v1/sync/push', { changes });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return pushResponseSchema.parse(answer.body).results;
}

function topUp(planId: string, at: string, topUp: { bucket: 'SMS' | 'WhatsApp' | 'ALL'; credits: number; expires: 'period_end' | 'never'; price?: { amount: string; currency: string } }, id = changeId('TU')): ChangeInput {
  return { id, kind: 'plan.top_up', at, actor: 'alice', planId, topUp };
}

function chargeNow(planId: string, at: string, week: number, id = changeId('CN')): ChangeInput {
  return { id, kind: 'plan.charge_now', at, actor: 'alice', planId, week };
}

async function pullAll(client: CentralClient, credits = true): Promise<PullItem[]> {
  const items: PullItem[] = [];
  let cursor = '0.0';
  for (;;) {
    const page = pullResponseSchema.parse((await client.get(`/v1/sync/pull?cursor=${cursor}&limit=500${credits ? '&credits=1' : ''}`)).body);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!page.hasMore) return items;
  }
}

/** A space of its own (plans of one space may not share a channel, SPEC §2) and a plan in it. */
async function planIn(client: CentralClient, spaceId: string, planId: string, config: PlanConfig, at?: string): Promise<void> {
  const results = await push(client, [...spaceSetup('env-c', spaceId, { name: 'Ana Ruiz', email: 'ana@example.com' }), planCreate(planId, spaceId, config, 'alice', at)]);
  expect(results.map((r) => r.status), JSON.stringify(results)).toEqual(results.map(() => 'applied'));
}

const PRICED: Partial<PlanConfig> = { price: { amount: '150.00', currency: 'USD' } };

await describeOnBackends('add-on credits through sync', (backend) => {
  let t: TestCentral;
  let platform: CentralClient;
  const smtp = new TestSmtpServer();
  beforeAll(async () => {
    await smtp.start();
    t = await startTestCentral(backend, {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, ignoreTls: true, from: 'Credit Plans <plans@central.test>' },
    });
    platform = await t.client('platform', null);
  });
  afterAll(async () => {
    await t?.dispose();
    await smtp.stop();
  });

  it('applies a top-up once: the same id again answers the first answer, another payload is 409', async () => {
    await planIn(t.admin, 'space-t', 'plan-t', smsPlan(100));
    const change = topUp('plan-t', '2026-11-02T10:00:00Z', { bucket: 'SMS', credits: 50, expires: 'never', price: { amount: '5.5', currency: 'EUR' } });
    const [first] = await push(t.admin, [change]);
    expect(first).toMatchObject({
      status: 'applied',
      plan: { id: 'plan-t', version: 1 },
      credit: {
        id: change.id,
        planId: 'plan-t',
        kind: 'top_up',
        credits: { SMS: 50 },
        expires: 'never',
        price: { amount: '5.50', currency: 'EUR' },
        week: null,
        planVersion: 1,
        at: '2026-11-02T10:00:00.000Z',
        effectiveAt: '2026-11-02T10:00:00.000Z',
      },
    });
    const [again] = await push(t.admin, [change]);
    expect(again?.status).toBe('already_applied');
    expect(again).toMatchObject({ credit: first?.status === 'applied' ? first.credit : {} });
    const tampered = { ...change, topUp: { bucket: 'SMS', credits: 51, expires: 'never' } } as ChangeInput;
    const refused = await t.admin.post('/v1/sync/push', { changes: [tampered] });
    expect(refused.status).toBe(409);
    expect(centralErrorSchema.parse(refused.body).error).toMatchObject({ kind: 'change_id_reused', changeIds: [change.id] });
    const stored = await t.database.db.query<{ n: string }>("SELECT count(*)::text AS n FROM plan_credits WHERE plan_id = 'plan-t'");
    expect(stored.rows[0]?.n).toBe('1');
    // The plan as support staff read it on the central service lists it beside the versions.
    const plan = await t.admin.get<{ plan: { version: number }; history: unknown[]; credits: unknown[] }>('/v1/plans/plan-t');
    expect(plan.status).toBe(200);
    expect(plan.body.history).toHaveLength(1);
    expect(plan.body.credits).toEqual([first?.status === 'applied' ? first.credit : null]);
  });

  it('applies two copies of one top-up sent at once a single time: the later one answers as its repeat', async () => {
    await planIn(t.admin, 'space-2x', 'plan-2x', smsPlan(100));
    const change = topUp('plan-2x', '2026-11-02T10:00:00Z', { bucket: 'SMS', credits: 7, expires: 'period_end' });
    const answers = await Promise.all([push(t.admin, [change]), push(t.admin, [change]), push(t.admin, [change])]);
    expect(answers.map(([r]) => r?.status).sort()).toEqual(['already_applied', 'already_applied', 'applied']);
    const stored = await t.database.db.query<{ n: string }>("SELECT count(*)::text AS n FROM plan_credits WHERE plan_id = 'plan-2x'");
    expect(stored.rows[0]?.n).toBe('1');
    const mails = await t.database.db.query<{ n: string }>("SELECT count(*)::text AS n FROM notifications WHERE plan_id = 'plan-2x' AND kind = 'credits_added'");
    expect(mails.rows[0]?.n).toBe('1');
  });

  it('answers a refused top-up the same way again (SPEC §9.8); unknown and deleted plans as for edits', async () => {
    await planIn(t.admin, 'space-r', 'plan-r', smsPlan(100, { activation: { date: '2027-03-01', timeZone: 'UTC' } }));
    const early = topUp('plan-r', '2026-11-02T10:00:00Z', { bucket: 'SMS', credits: 5, expires: 'period_end' });
    const [first] = await push(t.admin, [early]);
    expect(first).toMatchObject({ status: 'rejected', issues: [{ path: 'topUp' }] });
    expect(first?.status === 'rejected' && first.message).toContain('before_activation');
    const [second] = await push(t.admin, [early]);
    expect(second).toEqual(first);
    const otherBucket = topUp('plan-r', '2026-11-02T10:00:00Z', { bucket: 'WhatsApp', credits: 5, expires: 'period_end' });
    expect((await push(t.admin, [otherBucket]))[0]?.status).toBe('rejected');

    const unknown = await push(t.admin, [topUp('plan-nowhere', '2026-11-02T10:00:00Z', { bucket: 'SMS', credits: 5, expires: 'never' })]);
    expect(unknown[0]).toMatchObject({ status: 'conflict', current: null });

    await planIn(t.admin, 'space-d', 'plan-d', smsPlan(100, { credits: { WhatsApp: 10 } } as Partial<PlanConfig>));
    await push(t.admin, [planDelete('plan-d', 1, 'bob', '2026-11-03T00:00:00Z')]);
    const late = topUp('plan-d', '2026-11-04T10:00:00Z', { bucket: 'WhatsApp', credits: 5, expires: 'never' });
    const [onDeleted] = await push(t.admin, [late]);
    expect(onDeleted).toMatchObject({ status: 'rejected', message: 'plan plan-d is deleted' });
    const stored = await t.database.db.query<{ n: string }>("SELECT count(*)::text AS n FROM plan_credits WHERE plan_id IN ('plan-r', 'plan-d')");
    expect(stored.rows[0]?.n).toBe('0');
  });

  it('charges now for the confirmed billing week only, and says what it added', async () => {
    await planIn(t.admin, 'space-cn', 'plan-cn', smsPlan(144_000, PRICED));
    // 25 November in Madrid: day 25 of 30, week 4 of 4 (SPEC §9.3's example).
    const wrongWeek = chargeNow('plan-cn', '2026-11-25T10:00:00Z', 3);
    const [refused] = await push(t.admin, [wrongWeek]);
    expect(refused).toMatchObject({ status: 'rejected', issues: [{ path: 'week' }] });
    const [same] = await push(t.admin, [wrongWeek]);
    expect(same).toEqual(refused);
    const charge = chargeNow('plan-cn', '2026-11-25T10:00:00Z', 4);
    const [applied] = await push(t.admin, [charge]);
    expect(applied).toMatchObject({
      status: 'applied',
      credit: { kind: 'charge_now', credits: { SMS: 36_000 }, price: { amount: '37.50', currency: 'USD' }, expires: 'period_end', week: { day: 25, days: 30, week: 4, weeks: 4 } },
    });
  });

  it('spends top-ups in usage authorization exactly as the engine does, before overage, on every path', async () => {
    const config = smsPlan(100, { overage: true });
    await planIn(t.admin, 'space-c', 'plan-u', config, '2026-11-01T00:00:00Z');
    const engine = createPlanState(config);
    let n = 0;
    const decide = async (day: number, credits: number[]) => {
      const events = credits.map((c, i) => ({ id: `cu-${(n += 1)}`, spaceId: 'space-c', channel: 'SMS', credits: c, occurredAt: `2026-11-${String(day).padStart(2, '0')}T1${i}:00:00Z` }));
      const answer = await platform.post('/v1/usage/batch', { events });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const decisions = usageBatchResponseSchema.parse(answer.body).decisions;
      const expected = events.map((e) => {
        const d = recordUsage(engine, { id: e.id, channel: 'SMS', credits: e.credits, direction: 'MT' }, Date.parse(e.occurredAt));
        return d.accepted ? [true, d.consumed, d.overageTriggered] : [false, 0, false];
      });
      expect(decisions.map((d) => [d.accepted, d.consumed, d.overageTriggered])).toEqual(expected);
      return decisions;
    };
    // Before any top-up the fast path charges (the engine path seeded its counters).
    await decide(2, [30]);
    await decide(3, [20]);
    const fast = await t.database.db.query<{ fast: string }>("SELECT coalesce(sum(fast_events), 0)::text AS fast FROM usage_counters WHERE plan_id = 'plan-u'");
    expect(Number(fast.rows[0]?.fast)).toBeGreaterThan(0);

    const at = '2026-11-03T12:00:00Z';
    const [added] = await push(t.admin, [
      topUp('plan-u', at, { bucket: 'SMS', credits: 40, expires: 'period_end' }),
      topUp('plan-u', at, { bucket: 'SMS', credits: 25, expires: 'never' }),
    ]);
    expect(added?.status).toBe('applied');
    applyTopUp(engine, { id: 'a', bucket: 'SMS', credits: 40, expires: 'period_end' }, Date.parse(at));
    applyTopUp(engine, { id: 'b', bucket: 'SMS', credits: 25, expires: 'never' }, Date.parse(at));
    // No counters for a plan with add-on credits: the engine path decides every group.
    const counters = await t.database.db.query<{ n: string }>("SELECT count(*)::text AS n FROM usage_counters WHERE plan_id = 'plan-u'");
    expect(counters.rows[0]?.n).toBe('0');

    // 50 left of the plan, then 40 + 25 of top-ups, then overage (+100): the engine's order.
    const decisions = [...(await decide(4, [45, 30])), ...(await decide(5, [35, 20])), ...(await decide(6, [90, 30]))];
    expect(decisions.some((d) => d.overageTriggered)).toBe(true);
    expect(decisions.some((d) => !d.accepted)).toBe(true);

    // Bucket states at an earlier instant replay the top-ups in their place.
    const mid = '2026-11-05T12:00:00Z';
    const replayEngine = createPlanState(config);
    for (const [ms, credits, id] of [[Date.parse('2026-11-02T10:00:00Z'), 30, 'x1'], [Date.parse('2026-11-03T10:00:00Z'), 20, 'x2']] as const) {
      recordUsage(replayEngine, { id, channel: 'SMS', credits, direction: 'MT' }, ms);
    }
    applyTopUp(replayEngine, { id: 'a', bucket: 'SMS', credits: 40, expires: 'period_end' }, Date.parse(at));
    applyTopUp(replayEngine, { id: 'b', bucket: 'SMS', credits: 25, expires: 'never' }, Date.parse(at));
    for (const [ms, credits, id] of [['2026-11-04T10:00:00Z', 45, 'y1'], ['2026-11-04T11:00:00Z', 30, 'y2'], ['2026-11-05T10:00:00Z', 35, 'y3'], ['2026-11-05T11:00:00Z', 20, 'y4']] as const) {
      recordUsage(replayEngine, { id, channel: 'SMS', credits, direction: 'MT' }, Date.parse(ms));
    }
    const state = await t.admin.get<{ buckets: Record<string, unknown> }>(`/v1/plans/plan-u/state?at=${mid}`);
    expect(state.status).toBe(200);
    expect(state.body.buckets).toEqual(describeSnapshot(replayEngine, Date.parse(mid)).buckets);
    const nowState = await t.admin.get<{ buckets: Record<string, unknown> }>('/v1/plans/plan-u/state?at=2026-11-07T00:00:00Z');
    expect(nowState.body.buckets).toEqual(describeSnapshot(engine, Date.parse('2026-11-07T00:00:00Z')).buckets);

    // The explanation of an event paid partly by top-ups replays them too.
    const support = await t.client('support', null);
    const explained = await support.get<{ explain: { paidBy: unknown[] } }>('/v1/usage/events/cu-5/explanation?environmentId=env-c');
    expect(explained.status, JSON.stringify(explained.body)).toBe(200);
    // cu-5 (35): the period_end top-up's last 15, then 20 of the never one — oldest first, period_end first.
    expect(explained.body.explain.paidBy).toEqual([
      expect.objectContaining({ source: 'top_up', expires: 'period_end', credits: 15 }),
      expect.objectContaining({ source: 'top_up', expires: 'never', credits: 20 }),
    ]);
  });

  it('a charge-now and a deletion replay in order: credits after a deletion are refused as the engine refuses them', async () => {
    const config = smsPlan(700, PRICED);
    await planIn(t.admin, 'space-x', 'plan-x', config, '2026-11-01T00:00:00Z');
    const engine = createPlanState(config);
    const [charged] = await push(t.admin, [chargeNow('plan-x', '2026-11-10T09:00:00Z', 2, 'CN-X1-0000000')]);
    expect(charged?.status).toBe('applied');
    expect(applyChargeNow(engine, 'CN-X1-0000000', Date.parse('2026-11-10T09:00:00Z'))).toMatchObject({ applied: true, credits: { SMS: 350 } });
    await push(t.admin, [planDelete('plan-x', 1, 'bob', '2026-11-12T00:00:00Z')]);
    applyDelete(engine, Date.parse('2026-11-12T00:00:00Z'));
    const state = await t.admin.get<{ buckets: Record<string, unknown> }>('/v1/plans/plan-x/state?at=2026-11-11T00:00:00Z');
    const replay = createPlanState(config);
    applyChargeNow(replay, 'CN-X1-0000000', Date.parse('2026-11-10T09:00:00Z'));
    expect(state.body.buckets).toEqual(describeSnapshot(replay, Date.parse('2026-11-11T00:00:00Z')).buckets);
  });

  it('hands the credits to other consoles in a pull, and tells the Account Manager once', async () => {
    const id = changeId('TU');
    await planIn(t.admin, 'space-m', 'plan-m', smsPlan(1000));
    const change = topUp('plan-m', '2026-11-20T10:00:00Z', { bucket: 'SMS', credits: 5000, expires: 'never', price: { amount: '25.00', currency: 'USD' } }, id);
    await push(t.admin, [change]);
    await push(t.admin, [change]);
    const mails = await smtp.waitFor((list) => list.some((m) => m.subject.includes('Credits Added') && m.subject.includes('plan-m')));
    // Wait for a few worker rounds more: a second copy would have been sent by now.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const mine = smtp.received.filter((m) => m.subject === 'Credits Added: Space space-m (plan-m)');
    expect(mine).toHaveLength(1);
    expect(mails.length).toBeGreaterThan(0);
    expect(mine[0]!.envelopeTo).toEqual(['ana@example.com']);
    expect(mine[0]!.text).toContain(`Top-up ${id}`);
    expect(mine[0]!.text).toContain('+5,000 SMS credits');
    expect(mine[0]!.text).toContain('25.00 USD');

    await waitForFeed(t.database.db);
    const items = await pullAll(t.admin);
    const credits = items.flatMap((item) => (item.kind === 'credit' && item.credit.planId === 'plan-m' ? [item.credit] : []));
    expect(credits).toEqual([
      expect.objectContaining({ id, spaceId: 'space-m', environmentId: 'env-c', kind: 'top_up', credits: { SMS: 5000 }, expires: 'never', price: { amount: '25.00', currency: 'USD' }, actor: 'alice' }),
    ]);
    const notes = items.flatMap((item) => (item.kind === 'notification' && item.notification.planId === 'plan-m' ? [item.notification] : []));
    expect(notes.filter((note) => note.kind === 'credits_added').map((note) => note.creditId)).toEqual([id]);
    expect(notes.filter((note) => note.kind === 'activated').every((note) => note.creditId === undefined)).toBe(true);

    // A client that does not ask for add-on credits (a console from before they synced) gets none of them.
    const older = await pullAll(t.admin, false);
    expect(older.some((item) => item.kind === 'credit' || (item.kind === 'notification' && item.notification.kind === 'credits_added'))).toBe(false);
    expect(older.some((item) => item.kind === 'notification' && item.notification.planId === 'plan-m')).toBe(true);
  });
});

