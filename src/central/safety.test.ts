import net from 'node:net';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  centralErrorSchema,
  planStateRecordSchema,
  pullResponseSchema,
  pushResponseSchema,
  usageDecisionSchema,
} from '../shared/sync';
import {
  CentralClient,
  createTokenByCli,
  describeOnBackends,
  planCreate,
  planEdit,
  smsPlan,
  spaceSetup,
  startTestCentral,
  waitForFeed,
  type TestCentral,
  pushApplied as push,
} from './testing';

/** The safety items of usage authorization and the API (issue 11), each against the real HTTP service. */
const now = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const errorOf = (body: unknown) => centralErrorSchema.parse(body).error;

await describeOnBackends('central safety', (backend) => {
  let t: TestCentral;
  let platformA: CentralClient;
  let platformB: CentralClient;
  beforeAll(async () => {
    t = await startTestCentral(backend);
    await push(t.admin, [...spaceSetup('env-a', 'space-a'), planCreate('plan-a', 'space-a', smsPlan(100))]);
    await push(t.admin, [...spaceSetup('env-b', 'space-b'), planCreate('plan-b', 'space-b', smsPlan(100))]);
    await push(t.admin, [...spaceSetup('env-x', 'space-x')]);
    platformA = await t.client('platform', ['env-a']);
    platformB = await t.client('platform', ['env-b']);
  });
  afterAll(async () => t?.dispose());

  it('caps credits per event at 10^12 and keeps every stored sum exact (a sum past 2^53 − 1 is refused, nothing charged)', async () => {
    for (const credits of [1_000_000_000_001, 9_007_199_254_740_991, 0, 1.5]) {
      const answer = await t.admin.post('/v1/usage', { id: 'cap-1', spaceId: 'space-x', channel: 'SMS', credits, occurredAt: now() });
      expect(answer.status).toBe(400);
      expect(errorOf(answer.body).issues?.[0]?.path).toBe('credits');
    }
    // Uncovered traffic is not limited: 9,007 events of 10^12 fit one slot exactly; 200 more would pass 2^53.
    const at = '2026-11-02T10:00:00Z';
    const events = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, spaceId: 'space-x', channel: 'SMS', credits: 1_000_000_000_000, occurredAt: at }));
    const first = await t.admin.post('/v1/usage/batch', { events: events('big', 9_007) });
    expect(first.status).toBe(200);
    const over = await t.admin.post('/v1/usage/batch', { events: events('over', 200) });
    expect(over.status).toBe(422);
    expect(errorOf(over.body).kind).toBe('limit_exceeded');
    const stored = await t.database.db.query<{ n: string; sum: string }>(
      "SELECT count(*)::text AS n, sum(credits)::text AS sum FROM usage_events WHERE space_id = 'space-x'",
    );
    expect(stored.rows[0]).toEqual({ n: '9007', sum: '9007000000000000' });
    await waitForFeed(t.database.db);
    const pull = pullResponseSchema.parse((await t.admin.get('/v1/sync/pull?limit=5000')).body);
    const slot = pull.items.find((i) => i.kind === 'usageSlot' && i.usageSlot.spaceId === 'space-x');
    expect(slot?.kind === 'usageSlot' && slot.usageSlot.mtCredits).toBe(9_007_000_000_000_000);
    // And the sum a reader gets is the exact sum of the stored events.
    const slots = await t.database.db.query<{ exact: boolean }>(
      `SELECT bool_and(s.mt_credits = (SELECT coalesce(sum(e.credits), 0) FROM usage_events e
          WHERE e.space_id = s.space_id AND e.accepted AND e.direction = 'MT' AND coalesce(e.plan_id, '') = s.plan_key
            AND e.channel = s.channel AND e.occurred_ms - e.occurred_ms % 900000 = s.slot_ms)) AS exact FROM usage_slots s`,
    );
    expect(slots.rows[0]?.exact).toBe(true);
  }, 60_000);

  it('scopes usage ids to their environment; the same id with other content is refused with 409 and nothing charged', async () => {
    const at = now();
    const a = usageDecisionSchema.parse((await platformA.post('/v1/usage', { id: 'shared-1', spaceId: 'space-a', channel: 'SMS', credits: 3, occurredAt: at })).body);
    const b = usageDecisionSchema.parse((await platformB.post('/v1/usage', { id: 'shared-1', spaceId: 'space-b', channel: 'SMS', credits: 5, occurredAt: at })).body);
    expect([a.planId, a.consumed, a.duplicate]).toEqual(['plan-a', 3, false]);
    expect([b.planId, b.consumed, b.duplicate]).toEqual(['plan-b', 5, false]);
    // Same id, same content: the first decision again.
    const again = usageDecisionSchema.parse((await platformA.post('/v1/usage', { id: 'shared-1', spaceId: 'space-a', channel: 'SMS', credits: 3, occurredAt: at })).body);
    expect(again).toEqual({ ...a, duplicate: true });
    // Same id, other content (credits, then instant): 409, and the rest of that request is not charged either.
    for (const reused of [{ credits: 4, occurredAt: at }, { credits: 3, occurredAt: '2026-11-02T10:00:00Z' }]) {
      const answer = await platformA.post('/v1/usage/batch', {
        events: [
          { id: 'fresh-1', spaceId: 'space-a', channel: 'SMS', credits: 1, occurredAt: at },
          { id: 'shared-1', spaceId: 'space-a', channel: 'SMS', ...reused },
        ],
      });
      expect(answer.status).toBe(409);
      expect(errorOf(answer.body)).toMatchObject({ kind: 'usage_id_reused', usageIds: ['shared-1'] });
    }
    // Within one request as well.
    const inBatch = await platformA.post('/v1/usage/batch', {
      events: [
        { id: 'twin-1', spaceId: 'space-a', channel: 'SMS', credits: 1, occurredAt: at },
        { id: 'twin-1', spaceId: 'space-a', channel: 'SMS', credits: 2, occurredAt: at },
      ],
    });
    expect(inBatch.status).toBe(409);
    const state = planStateRecordSchema.parse((await t.admin.get('/v1/plans/plan-a/state')).body);
    expect(state.buckets.SMS?.used).toBe(3);
    const fresh = await t.database.db.query("SELECT 1 FROM usage_events WHERE id IN ('fresh-1', 'twin-1')");
    expect(fresh.rowCount).toBe(0);
  });

  it('refuses ids and names holding U+0000 with 400, never a 500', async () => {
    const event = await t.admin.post('/v1/usage', { id: 'nul\u0000id', spaceId: 'space-a', channel: 'SMS', occurredAt: now() });
    expect(event.status).toBe(400);
    expect(errorOf(event.body).issues?.[0]?.path).toBe('id');
    const batch = await t.admin.post('/v1/usage/batch', { events: [{ id: 'ok-nul', spaceId: 'space\u0000a', channel: 'SMS', occurredAt: now() }] });
    expect(batch.status).toBe(400);
    expect(errorOf(batch.body).issues?.[0]?.path).toBe('events[0].spaceId');
    const change = spaceSetup('env-a', 'space-nul')[1]!;
    const named = await t.admin.post('/v1/sync/push', { changes: [{ ...change, space: { ...(change as { space: object }).space, name: 'bad\u0000name' } }] });
    expect(named.status).toBe(400);
    expect(errorOf(named.body).issues?.[0]?.path).toBe('changes[0].space.name');
    expect((await t.admin.get('/v1/plans/a%00b')).status).toBe(400);
    expect((await t.admin.get('/v1/notifications?planId=a%00b')).status).toBe(400);
  });

  it('decides a failed group again request by request: one bad request fails alone', async () => {
    const at = now();
    const good = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? platformA : platformB).post('/v1/usage/batch', {
        events: [{ id: `group-${i}`, spaceId: i % 2 ? 'space-a' : 'space-b', channel: 'SMS', credits: 1, occurredAt: at }],
      }),
    );
    const bad = [
      platformA.post('/v1/usage/batch', { events: [{ id: 'shared-1', spaceId: 'space-a', channel: 'SMS', credits: 9, occurredAt: at }] }),
      t.admin.post('/v1/usage/batch', {
        events: Array.from({ length: 9_100 }, (_, i) => ({ id: `huge-${i}`, spaceId: 'space-x', channel: 'SMS', credits: 1_000_000_000_000, occurredAt: '2026-11-02T11:00:00Z' })),
      }),
    ];
    const answers = await Promise.all([...good, ...bad]);
    expect(answers.slice(0, 40).map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(answers.slice(40).map((a) => a.status)).toEqual([409, 422]);
  }, 60_000);

  it('answers another environment’s plan or plan id exactly as an unknown one', async () => {
    const adminA = await t.client('admin', ['env-a']);
    const strip = (body: unknown, id: string) => JSON.stringify(body).replaceAll(id, 'X').replace(/"id":"chg-[^"]+"/g, '"id":"C"');
    for (const route of ['/v1/plans/ID', '/v1/plans/ID/state']) {
      const other = await adminA.get(route.replace('ID', 'plan-b'));
      const unknown = await adminA.get(route.replace('ID', 'plan-none'));
      expect(other.status).toBe(404);
      expect(strip(other.body, 'plan-b')).toBe(strip(unknown.body, 'plan-none'));
    }
    const editOther = await adminA.post('/v1/sync/push', { changes: [planEdit('plan-b', 1, smsPlan(1))] });
    const editUnknown = await adminA.post('/v1/sync/push', { changes: [planEdit('plan-none', 1, smsPlan(1))] });
    expect(editOther.status).toBe(200);
    expect(strip(editOther.body, 'plan-b')).toBe(strip(editUnknown.body, 'plan-none'));
    // plan.create with another environment's plan id: no conflict carrying that plan's content.
    const create = await adminA.post('/v1/sync/push', { changes: [planCreate('plan-b', 'space-a', smsPlan(5, { credits: { WhatsApp: 5 } }))] });
    expect(create.status).toBe(200);
    const [result] = pushResponseSchema.parse(create.body).results;
    expect(result?.status).toBe('rejected');
    expect(JSON.stringify(create.body)).not.toMatch(/env-b|space-b|"current"/);
  });

  it('range-checks cursors and instants (1970–2200) with 400', async () => {
    for (const cursor of ['99999999999999999999.1', '1.99999999999999999999', '18446744073709551616.0']) {
      const answer = await t.admin.get(`/v1/sync/pull?cursor=${cursor}`);
      expect(answer.status, cursor).toBe(400);
      expect(errorOf(answer.body).issues?.[0]?.path).toBe('cursor');
    }
    expect((await t.admin.get('/v1/sync/pull?cursor=18446744073709551615.0')).status).toBe(200);
    for (const occurredAt of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '2200-01-01T00:00:00Z', '2026-02-30T00:00:00Z']) {
      const answer = await t.admin.post('/v1/usage', { id: `range-${occurredAt}`, spaceId: 'space-a', channel: 'SMS', occurredAt });
      expect(answer.status, occurredAt).toBe(400);
      expect(errorOf(answer.body).issues?.[0]?.path).toBe('occurredAt');
    }
    expect((await t.admin.get('/v1/plans/plan-a/state?at=1969-01-01T00:00:00Z')).status).toBe(400);
    const change = { ...planEdit('plan-a', 1, smsPlan(100)), at: '2300-01-01T00:00:00Z' };
    const answer = await t.admin.post('/v1/sync/push', { changes: [change] });
    expect(answer.status).toBe(400);
    expect(errorOf(answer.body).issues?.[0]?.path).toBe('changes[0].at');
  });

  it('revokes tokens (DELETE /v1/tokens/:id) at once, and lets tokens expire', async () => {
    const made = await t.admin.post<{ id: string; token: string }>('/v1/tokens', { name: 'short', role: 'support', environments: ['env-a'] });
    expect(made.status).toBe(201);
    const support = new CentralClient(t.central.url, made.body.token);
    expect((await support.get('/v1/session')).status).toBe(200);
    // A token limited to env-b cannot revoke it (answered as unknown); an admin of env-a can.
    const adminB = await t.client('admin', ['env-b']);
    expect((await adminB.request('DELETE', `/v1/tokens/${made.body.id}`)).status).toBe(404);
    const adminA = await t.client('admin', ['env-a']);
    expect((await adminA.request('DELETE', `/v1/tokens/${made.body.id}`)).status).toBe(200);
    expect((await support.get('/v1/session')).status).toBe(401);
    expect((await t.admin.request('DELETE', '/v1/tokens/no-such-token')).status).toBe(404);

    const expiring = await t.admin.post<{ token: string; expiresAt: string }>('/v1/tokens', {
      name: 'expiring',
      role: 'support',
      environments: null,
      expiresAt: new Date(Date.now() + 1_500).toISOString(),
    });
    expect(expiring.status).toBe(201);
    const soon = new CentralClient(t.central.url, expiring.body.token);
    expect((await soon.get('/v1/session')).status).toBe(200);
    await sleep(1_700);
    expect((await soon.get('/v1/session')).status).toBe(401);
    const past = await t.admin.post('/v1/tokens', { name: 'past', role: 'support', environments: null, expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
  });

  it.runIf(backend === 'postgres')('revokes a token from the command line (npm run central:token -- revoke ID)', async () => {
    const secret = await createTokenByCli(t.database.env, ['--role', 'support', '--all-envs', '--name', 'cli revoke', '--expires', '30d']);
    const client = new CentralClient(t.central.url, secret);
    expect((await client.get('/v1/session')).status).toBe(200);
    const row = await t.database.db.query<{ id: string; expires_ms: string }>("SELECT id, expires_ms::text FROM tokens WHERE name = 'cli revoke'");
    expect(Number(row.rows[0]!.expires_ms)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    await runCli(t.database.env, ['token', 'revoke', row.rows[0]!.id]);
    await sleep(2_100); // another process revoked it: this instance's 2-second memory runs out
    expect((await client.get('/v1/session')).status).toBe(401);
  }, 60_000);
});

await describeOnBackends('central protection', (backend) => {
  let t: TestCentral;
  beforeAll(async () => {
    t = await startTestCentral(backend, { authFailuresPerMinute: 5, requestTimeoutMs: 500, keepAliveTimeoutMs: 500 });
  });
  afterAll(async () => t?.dispose());

  it('cuts off a client that never finishes sending its request', async () => {
    const url = new URL(t.central.url);
    for (const contentType of ['Content-Type: application/json\r\n']) {
      const closedAfter = await new Promise<number>((resolve, reject) => {
        const started = Date.now();
        const socket = net.connect(Number(url.port), url.hostname, () =>
          socket.write(`POST /v1/usage HTTP/1.1\r\nHost: x\r\n${contentType}Content-Length: 100\r\n\r\n{`),
        );
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Date.now() - started));
        setTimeout(() => reject(new Error(`the connection stayed open (${contentType || 'no content type'})`)), 10_000);
      });
      expect(closedAfter).toBeLessThan(5_000);
    }
  });

  it('answers 429 to an address after too many failed authentications, whatever it sends then', async () => {
    const guesser = new CentralClient(t.central.url, 'cpc_guess');
    for (let i = 0; i < 5; i += 1) expect((await guesser.get('/v1/session')).status).toBe(401);
    const blocked = await guesser.get('/v1/session');
    expect(blocked.status).toBe(429);
    expect(errorOf(blocked.body).kind).toBe('rate_limited');
    expect((await t.admin.get('/v1/session')).status).toBe(429);
    expect((await t.admin.get('/health')).status).toBe(200);
  });
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function runCli(env: Record<string, string>, args: string[]): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/central.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`central ${args.join(' ')} exited with ${code}: ${err}`);
}
