import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, PlanConfig } from '../../shared/domain';
import { composeEmail } from '../../shared/mail';
import { ApiFailure } from '../../shared/api';
import { makeWorld, type World } from './testing';

let w: World;
afterEach(() => w?.cleanup());

const smsPlan: PlanConfig = {
  limit: 'channel_specific',
  credits: { SMS: 500 },
  renew: 'monthly',
  rollover: true,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
};
const pool: PlanConfig = {
  limit: 'all_channels',
  credits: 10_000,
  renew: null,
  rollover: false,
  overage: true,
  activation: { date: '2026-04-01', timeZone: 'America/Mexico_City' },
};

function counts(world: World): Record<string, number> {
  const db = world.t.ledger.db;
  const n = (table: string, where = ''): number => (db.prepare(`SELECT count(*) AS n FROM ${table} ${where}`).get() as { n: number }).n;
  return {
    plans: n('plans'),
    versions: n('plan_versions'),
    history: n('history_log'),
    outbox: n('outbox', 'WHERE plan_ref IS NOT NULL'),
    notifications: n('notifications'),
  };
}

function expectError(fn: () => unknown, kind: string, message: RegExp): ApiFailure {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiFailure);
    expect((error as ApiFailure).kind).toBe(kind);
    expect((error as ApiFailure).message).toMatch(message);
    return error as ApiFailure;
  }
  throw new Error('expected a refusal');
}

describe('draft projection', () => {
  it('starts at a later activation, steps local days across daylight-saving changes, and covers the six listed periods', () => {
    w = makeWorld('2026-03-10T12:00:00Z');
    const draft: PlanConfig = { ...pool, renew: 'monthly', credits: 3000, activation: { date: '2026-10-15', timeZone: 'America/New_York' } };
    const preview = w.services.plans.preview(w.spaceId, draft);
    expect(preview.boundaries.map((b) => b.localDate)).toEqual(['2026-10-15', '2026-11-15', '2026-12-15', '2027-01-15', '2027-02-15', '2027-03-15']);
    const [all] = preview.projection;
    expect(all).toMatchObject({ bucket: 'ALL', dailyRate: 0, runsOutOn: null, periods: 6, runOutPeriods: 0 });
    const days = all!.points.map((p) => new Date(p.at).toLocaleDateString('en-CA', { timeZone: 'America/New_York' }));
    // 15 Oct 2026 to 14 Apr 2027 local, one point a day: 1 Nov (UTC-4 → UTC-5) and 14 Mar (back) neither skip nor repeat a date.
    expect(days[0]).toBe('2026-10-15');
    expect(days.at(-1)).toBe('2027-04-14');
    expect(new Set(days).size).toBe(days.length);
    expect(days.length).toBe(182);
    expect(all!.points.every((p) => p.remaining === 3000)).toBe(true);
    // Without renewal the one period never ends: a year ahead.
    const once = w.services.plans.preview(w.spaceId, { ...draft, renew: null, rollover: false });
    expect(once.projection[0]).toMatchObject({ periods: 1, runsOutOn: null });
    expect(once.projection[0]!.points.length).toBeLessThanOrEqual(200 + 2);
  });
});

describe('plan changes', () => {
  it('a creation writes the plan, version 1, one history row, one outbox row and a queued e-mail', () => {
    w = makeWorld();
    const plan = w.services.plans.create(w.spaceId, smsPlan, 'ana@admin');
    expect(plan).toMatchObject({ spaceId: w.spaceId, version: 1, status: 'active', createdBy: 'ana@admin', pendingSync: true });
    expect(plan.id).toMatch(/^CP-[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(counts(w)).toEqual({ plans: 1, versions: 1, history: 1, outbox: 1, notifications: 1 });
    const history = w.services.history.list({}, null, 10).entries;
    expect(history[0]).toMatchObject({ planId: plan.id, version: 1, action: 'created', actor: 'ana@admin', at: '2026-03-10T12:00:00.000Z', config: smsPlan });
    expect(history[0]!.changes).toEqual([]);
    const outbox = w.services.sync.toSend();
    expect(outbox.map((o) => o.kind)).toEqual(['environment.upsert', 'space.upsert', 'channel.upsert', 'channel.upsert', 'channel.upsert', 'plan.create']);
    const change = outbox[5]!;
    expect(change).toMatchObject({ planId: plan.id, version: 1, baseVersion: 0, status: 'pending' });
    expect(change.changeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(change.payload).toEqual({
      id: change.changeId,
      kind: 'plan.create',
      at: '2026-03-10T12:00:00.000Z',
      actor: 'ana@admin',
      planId: plan.id,
      spaceId: w.spaceId,
      baseVersion: 0,
      config: smsPlan,
    });
    const [mail] = w.services.notifications.list({ planId: plan.id });
    expect(mail).toMatchObject({ kind: 'activated', to: 'ana@example.com', status: 'queued', demo: false });
    // The central service's format (src/shared/mail): the console shows the e-mail that is sent.
    expect(mail!.subject).toBe(`Credit Plan Activated: Retail (${plan.id})`);
    expect(mail!.text).toContain('A credit plan was created for Retail by ana@admin at 2026-03-10T12:00:00Z.');
    expect(mail!.text).toContain('  Environment: Production');
    expect(mail!.text).toContain('  Version: 1');
    expect(mail!.text).toContain('    SMS: 500 credits · MO - MT (bidirectional; only MT consumes)');
    expect(mail!.text).toContain('    Total: 500 credits');
    expect(mail!.text).toContain('  Credit Plan Activation: 2026-01-01 at 00:00, Europe/Madrid (2025-12-31T23:00:00Z)');
  });

  it('an edit records who, when and what changed, old → new, and the e-mail shows it', () => {
    w = makeWorld();
    const plan = w.services.plans.create(w.spaceId, smsPlan, 'ana');
    w.clock.advance(60_000);
    const edited = w.services.plans.edit(plan.id, 1, { credits: { SMS: 600, WhatsApp: 200 }, overage: true }, 'bob');
    expect(edited).toMatchObject({ version: 2, updatedBy: 'bob', createdBy: 'ana', updatedAt: '2026-03-10T12:01:00.000Z' });
    const [entry] = w.services.history.list({ planId: plan.id }, null, 1).entries;
    expect(entry).toMatchObject({ version: 2, action: 'updated', actor: 'bob' });
    expect(entry!.changes).toEqual([
      { field: 'credits.SMS', old: 500, new: 600 },
      { field: 'credits.WhatsApp', old: null, new: 200 },
      { field: 'overage', old: false, new: true },
    ]);
    const mail = w.services.notifications.list({ planId: plan.id })[0]!;
    expect(mail.kind).toBe('updated');
    expect(mail.subject).toBe(`Credit Plan Updated: Retail (${plan.id})`);
    expect(mail.text).toContain(
      'What changed (old → new):\n  - SMS credits: 500 → 600\n  - WhatsApp credits: — → 200\n  - Overage: No → Yes\n',
    );
    expect(mail.html).toContain('<li>WhatsApp credits: — → 200</li>');
    expect(w.services.sync.toSend().filter((o) => o.planId !== null).map((o) => [o.kind, o.version, o.baseVersion])).toEqual([
      ['plan.create', 1, 0],
      ['plan.edit', 2, 1],
    ]);
  });

  it('a delete ends the plan; its history stays and it can no longer change', () => {
    w = makeWorld();
    const plan = w.services.plans.create(w.spaceId, smsPlan, 'ana');
    const deleted = w.services.plans.delete(plan.id, 1, 'ana');
    expect(deleted).toMatchObject({ status: 'deleted', version: 2 });
    expect(w.services.plans.list(w.spaceId)).toEqual([]);
    expect(w.services.plans.list(w.spaceId, true)).toHaveLength(1);
    expect(w.services.history.list({ planId: plan.id }, null, 10).entries.map((e) => e.action)).toEqual(['deleted', 'created']);
    expectError(() => w.services.plans.edit(plan.id, 2, { overage: true }, 'ana'), 'conflict', /was deleted/);
    expect(w.services.details.state(plan.id).deleted).toBe(true);
    const mail = w.services.notifications.list({ planId: plan.id })[0]!;
    expect(mail.subject).toBe(`Credit Plan Deleted: Retail (${plan.id})`);
    expect(mail.text).toContain('The plan as it was:\n');
    expect(mail.text).toContain('    SMS: 500 credits · MO - MT (bidirectional; only MT consumes)');
  });

  it('stores, for each change, exactly the e-mail the central service composes from the same facts', () => {
    w = makeWorld();
    const plan = w.services.plans.create(w.spaceId, pool, 'ana');
    w.clock.advance(61_500);
    w.services.plans.edit(plan.id, 1, { credits: 12_000, renew: 'quarterly', rollover: true }, 'bob');
    w.clock.advance(1_000);
    w.services.plans.delete(plan.id, 2, 'carol');
    // What the central service has when it accepts these changes: the environment, space and
    // channels the console pushed, the change's plan, version, config, diff, actor and instant.
    const facts = {
      environmentName: 'Production',
      spaceName: 'Retail',
      planId: plan.id,
      spaceChannels: [
        { channel: 'Email', bidirectional: false },
        { channel: 'SMS', bidirectional: true },
        { channel: 'WhatsApp', bidirectional: true },
      ] satisfies { channel: Channel; bidirectional: boolean }[],
    };
    const edited: PlanConfig = { ...pool, credits: 12_000, renew: 'quarterly', rollover: true };
    const changes = [
      { field: 'credits.ALL', old: 10_000, new: 12_000 },
      { field: 'renew', old: null, new: 'quarterly' },
      { field: 'rollover', old: false, new: true },
    ];
    const expected = [
      composeEmail({ ...facts, kind: 'deleted', version: 3, config: edited, changes: [], actor: 'carol', atMs: Date.parse('2026-03-10T12:01:02.500Z') }),
      composeEmail({ ...facts, kind: 'updated', version: 2, config: edited, changes, actor: 'bob', atMs: Date.parse('2026-03-10T12:01:01.500Z') }),
      composeEmail({ ...facts, kind: 'activated', version: 1, config: pool, changes: [], actor: 'ana', atMs: Date.parse('2026-03-10T12:00:00Z') }),
    ];
    const stored = w.services.notifications.list({ planId: plan.id }).map(({ subject, text, html }) => ({ subject, text, html }));
    expect(stored).toEqual(expected);
    expect(stored.map((m) => m.subject)).toEqual([
      `Credit Plan Deleted: Retail (${plan.id})`,
      `Credit Plan Updated: Retail (${plan.id})`,
      `Credit Plan Activated: Retail (${plan.id})`,
    ]);
    expect(stored[1]!.text).toContain('  - Credits, all channels (shared pool): 10,000 → 12,000\n  - Renew credits: No → Yes — Quarterly\n  - Roll Over credits: No → Yes\n');
  });

  it('refuses a plan that breaks coexistence, naming the plan and channel, and saves nothing', () => {
    w = makeWorld();
    const first = w.services.plans.create(w.spaceId, smsPlan, 'ana');
    const before = counts(w);
    const error = expectError(
      () => w.services.plans.create(w.spaceId, { ...smsPlan, credits: { SMS: 10, Email: 5 } }, 'ana'),
      'conflict',
      new RegExp(`channel SMS is already allocated in plan ${first.id}`),
    );
    expect(error.issues).toEqual([{ path: 'credits.SMS', message: `channel SMS is already allocated in plan ${first.id}` }]);
    expectError(() => w.services.plans.create(w.spaceId, pool, 'ana'), 'conflict', new RegExp(`plan ${first.id} already covers channels SMS`));
    expect(counts(w)).toEqual(before);
  });

  it('refuses channels the space does not have, invalid plans, and stale versions', () => {
    w = makeWorld();
    expectError(() => w.services.plans.create(w.spaceId, { ...smsPlan, credits: { Push: 10 } }, 'ana'), 'validation', /Space Retail has no Push channel/);
    expectError(() => w.services.plans.create(w.spaceId, { ...smsPlan, renew: null }, 'ana'), 'validation', /rollover: needs a renewal period/);
    expectError(() => w.services.plans.create('SP-NOPE', smsPlan, 'ana'), 'not_found', /no space SP-NOPE/);
    const plan = w.services.plans.create(w.spaceId, smsPlan, 'ana');
    w.services.plans.edit(plan.id, 1, { overage: true }, 'bob');
    const stale = expectError(() => w.services.plans.edit(plan.id, 1, { credits: { SMS: 1 } }, 'ana'), 'conflict', /changed by bob.*now version 2, you had version 1/);
    expect(stale.current).toMatchObject({ id: plan.id, version: 2 });
    expectError(() => w.services.plans.edit(plan.id, 2, { overage: true }, 'ana'), 'validation', /changes nothing/);
    expectError(() => w.services.plans.edit(plan.id, 2, { credits: 5 }, 'ana'), 'validation', /not valid/);
    expect(counts(w)).toEqual({ plans: 1, versions: 2, history: 2, outbox: 2, notifications: 2 });
  });

  it('a scheduled plan shows as scheduled until its activation, in its own zone', () => {
    w = makeWorld('2026-03-31T23:00:00Z');
    const plan = w.services.plans.create(w.spaceId, pool, 'ana');
    expect(plan.status).toBe('scheduled');
    w.clock.set('2026-04-01T06:00:00Z'); // 00:00 in Mexico City (UTC-6)
    expect(w.services.plans.get(plan.id).status).toBe('active');
    expect(w.services.org.getSpace(w.spaceId).uncoveredChannels).toEqual([]);
  });

  it('lists uncovered channels: a channel added later is covered by an all-channels plan only', () => {
    w = makeWorld();
    const [environment] = w.services.org.listEnvironments();
    expect(environment).toMatchObject({ spaceCount: 1, spacesWithUncoveredChannels: 1 }); // no plan yet
    const pool = w.services.plans.create(w.spaceId, { ...smsPlan, limit: 'all_channels', credits: 300 }, 'ana');
    expect(w.services.org.listEnvironments()[0]).toMatchObject({ spaceCount: 1, spacesWithUncoveredChannels: 0 });
    w.services.plans.delete(pool.id, 1, 'ana');
    w.services.plans.create(w.spaceId, { ...smsPlan, credits: { SMS: 100, WhatsApp: 100 } }, 'ana');
    expect(w.services.org.getSpace(w.spaceId).uncoveredChannels).toEqual(['Email']);
    expect(w.services.org.listEnvironments()[0]).toMatchObject({ spaceCount: 1, spacesWithUncoveredChannels: 1 });
    const space = w.services.org.addChannel(w.spaceId, 'Push', false);
    expect(space.uncoveredChannels).toEqual(['Email', 'Push']);
    expect(space.channels.map((c) => c.channel)).toEqual(['SMS', 'WhatsApp', 'Email', 'Push']);
  });

  it('preview: boundaries, projection from recent traffic, and an edit below consumption leaves 0', async () => {
    w = makeWorld('2026-03-10T12:00:00Z');
    const plan = w.services.plans.create(w.spaceId, { ...smsPlan, rollover: false, credits: { SMS: 100 } }, 'ana');
    const rows = ['id,spaceId,channel,direction,credits,occurredAt'];
    for (let d = 1; d <= 9; d += 1) rows.push(`e${d},SP-RETAIL,SMS,MT,10,2026-03-0${d}T10:00:00Z`);
    await w.services.usage.importText('march.csv', rows.join('\n'), 'ana');
    expect(w.services.details.state(plan.id).buckets[0]).toMatchObject({ used: 90, remaining: 10 });
    const preview = w.services.plans.preview(w.spaceId, { ...smsPlan, rollover: false, credits: { SMS: 80 } }, plan.id);
    expect(preview.issues).toEqual([]);
    expect(preview.editImpact).toEqual([{ bucket: 'SMS', consumed: 90, availableAfter: 0 }]);
    expect(preview.boundaries.map((b) => b.localDate)).toEqual(['2026-04-01', '2026-05-01', '2026-06-01', '2026-07-01', '2026-08-01', '2026-09-01']);
    // 90 credits over the last two weeks, 6 a day against 80 a month: gone on the 14th day of each
    // period, from today to the end of the last listed period (the rest of March and six more months).
    const [sms] = preview.projection;
    expect(sms).toMatchObject({ bucket: 'SMS', dailyRate: 90 / 14, runsOutOn: '2026-03-10', periods: 7, runOutPeriods: 7 });
    expect(sms!.points[0]!.at).toBe('2026-03-10T12:00:00.000Z');
    expect(sms!.points.at(-1)!.at < '2026-09-30T22:00:00.000Z').toBe(true); // 1 Oct, 00:00 in Madrid
    expect(sms!.points.at(-1)!.at >= '2026-09-29T22:00:00.000Z').toBe(true);
    // Over 200 days are sampled, but a period's first day keeps its refill.
    expect(sms!.points.length).toBeLessThanOrEqual(200 + 2 * 7);
    expect(sms!.points.find((p) => p.at.startsWith('2026-06-01'))?.remaining).toBe(80 - 6);
    expect(sms!.points.find((p) => p.at.startsWith('2026-06-13'))?.remaining ?? 0).toBeLessThanOrEqual(80 - 6 * 12);
    const fresh = w.services.plans.preview(w.spaceId, { ...pool, activation: { date: '2026-03-01', timeZone: 'UTC' } });
    expect(fresh.issues[0]!.message).toMatch(new RegExp(`plan ${plan.id} already covers`));
    expect(fresh.editImpact).toBeNull();
    const later = w.services.plans.preview(w.spaceId, { ...pool, renew: 'monthly', activation: { date: '2027-01-31', timeZone: 'America/New_York' } });
    expect(later.projection[0]).toMatchObject({ bucket: 'ALL', periods: 6 });
    expect(later.projection[0]!.points[0]!.at).toBe('2027-01-31T05:00:00.000Z');
    const invalid = w.services.plans.preview(w.spaceId, { limit: 'all_channels' });
    expect(invalid.issues.length).toBeGreaterThan(0);
  });
});
