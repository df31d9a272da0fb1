import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  centralErrorSchema,
  pullResponseSchema,
  pushResponseSchema,
  type ChangeInput,
  type PullItem,
} from '../../shared/sync';
import {
  changeId,
  describeOnBackends,
  planCreate,
  planDelete,
  planEdit,
  smsPlan,
  spaceSetup,
  startTestCentral,
  type CentralClient,
  type TestCentral,
  waitForFeed,
} from '../testing';
import { USAGE_SLOT_COLUMNS, usageLabelSlotRecord, usageSlotRecord, type UsageLabelSlotRow, type UsageSlotRow } from '../records';

async function push(client: CentralClient, changes: ChangeInput[]) {
  const answer = await client.post('/v1/sync/push', { changes });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return pushResponseSchema.parse(answer.body).results;
}

/** Pull every page from a cursor; returns the items and the final cursor. */
async function pullAll(client: CentralClient, cursor: string, limit: number) {
  const items: PullItem[] = [];
  let pages = 0;
  for (;;) {
    const answer = await client.get(`/v1/sync/pull?cursor=${cursor}&limit=${limit}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const page = pullResponseSchema.parse(answer.body);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    pages += 1;
    cursor = page.nextCursor;
    if (!page.hasMore) return { items, cursor, pages };
  }
}

await describeOnBackends('sync push and pull', (backend) => {
  let t: TestCentral;
  beforeAll(async () => {
    t = await startTestCentral(backend);
    await push(t.admin, spaceSetup('env-1', 'space-1'));
  });
  afterAll(async () => t?.dispose());

  it('applies a change once: the same id and payload again is "already applied", nothing repeats', async () => {
    const create = planCreate('plan-idem', 'space-1', smsPlan(500));
    const [first] = await push(t.admin, [create]);
    expect(first).toMatchObject({ id: create.id, status: 'applied', plan: { id: 'plan-idem', version: 1, status: 'active' } });
    const edit = planEdit('plan-idem', 1, smsPlan(600));
    const again = await push(t.admin, [create, edit, edit]);
    expect(again.map((r) => r.status)).toEqual(['already_applied', 'applied', 'already_applied']);
    expect(again[0]).toMatchObject({ plan: { version: 1 } });
    expect(again[2]).toMatchObject({ plan: { version: 2 } });
    const plan = await t.admin.get<{ history: { version: number; changeId: string }[] }>('/v1/plans/plan-idem');
    expect(plan.body.history.map((h) => [h.version, h.changeId])).toEqual([
      [1, create.id],
      [2, edit.id],
    ]);
  });

  it('refuses the same id with another payload with 409 and applies nothing of that push', async () => {
    const create = planCreate('plan-409', 'space-1', smsPlan(10, { credits: { WhatsApp: 10 } }));
    await push(t.admin, [create]);
    const innocent = planEdit('plan-409', 1, smsPlan(20, { credits: { WhatsApp: 20 } }));
    const tampered = { ...create, config: smsPlan(99, { credits: { WhatsApp: 99 } }) };
    const answer = await t.admin.post('/v1/sync/push', { changes: [innocent, tampered] });
    expect(answer.status).toBe(409);
    const error = centralErrorSchema.parse(answer.body).error;
    expect(error.kind).toBe('change_id_reused');
    expect(error.changeIds).toEqual([create.id]);
    const plan = await t.admin.get<{ plan: { version: number; config: { credits: Record<string, number> } } }>('/v1/plans/plan-409');
    expect(plan.body.plan).toMatchObject({ version: 1, config: { credits: { WhatsApp: 10 } } });
    // The same id twice in one push with different payloads is refused too.
    const twin = changeId();
    const doubled = await t.admin.post('/v1/sync/push', {
      changes: [
        { ...planEdit('plan-409', 1, smsPlan(30, { credits: { WhatsApp: 30 } })), id: twin },
        { ...planEdit('plan-409', 1, smsPlan(40, { credits: { WhatsApp: 40 } })), id: twin },
      ],
    });
    expect(doubled.status).toBe(409);
  });

  it('answers a change based on an outdated version with a conflict carrying the current version', async () => {
    await push(t.admin, [planCreate('plan-c', 'space-1', smsPlan(100, { credits: { Email: 100 } }))]);
    const fromConsoleA = planEdit('plan-c', 1, smsPlan(150, { credits: { Email: 150 } }), 'console-a');
    const fromConsoleB = planEdit('plan-c', 1, smsPlan(175, { credits: { Email: 175 } }), 'console-b');
    const [a] = await push(t.admin, [fromConsoleA]);
    expect(a!.status).toBe('applied');
    const [b] = await push(t.admin, [fromConsoleB]);
    expect(b).toMatchObject({ status: 'conflict', current: { id: 'plan-c', version: 2, updatedBy: 'console-a', config: { credits: { Email: 150 } } } });
    // Not recorded: B resolves by rebasing onto version 2 (the same id may even be reused).
    const [rebased] = await push(t.admin, [{ ...fromConsoleB, baseVersion: 2 } as ChangeInput]);
    expect(rebased).toMatchObject({ status: 'applied', plan: { version: 3, config: { credits: { Email: 175 } } } });
    // A second plan with the same id is a conflict; a delete on an old version too.
    const [duplicate] = await push(t.admin, [planCreate('plan-c', 'space-1', smsPlan(1, { credits: { Push: 1 } }))]);
    expect(duplicate).toMatchObject({ status: 'conflict', current: { version: 3 } });
    const [staleDelete] = await push(t.admin, [planDelete('plan-c', 2)]);
    expect(staleDelete).toMatchObject({ status: 'conflict', current: { version: 3 } });
    const [deleted] = await push(t.admin, [planDelete('plan-c', 3)]);
    expect(deleted).toMatchObject({ status: 'applied', plan: { version: 4, status: 'deleted' } });
    const [editDeleted] = await push(t.admin, [planEdit('plan-c', 4, smsPlan(1, { credits: { Email: 1 } }))]);
    expect(editDeleted).toMatchObject({ status: 'rejected', message: expect.stringMatching(/deleted/) });
    const [missing] = await push(t.admin, [planEdit('plan-nowhere', 1, smsPlan(1))]);
    expect(missing).toMatchObject({ status: 'conflict', current: null });
  });

  it('answers copies of a change sent at once (a retry while the first is still applying) "applied" once and "already applied" otherwise', async () => {
    await push(t.admin, [planCreate('plan-twice', 'space-1', smsPlan(1, { credits: { Push: 1 } }))]);
    for (let version = 1; version <= 10; version += 1) {
      const edit = planEdit('plan-twice', version, smsPlan(1, { credits: { Push: version + 1 } }));
      const answers = await Promise.all(Array.from({ length: 4 }, () => push(t.admin, [edit])));
      expect(answers.map(([r]) => r!.status).sort(), `version ${version}`).toEqual(['already_applied', 'already_applied', 'already_applied', 'applied']);
    }
    const plan = await t.admin.get<{ history: { version: number }[] }>('/v1/plans/plan-twice');
    expect(plan.body.history.map((h) => h.version)).toEqual([...Array(11).keys()].map((i) => i + 1));
  });

  it('rejects plans that break the coexistence rules, naming the plan and channel', async () => {
    await push(t.admin, spaceSetup('env-1', 'space-co', undefined, ['SMS', 'WhatsApp']));
    const [sms] = await push(t.admin, [planCreate('co-sms', 'space-co', smsPlan(10))]);
    expect(sms!.status).toBe('applied');
    const [overlap] = await push(t.admin, [planCreate('co-sms-2', 'space-co', smsPlan(5))]);
    expect(overlap).toMatchObject({ status: 'rejected', issues: [{ path: 'config.credits.SMS', message: expect.stringMatching(/SMS.*co-sms/) }] });
    const [pool] = await push(t.admin, [planCreate('co-all', 'space-co', { ...smsPlan(1), limit: 'all_channels', credits: 50 } as never)]);
    expect(pool).toMatchObject({ status: 'rejected', message: expect.stringMatching(/co-sms/) });
    const [notInSpace] = await push(t.admin, [planCreate('co-rcs', 'space-co', smsPlan(5, { credits: { RCS: 5 } }))]);
    expect(notInSpace).toMatchObject({ status: 'rejected', message: expect.stringMatching(/no RCS channel/) });
    const [unknownSpace] = await push(t.admin, [planCreate('co-x', 'space-nowhere', smsPlan(5))]);
    expect(unknownSpace).toMatchObject({ status: 'rejected', message: expect.stringMatching(/unknown space/) });
    expect((await t.admin.get('/v1/plans/co-sms-2')).status).toBe(404);
  });

  it('pulls everything in pages with a cursor, each record once, in order, and nothing twice', async () => {
    // Each pull below starts after the feed has caught up with every write before it (waitForFeed):
    // a transaction running elsewhere on the server would otherwise hold back the last rows, and
    // the pulls would differ by what reached the feed in between.
    await waitForFeed(t.database.db);
    const start = await pullAll(t.admin, '0.0', 5000);
    await push(t.admin, spaceSetup('env-2', 'space-page'));
    const changes: ChangeInput[] = [];
    for (let i = 0; i < 40; i += 1) changes.push(planCreate(`page-${i}`, 'space-page', smsPlan(10 + i, { credits: { [i % 2 ? 'SMS' : 'WhatsApp']: 10 + i } }), 'pager'));
    // Coexistence allows one plan per channel: keep two live at a time, delete the others.
    const results = [];
    for (let i = 0; i < changes.length; i += 1) {
      results.push(...(await push(t.admin, [changes[i]!])));
      if (i >= 1) results.push(...(await push(t.admin, [planDelete(`page-${i - 1}`, 1, 'pager')])));
    }
    expect(results.every((r) => r.status === 'applied')).toBe(true);

    await waitForFeed(t.database.db);
    const paged = await pullAll(t.admin, start.cursor, 7);
    expect(paged.pages).toBeGreaterThan(10);
    const whole = await pullAll(t.admin, start.cursor, 5000);
    expect(whole.pages).toBe(1);
    // Bucket states are computed at the time of the pull: compare them without that instant.
    const timeless = (items: PullItem[]) => items.map((i) => (i.kind === 'planState' ? { ...i, planState: { ...i.planState, at: '' } } : i));
    expect(timeless(paged.items)).toEqual(timeless(whole.items));
    expect(paged.cursor).toBe(whole.cursor);
    const history = paged.items.flatMap((i) => (i.kind === 'history' && i.history.spaceId === 'space-page' ? [i.history] : []));
    expect(history).toHaveLength(40 + 39);
    expect(new Set(history.map((h) => `${h.planId}@${h.version}`)).size).toBe(79);
    const plans = paged.items.flatMap((i) => (i.kind === 'plan' ? [i.plan] : []));
    expect(plans.filter((p) => p.spaceId === 'space-page' && p.status !== 'deleted').map((p) => p.id)).toEqual(['page-39']);
    const notifications = paged.items.flatMap((i) => (i.kind === 'notification' && i.notification.spaceId === 'space-page' ? [i.notification] : []));
    expect(notifications).toHaveLength(79);
    expect(notifications.every((n) => n.status === 'queued')).toBe(true);
    // Nothing new since the last cursor.
    const after = await pullAll(t.admin, paged.cursor, 10);
    expect(after.items).toEqual([]);
    expect(after.cursor).toBe(paged.cursor);
  });

  it('misses nothing when pulls page through while other requests keep writing', async () => {
    await push(t.admin, spaceSetup('env-3', 'space-live', undefined, ['SMS', 'WhatsApp', 'Email', 'Push', 'RCS']));
    let { cursor } = await pullAll(t.admin, '0.0', 5000);
    const seen = new Map<string, number>();
    const writer = (async () => {
      for (let i = 0; i < 30; i += 1) {
        await push(t.admin, [planCreate(`live-${i}`, 'space-live', smsPlan(1, { credits: { [['SMS', 'WhatsApp', 'Email', 'Push', 'RCS'][i % 5]!]: 1 } }))]).then(async ([r]) => {
          expect(r!.status === 'applied' || r!.status === 'rejected').toBe(true);
          if (r!.status === 'applied') await push(t.admin, [planDelete(`live-${i}`, 1)]);
        });
      }
    })();
    let writing = true;
    void writer.finally(() => (writing = false));
    while (writing) {
      const page = await pullAll(t.admin, cursor, 3);
      for (const item of page.items) if (item.kind === 'history') seen.set(`${item.history.planId}@${item.history.version}`, (seen.get(`${item.history.planId}@${item.history.version}`) ?? 0) + 1);
      cursor = page.cursor;
    }
    await writer;
    // The pulls above may have passed while a transaction elsewhere held back the last writes;
    // once the feed has caught up, the rest of it comes from the same cursor.
    await waitForFeed(t.database.db);
    const rest = await pullAll(t.admin, cursor, 3);
    for (const item of rest.items) if (item.kind === 'history') seen.set(`${item.history.planId}@${item.history.version}`, (seen.get(`${item.history.planId}@${item.history.version}`) ?? 0) + 1);
    const all = await t.admin.get<{ history: unknown[] }>('/v1/plans/live-0');
    expect(all.status).toBe(200);
    const expected = [...Array(30).keys()].flatMap((i) => [`live-${i}@1`, `live-${i}@2`]);
    const live = [...seen.entries()].filter(([key]) => key.startsWith('live-'));
    expect(live.map(([key]) => key).sort()).toEqual(expected.filter((k) => seen.has(k)).sort());
    expect(live.every(([, count]) => count === 1)).toBe(true);
    expect(live).toHaveLength(60);
  });

  it('writes usage slot items in PostgreSQL exactly as usageSlotRecord makes them from the same rows', async () => {
    const { db } = t.database;
    await waitForFeed(db);
    let { cursor } = await pullAll(t.admin, '0.0', 5000);
    // Awkward texts (quotes, backslash, control character, non-ASCII), no plan, big counts, and
    // instants from 1970 to 9999.
    const slots: [string, string, string, number, number][] = [
      ['sp "q\\', '', 'SMS', 0, 0],
      ['sp-ñ\u0001', 'CP-1', 'WhatsApp', 1_767_225_600_000, 9_007_199_254_740_991],
      ['space-1', 'plan-x', 'Email', 253_402_299_900_000, 42],
      ['space-1', 'plan-x', 'RCS', 946_684_800_000 + 15 * 60_000, 1],
    ];
    for (const [space, plan, channel, slotMs, credits] of slots) {
      await db.query(
        `INSERT INTO usage_slots (space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events, rejected_events, rejected_credits)
         VALUES ($1, $2, $3, $4, 'env-"1"', $5, 2, 3, 4, 5)`,
        [space, plan, channel, slotMs, credits],
      );
    }
    await waitForFeed(db);
    const pulled = await pullAll(t.admin, cursor, 3);
    cursor = pulled.cursor;
    const rows = await db.query(`SELECT ${USAGE_SLOT_COLUMNS} FROM usage_slots WHERE environment_id = 'env-"1"' ORDER BY tx, seq`);
    expect(pulled.items.filter((i) => i.kind === 'usageSlot')).toEqual(
      rows.rows.map((row) => ({ kind: 'usageSlot', usageSlot: usageSlotRecord(row as UsageSlotRow) })),
    );
    expect(pulled.items.map((i) => i.kind === 'usageSlot' && i.usageSlot.slotStart)).toEqual([
      '1970-01-01T00:00:00Z',
      '2026-01-01T00:00:00Z',
      '9999-12-31T23:45:00Z',
      '2000-01-01T00:15:00Z',
    ]);
  });

  it('hands out usage per identity and campaign only when asked (labels=1), written by PostgreSQL as usageLabelSlotRecord makes them', async () => {
    const { db } = t.database;
    await waitForFeed(db);
    const { cursor } = await pullAll(t.admin, '0.0', 5000);
    for (const [dim, label, slotMs] of [
      ['identity', 'who "q\\ ñ\u0001', 0],
      ['campaign', 'spring', 253_402_299_900_000],
    ] as const) {
      await db.query(
        `INSERT INTO usage_label_slots (space_id, dim, label, slot_ms, environment_id, mt_credits, mt_events, mo_events, rejected_events, rejected_credits)
         VALUES ('space-1', $1, $2, $3, 'env-1', 9007199254740991, 2, 3, 4, 5)`,
        [dim, label, slotMs],
      );
    }
    await waitForFeed(db);
    expect((await pullAll(t.admin, cursor, 100)).items.some((i) => i.kind === 'usageLabelSlot')).toBe(false);
    const items: PullItem[] = [];
    let next = cursor;
    for (;;) {
      const page = pullResponseSchema.parse((await t.admin.get(`/v1/sync/pull?cursor=${next}&limit=1&labels=1`)).body);
      items.push(...page.items);
      next = page.nextCursor;
      if (!page.hasMore) break;
    }
    const rows = await db.query(`SELECT * FROM usage_label_slots WHERE space_id = 'space-1' ORDER BY tx, seq`);
    expect(items.filter((i) => i.kind === 'usageLabelSlot')).toEqual(
      rows.rows.map((row) => ({ kind: 'usageLabelSlot', usageLabelSlot: usageLabelSlotRecord(row as UsageLabelSlotRow) })),
    );
    expect(items.flatMap((i) => (i.kind === 'usageLabelSlot' ? [i.usageLabelSlot.slotStart] : []))).toEqual(['1970-01-01T00:00:00Z', '9999-12-31T23:45:00Z']);
    expect((await t.admin.get('/v1/sync/pull?labels=yes')).status).toBe(400);
  });

  it('counts what is left after a page when asked (count=1), for a pull\'s progress', async () => {
    await waitForFeed(t.database.db);
    const all = await pullAll(t.admin, '0.0', 5000);
    const first = await t.admin.get(`/v1/sync/pull?cursor=0.0&limit=7&count=1`);
    const page = pullResponseSchema.parse(first.body);
    expect(page.items).toHaveLength(7);
    expect(page.remaining).toBe(all.items.length - 7);
    const last = pullResponseSchema.parse((await t.admin.get(`/v1/sync/pull?cursor=${all.cursor}&count=1`)).body);
    expect(last).toMatchObject({ items: [], hasMore: false, remaining: 0 });
    // Not asked: not counted.
    expect(pullResponseSchema.parse((await t.admin.get('/v1/sync/pull?cursor=0.0&limit=7')).body).remaining).toBeUndefined();
    expect((await t.admin.get('/v1/sync/pull?count=yes')).status).toBe(400);
  });

  it.runIf(backend === 'postgres')('never hands out a row while an older transaction that may still write before it is open', async () => {
    const { db } = t.database;
    let { cursor } = await pullAll(t.admin, '0.0', 5000);
    // Only this test's rows count: older ones of this file may reach the feed meanwhile.
    const ours = (items: PullItem[]) => items.flatMap((i) => (i.kind === 'environment' && ['x0', 'xa', 'xb'].includes(i.environment.id) ? [i.environment.id] : []));
    await db.query("INSERT INTO environments (id, environment_id, name, updated_ms) VALUES ('x0', 'x0', 'Before', 0)");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: (xid: string) => void;
    const wroteA = new Promise<string>((resolve) => (written = resolve));
    // Transaction A takes its transaction id and feed number first, and commits last.
    const a = db.transaction(async (tx) => {
      await tx.query("INSERT INTO environments (id, environment_id, name, updated_ms) VALUES ('xa', 'xa', 'A', 0)");
      written((await tx.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]!.xid);
      await held;
    });
    const xidA = await wroteA;
    await db.query("INSERT INTO environments (id, environment_id, name, updated_ms) VALUES ('xb', 'xb', 'B', 0)");
    // Once A is the only older transaction still running anywhere on the server, the feed hands
    // out the row committed before A and holds back the one committed after it.
    await waitForFeed(db, { except: [xidA] });
    const during = await pullAll(t.admin, cursor, 100);
    expect(ours(during.items)).toEqual(['x0']);
    cursor = during.cursor;
    release();
    await a;
    await waitForFeed(db);
    const afterwards = await pullAll(t.admin, cursor, 100);
    expect(ours(afterwards.items)).toEqual(['xa', 'xb']);
  });
});
