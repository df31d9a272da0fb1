import { afterAll, beforeAll, expect, it } from 'vitest';
import { centralErrorSchema, pullResponseSchema, type PullItem } from '../../shared/sync';
import { describeOnBackends, spaceSetup, type TestCentral, startTestCentral, CentralClient, planCreate, smsPlan, waitForFeed } from '../testing';

await describeOnBackends('central HTTP API: auth, validation, health', (backend) => {
  let t: TestCentral;
  beforeAll(async () => {
    t = await startTestCentral(backend);
    const setup = await t.admin.post('/v1/sync/push', {
      changes: [...spaceSetup('env-a', 'space-a'), ...spaceSetup('env-b', 'space-b'), planCreate('plan-a', 'space-a', smsPlan(100)), planCreate('plan-b', 'space-b', smsPlan(100))],
    });
    expect(setup.status).toBe(200);
  });
  afterAll(async () => t?.dispose());

  it('answers health and readiness without a token', async () => {
    const anonymous = new CentralClient(t.central.url, null);
    expect(await anonymous.get('/health')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await anonymous.get<{ status: string; database: string }>('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: backend });
  });

  it('refuses a missing, malformed or unknown token with 401', async () => {
    const anonymous = new CentralClient(t.central.url, null);
    for (const answer of [
      await anonymous.get('/v1/sync/pull'),
      await anonymous.request('GET', '/v1/sync/pull', undefined, { authorization: 'Basic abc' }),
      await anonymous.withToken('cpc_not-a-real-token').get('/v1/sync/pull'),
      await anonymous.withToken('cpc_not-a-real-token').post('/v1/usage', {}),
    ]) {
      expect(answer.status).toBe(401);
      expect(centralErrorSchema.parse(answer.body).error.kind).toBe('unauthorized');
    }
  });

  it('refuses with 403 what a role may not do', async () => {
    const support = await t.client('support', null);
    const manager = await t.client('account_manager', null);
    const platform = await t.client('platform', null);
    const change = { changes: [planCreate('plan-x', 'space-a', smsPlan(5))] };
    for (const client of [support, manager, platform]) {
      const push = await client.post('/v1/sync/push', change);
      expect(push.status).toBe(403);
      expect(centralErrorSchema.parse(push.body).error.message).toMatch(/may not do this/);
    }
    const event = { id: 'ev-role-1', spaceId: 'space-a', channel: 'SMS', occurredAt: new Date().toISOString() };
    expect((await support.post('/v1/usage', event)).status).toBe(403);
    expect((await manager.post('/v1/usage', event)).status).toBe(403);
    expect((await platform.get('/v1/sync/pull')).status).toBe(403);
    // What each role may do, it can.
    expect((await support.get('/v1/sync/pull')).status).toBe(200);
    expect((await manager.get('/v1/plans/plan-a')).status).toBe(200);
    expect((await platform.post('/v1/usage', event)).status).toBe(200);
    expect((await platform.get('/v1/plans/plan-a/state')).status).toBe(200);
  });

  it('answers what lies outside the token’s environments as unknown, and hides it from pulls', async () => {
    const adminA = await t.client('admin', ['env-a']);
    const supportA = await t.client('support', ['env-a']);
    expect((await adminA.get('/v1/plans/plan-a')).status).toBe(200);
    // Another environment's plan: the very answer an unknown plan gets.
    const other = await adminA.get('/v1/plans/plan-b');
    const unknown = await adminA.get('/v1/plans/plan-none');
    expect([other.status, unknown.status]).toEqual([404, 404]);
    expect(JSON.stringify(other.body).replace('plan-b', 'X')).toBe(JSON.stringify(unknown.body).replace('plan-none', 'X'));
    expect((await supportA.get('/v1/plans/plan-b/state')).status).toBe(404);
    const push = await adminA.post('/v1/sync/push', { changes: [planCreate('plan-b2', 'space-b', smsPlan(5, { credits: { WhatsApp: 5 } }))] });
    const pushUnknown = await adminA.post('/v1/sync/push', { changes: [planCreate('plan-b3', 'space-none', smsPlan(5, { credits: { WhatsApp: 5 } }))] });
    expect(push.status).toBe(200);
    expect(JSON.stringify(push.body).replaceAll('space-b', 'S').replace(/"id":"[^"]+"/, '')).toBe(
      JSON.stringify(pushUnknown.body).replaceAll('space-none', 'S').replace(/"id":"[^"]+"/, ''),
    );
    expect((await t.admin.get('/v1/plans/plan-b2')).status).toBe(404);
    const usage = await adminA.post('/v1/usage/batch', {
      events: [
        { id: 'ev-env-1', spaceId: 'space-a', channel: 'SMS', occurredAt: new Date().toISOString() },
        { id: 'ev-env-2', spaceId: 'space-b', channel: 'SMS', occurredAt: new Date().toISOString() },
      ],
    });
    expect(usage.status).toBe(403);
    // Every kind of record must be in the pull: wait until a transaction elsewhere on the server
    // holds none of them back (the usage slot written by the previous test, for one).
    await waitForFeed(t.database.db);
    const pull = await supportA.get('/v1/sync/pull?limit=5000');
    expect(pull.status).toBe(200);
    const { items } = pullResponseSchema.parse(pull.body);
    const planEnvironment = new Map(items.flatMap((i) => (i.kind === 'plan' ? [[i.plan.id, i.plan.environmentId] as const] : [])));
    const environmentOf = (item: PullItem): string | undefined => {
      switch (item.kind) {
        case 'environment':
          return item.environment.id;
        case 'space':
          return item.space.environmentId;
        case 'channel':
          return item.channel.environmentId;
        case 'plan':
          return item.plan.environmentId;
        case 'history':
          return item.history.environmentId;
        case 'planState':
          return planEnvironment.get(item.planState.planId);
        case 'usageSlot':
          return item.usageSlot.environmentId;
        case 'notification':
          return item.notification.environmentId;
      }
    };
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(['environment', 'space', 'channel', 'plan', 'history', 'planState', 'notification', 'usageSlot']));
    expect(new Set(items.map(environmentOf))).toEqual(new Set(['env-a']));
    // A limited admin cannot mint a token for every environment.
    expect((await adminA.post('/v1/tokens', { name: 'x', role: 'support', environments: null })).status).toBe(403);
    const minted = await adminA.post<{ token: string }>('/v1/tokens', { name: 'x', role: 'support', environments: ['env-a'] });
    expect(minted.status).toBe(201);
    const session = await adminA.withToken(minted.body.token).get('/v1/session');
    expect(session.body).toMatchObject({ role: 'support', environments: ['env-a'] });
  });

  it('answers every bad request with a clear validation error and never a stack trace', async () => {
    const cases = [
      await t.admin.request('POST', '/v1/sync/push', '{not json'),
      await t.admin.post('/v1/sync/push', { changes: [] }),
      await t.admin.post('/v1/sync/push', { changes: [{ id: 'short', kind: 'plan.create' }] }),
      await t.admin.post('/v1/sync/push', { changes: [planCreate('p-bad', 'space-a', { ...smsPlan(5), credits: { SMS: -1 } } as never)] }),
      await t.admin.post('/v1/usage', { id: 'e1', spaceId: 's', channel: 'Fax', occurredAt: 'yesterday' }),
      await t.admin.post('/v1/usage/batch', { events: 'none' }),
      await t.admin.get('/v1/sync/pull?cursor=abc'),
      await t.admin.get('/v1/sync/pull?limit=0'),
      await t.admin.get('/v1/plans/plan-a/state?at=tomorrow'),
      await t.admin.request('POST', '/v1/usage', 'x=1', { 'content-type': 'application/x-www-form-urlencoded' }),
    ];
    for (const answer of cases) {
      expect([400, 415]).toContain(answer.status);
      const body = centralErrorSchema.parse(answer.body);
      expect(body.error.kind).toBe('validation');
      expect(JSON.stringify(answer.body)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    }
    const credits = centralErrorSchema.parse(cases[3]!.body).error;
    expect(credits.issues?.[0]?.path).toBe('changes[0].config.credits.SMS');
    expect(credits.message).toMatch(/positive integer/);
    const usage = centralErrorSchema.parse(cases[4]!.body).error;
    expect(usage.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['channel', 'occurredAt']));
  });

  it('answers unknown routes and plans with 404', async () => {
    expect((await t.admin.get('/v1/nothing')).status).toBe(404);
    expect((await t.admin.get('/v1/plans/no-such-plan/state')).status).toBe(404);
    expect(centralErrorSchema.parse((await t.admin.get('/v1/plans/no-such-plan')).body).error.kind).toBe('not_found');
  });
});
