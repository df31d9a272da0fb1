import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PlanConfig } from '../../shared/domain';
import { notificationRecordSchema } from '../../shared/sync';
import { describeOnBackends, waitForFeed, type TestCentral } from '../../central/testing';
import { createSpaceOn, ledgerSnapshot, makeConsole, startCentralAndTwoConsoles, stopCentralAndTwoConsoles, type TestConsole } from './testing';
import { backoffDelay } from './backoff';

/**
 * Two consoles (real SQLite files) and one central service (real, on loopback, on the embedded
 * PostgreSQL and, when one answers, on a PostgreSQL server): offline edits on both,
 * reconnection, convergence; a conflict resolved each way; a pull's progress.
 */

const sms = (credits: number, extra: Partial<PlanConfig> = {}): PlanConfig =>
  ({
    limit: 'channel_specific',
    credits: { SMS: credits },
    renew: 'monthly',
    rollover: false,
    overage: false,
    activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
    ...extra,
  }) as PlanConfig;

await describeOnBackends('sync between two consoles and the central service', (backend) => {
  let central: TestCentral;
  let a: TestConsole;
  let b: TestConsole;
  const SPACE = 'SP-SYNC-1';

  beforeAll(async () => {
    ({ central, a, b } = await startCentralAndTwoConsoles(backend));
    createSpaceOn(a, { environmentId: 'ENV-SYNC', spaceId: SPACE }, { name: 'Ana Ruiz', email: 'ana@example.com' }, [
      { channel: 'SMS', bidirectional: true },
      { channel: 'WhatsApp', bidirectional: false },
      { channel: 'Email', bidirectional: false },
    ]);
    a.connect(central.central.url, central.admin.token!);
    b.connect(central.central.url, central.admin.token!);
    await a.settle();
    await b.settle();
  }, 60_000);

  afterAll(() => stopCentralAndTwoConsoles({ central, a, b }));

  it('waits offline with the changes counted, then both converge to the same plans and history', async () => {
    expect(b.services.org.getSpace(SPACE)).toMatchObject({ name: 'Retail', accountManager: { email: 'ana@example.com' } });
    const p1 = a.services.plans.create(SPACE, sms(500), 'alice');
    await a.settle();
    await b.settle();
    expect(b.services.plans.get(p1.id)).toMatchObject({ version: 1, config: { credits: { SMS: 500 } } });

    // Offline: both consoles point at a port where nothing listens.
    a.connect('http://127.0.0.1:9', central.admin.token!);
    b.connect('http://127.0.0.1:9', central.admin.token!);
    a.services.plans.edit(p1.id, 1, { credits: { SMS: 600 } }, 'alice');
    a.services.plans.edit(p1.id, 2, { overage: true }, 'alice');
    const p2 = b.services.plans.create(SPACE, sms(200, { credits: { WhatsApp: 200 } } as Partial<PlanConfig>), 'bob');
    const p3 = b.services.plans.create(SPACE, sms(50, { credits: { Email: 50 } } as Partial<PlanConfig>), 'bob');
    b.services.plans.delete(p3.id, 1, 'bob');
    const offline = await a.client.syncNow();
    expect(offline).toMatchObject({ state: 'offline', pendingChanges: 2 });
    expect(offline.lastError).toMatch(/did not answer/);
    expect((await b.client.syncNow()).pendingChanges).toBe(3);
    expect(b.services.plans.get(p3.id).status).toBe('deleted'); // the console keeps working

    a.connect(central.central.url, central.admin.token!);
    b.connect(central.central.url, central.admin.token!);
    await a.settle();
    await b.settle();
    await a.settle();
    expect(a.services.sync.status()).toMatchObject({ state: 'connected', pendingChanges: 0, conflicts: 0 });
    const left = ledgerSnapshot(a.services);
    expect(left.plans).toHaveLength(3);
    expect(left.history.map((h) => `${(h as { plan_id: string }).plan_id}@${(h as { version: number }).version}`)).toHaveLength(6);
    expect(ledgerSnapshot(b.services)).toEqual(left);
    expect(a.services.plans.get(p2.id)).toMatchObject({ config: { credits: { WhatsApp: 200 } }, createdBy: 'bob', pendingSync: false });
    expect(b.services.plans.get(p1.id)).toMatchObject({ version: 3, config: { credits: { SMS: 600 }, overage: true } });
    // The central e-mails' states came down with the pull, for changes made on either console.
    const mails = b.services.notifications.list({ planId: p1.id });
    expect(mails.map((m) => m.kind).sort()).toEqual(['activated', 'updated', 'updated']);
  }, 30_000);

  it('sets a conflicting change aside, shows both versions, and resolves it both ways without losing anything', async () => {
    a.services.org.createSpace(
      { id: 'SP-SYNC-2', environmentId: 'ENV-SYNC', name: 'Wholesale', accountManager: { name: 'Ben', email: 'ben@example.com' }, channels: [{ channel: 'SMS', bidirectional: false }] },
      'alice',
    );
    const plan = a.services.plans.create('SP-SYNC-2', sms(100), 'alice');
    await a.settle();
    await b.settle();
    const v = a.services.plans.get(plan.id).version;

    // Round 1: both edit the same version; A reaches the central service first.
    a.services.plans.edit(plan.id, v, { overage: true }, 'alice');
    b.services.plans.edit(plan.id, v, { rollover: true }, 'bob');
    await a.settle();
    await b.settle();
    const [conflict] = b.services.sync.conflicts();
    expect(conflict).toMatchObject({ planId: plan.id, reason: 'outdated', changes: 1, central: { version: v + 1, actor: 'alice' }, mine: { actor: 'bob' } });
    const differing = conflict!.fields.filter((f) => f.differs).map((f) => [f.field, f.central, f.mine]);
    expect(differing).toEqual([
      ['rollover', false, true],
      ['overage', true, false],
    ]);
    expect(b.services.sync.status().conflicts).toBe(1);
    // B's ledger follows the central version meanwhile; B's entry is on record as conflicted.
    expect(b.services.plans.get(plan.id)).toMatchObject({ version: v + 1, config: { overage: true, rollover: false } });

    const kept = b.services.sync.resolveConflict(conflict!.id, 'central', 'bob');
    expect(kept).toMatchObject({ resolution: 'central', resolvedBy: 'bob' });
    const dropped = b.services.ledger
      .stmt("SELECT actor, version, sync FROM history_log WHERE plan_id = ? AND sync NOT IN ('local', 'confirmed')")
      .all(plan.id);
    expect(dropped).toEqual([{ actor: 'bob', version: v + 1, sync: 'dropped' }]);
    // The history log says so to whoever reads it, on screen and in its export.
    const listed = b.services.history.list({ planId: plan.id }, null, 50).entries.filter((e) => e.actor === 'bob' && e.version === v + 1);
    expect(listed.map((e) => e.sync)).toEqual(['dropped']);
    expect(b.services.history.exportCsv({ planId: plan.id }, Date.now()).csv).toContain(',Dropped: central version kept\r\n');
    await b.settle();
    expect(ledgerSnapshot(b.services)).toEqual(ledgerSnapshot(a.services));

    // Round 2: again both edit; this time B applies its version on top of the central one.
    a.services.plans.edit(plan.id, v + 1, { credits: { SMS: 150 } }, 'alice');
    b.services.plans.edit(plan.id, v + 1, { credits: { SMS: 900 } }, 'bob');
    await a.settle();
    await b.settle();
    const [second] = b.services.sync.conflicts();
    expect(second!.fields.find((f) => f.field === 'credits.SMS')).toMatchObject({ central: 150, mine: 900, differs: true });
    const mine = b.services.sync.resolveConflict(second!.id, 'mine', 'bob');
    expect(mine.resolution).toBe('mine');
    expect(b.services.sync.status()).toMatchObject({ conflicts: 0, pendingChanges: 1 });
    await b.settle();
    await a.settle();
    expect(a.services.plans.get(plan.id)).toMatchObject({ version: v + 3, updatedBy: 'bob', config: { credits: { SMS: 900 }, overage: true } });
    const history = ledgerSnapshot(a.services).history.filter((h) => (h as { plan_id: string }).plan_id === plan.id);
    expect(history.map((h) => (h as { actor: string }).actor)).toEqual(['alice', 'alice', 'alice', 'bob']);
    expect(ledgerSnapshot(b.services)).toEqual(ledgerSnapshot(a.services));
    expect(b.services.sync.conflicts(true).map((c) => c.resolution).sort()).toEqual(['central', 'mine']);
  }, 30_000);

  it('the console stores, for each change, the very e-mail the central service composes and sends', async () => {
    a.services.org.createSpace(
      {
        id: 'SP-SYNC-MAIL',
        environmentId: 'ENV-SYNC',
        name: 'Mail & <Co>',
        accountManager: { name: 'Mia', email: 'mia@example.com' },
        channels: [
          { channel: 'SMS', bidirectional: true },
          { channel: 'Email', bidirectional: false },
        ],
      },
      'alice',
    );
    const plan = a.services.plans.create('SP-SYNC-MAIL', sms(100, { credits: { SMS: 100, Email: 40 } } as Partial<PlanConfig>), 'alice');
    a.services.plans.edit(plan.id, 1, { credits: { SMS: 150 }, overage: true }, 'alice');
    a.services.plans.delete(plan.id, 2, 'alice');
    // What the console composed itself, before the pull brings the central service's copies.
    const mine = a.services.notifications.list({ planId: plan.id });
    expect(mine).toHaveLength(3);
    await a.settle();
    const answer = await central.admin.get(`/v1/notifications?planId=${plan.id}`);
    expect(answer.status).toBe(200);
    const sent = z.object({ notifications: z.array(notificationRecordSchema) }).parse(answer.body).notifications;
    const content = (m: { kind: string; subject: string; text: string; html: string }) => ({ kind: m.kind, subject: m.subject, text: m.text, html: m.html });
    const byKind = (list: { kind: string }[]) => [...list].sort((x, y) => x.kind.localeCompare(y.kind));
    expect(byKind(mine.map(content))).toEqual(byKind(sent.map(content)));
    expect(byKind(a.services.notifications.list({ planId: plan.id }).map(content))).toEqual(byKind(mine.map(content)));
    expect(mine.map((m) => m.subject).sort()).toEqual(
      ['Activated', 'Deleted', 'Updated'].map((k) => `Credit Plan ${k}: Mail & <Co> (${plan.id})`),
    );
    expect(mine.find((m) => m.kind === 'updated')!.html).toContain('Mail &#38; &#60;Co&#62;');

    // Where the central service knows more (a channel another console added, not yet pulled
    // here), its e-mail lists it, and once pulled the console shows that e-mail, not its own draft.
    await b.settle();
    b.services.org.addChannel('SP-SYNC-MAIL', 'WhatsApp', false, 'bob');
    await b.settle();
    const pool = a.services.plans.create('SP-SYNC-MAIL', { ...sms(0), limit: 'all_channels', credits: 900 } as PlanConfig, 'alice');
    expect(a.services.notifications.list({ planId: pool.id })[0]!.text).not.toContain('WhatsApp');
    await a.settle();
    const [shown] = a.services.notifications.list({ planId: pool.id });
    expect(shown!.text).toContain('    WhatsApp: MT\n');
    const [central1] = z.object({ notifications: z.array(notificationRecordSchema) }).parse((await central.admin.get(`/v1/notifications?planId=${pool.id}`)).body).notifications;
    expect(content(shown!)).toEqual(content(central1!));
  }, 30_000);

  it('carries a plan’s SPEC §9 parts both ways: created on one console, edited on the other, same config and history', async () => {
    const space = 'SP-SYNC-POLICIES';
    a.services.org.createSpace(
      { id: space, environmentId: 'ENV-SYNC', name: 'Policies', accountManager: { name: 'Ana Ruiz', email: 'ana@example.com' }, channels: [{ channel: 'SMS', bidirectional: false }] },
      'alice',
    );
    const config: PlanConfig = {
      limit: 'all_channels',
      credits: 144_000,
      renew: 'monthly',
      rollover: false,
      overage: true,
      overageMetered: true,
      activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
      costs: { WhatsApp: 2 },
      dailyLimit: 2000,
      price: { amount: '150.00', currency: 'USD' },
      minimumCharge: { amount: '12.50', currency: 'USD' },
      overageRate: { amount: '0.000085', currency: 'USD' },
    };
    const plan = a.services.plans.create(space, config, 'alice');
    await a.settle();
    await b.settle();
    expect(b.services.plans.get(plan.id).config).toEqual(config);
    b.services.plans.edit(plan.id, 1, { dailyLimit: 3000, overage: true }, 'bob');
    await b.settle();
    await a.settle();
    const back = a.services.plans.get(plan.id);
    expect(back).toMatchObject({ version: 2, config: { dailyLimit: 3000, overage: true, price: config.price } });
    expect(back.config.overageMetered).toBeUndefined();
    const entry = a.services.history.list({ planId: plan.id }, null, 50).entries.find((e) => e.version === 2);
    expect(entry?.changes).toEqual([
      { field: 'overage', old: 'metered', new: true },
      { field: 'dailyLimit', old: 2000, new: 3000 },
    ]);
  });

  it('reports a pull of several pages as done of the total the central service counted', async () => {
    const reports: { done: number; total: number | null }[] = [];
    const c = makeConsole('C', { pageLimit: 3, onStatus: (status) => void (status.pull && reports.push(status.pull)) });
    try {
      c.connect(central.central.url, central.admin.token!);
      // One sync pulls the whole feed: once no transaction elsewhere on the server holds part of it back.
      await waitForFeed(central.database.db);
      expect(await c.client.syncNow()).toMatchObject({ state: 'connected', pull: null });
      expect(reports.length).toBeGreaterThan(3);
      expect(reports.map((r) => r.done)).toEqual(reports.map((_, i) => 3 * (i + 1)));
      for (const [i, r] of reports.entries()) {
        expect(r.total).not.toBeNull();
        expect(r.done).toBeLessThanOrEqual(r.total!);
        if (i > 0) expect(r.total!).toBeGreaterThanOrEqual(reports[i - 1]!.total!);
      }
      // The last report comes before the last page (at most 3 more records).
      expect(reports.at(-1)!.total! - reports.at(-1)!.done).toBeLessThanOrEqual(3);
      expect(ledgerSnapshot(c.services)).toEqual(ledgerSnapshot(a.services));
    } finally {
      await c.cleanup();
    }
  }, 30_000);

  it('pulls without a total from a central service that does not know count=1 (an older one)', async () => {
    // In front of the real service: refuses `count` as an older service's strict query schema did.
    const older = http.createServer((request, response) => {
      void (async () => {
        if (request.url?.includes('count=')) {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { kind: 'validation', message: 'invalid query: count: unknown parameter' } }));
          return;
        }
        const upstream = await fetch(`${central.central.url}${request.url ?? '/'}`, { headers: { authorization: request.headers.authorization ?? '' } });
        response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        response.end(await upstream.text());
      })();
    });
    await new Promise<void>((resolve) => older.listen(0, '127.0.0.1', resolve));
    const reports: { done: number; total: number | null }[] = [];
    const d = makeConsole('D', { pageLimit: 4, onStatus: (status) => void (status.pull && reports.push(status.pull)) });
    try {
      const address = older.address() as AddressInfo;
      d.connect(`http://127.0.0.1:${address.port}`, central.admin.token!);
      await waitForFeed(central.database.db);
      expect(await d.client.syncNow()).toMatchObject({ state: 'connected', lastError: null });
      expect(reports.length).toBeGreaterThan(1);
      expect(reports.every((r) => r.total === null)).toBe(true);
      expect(ledgerSnapshot(d.services)).toEqual(ledgerSnapshot(a.services));
    } finally {
      await d.cleanup();
      await new Promise((resolve) => older.close(resolve));
    }
  }, 30_000);
});

describe('sync backoff', () => {
  it('backs off exponentially with jitter, up to a ceiling', () => {
    const options = { baseMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, options, () => 0))).toEqual([50, 100, 200]);
  });
});
