import { afterAll, beforeAll, expect, it } from 'vitest';
import { notificationRecordSchema, pullResponseSchema, type NotificationRecord } from '../../shared/sync';
import { z } from 'zod';
import {
  TestSmtpServer,
  describeOnBackends,
  planCreate,
  planDelete,
  planEdit,
  spaceSetup,
  startTestCentral,
  type CentralClient,
  type TestCentral,
  until,
  waitForFeed,
  pushApplied as push,
} from '../testing';
import type { PlanConfig } from '../../shared/domain';

const manager = { name: 'Marta Manager', email: 'marta@example.com' };
const plan: PlanConfig = {
  limit: 'channel_specific',
  credits: { WhatsApp: 300, SMS: 500 },
  renew: 'monthly',
  rollover: true,
  overage: false,
  activation: { date: '2026-12-01', timeZone: 'America/Mexico_City' },
};

async function notificationsOf(client: CentralClient, planId: string): Promise<NotificationRecord[]> {
  const answer = await client.get(`/v1/notifications?planId=${planId}`);
  expect(answer.status).toBe(200);
  return z.object({ notifications: z.array(notificationRecordSchema) }).parse(answer.body).notifications;
}

await describeOnBackends('e-mails to the Account Manager over SMTP', (backend) => {
  const smtp = new TestSmtpServer();
  let t: TestCentral;
  beforeAll(async () => {
    await smtp.start();
    t = await startTestCentral(backend, {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, ignoreTls: true, from: 'Credit Plans <plans@central.test>' },
    });
    await push(t.admin, spaceSetup('env-mail', 'space-mail', manager, ['SMS', 'WhatsApp', 'Email']));
  });
  afterAll(async () => {
    await t?.dispose();
    await smtp.stop();
  });

  it('sends "Credit Plan Activated", "Updated" (old → new) and "Deleted" with the full summary in text and HTML', async () => {
    await push(t.admin, [planCreate('plan-mail', 'space-mail', plan, 'alice')]);
    const [activated] = await smtp.waitFor((mails) => mails.length >= 1);
    expect(activated!.subject).toBe('Credit Plan Activated: Space space-mail (plan-mail)');
    expect(activated!.envelopeTo).toEqual(['marta@example.com']);
    expect(activated!.headers.get('to')).toContain('Marta Manager');
    expect(activated!.headers.get('from')).toContain('plans@central.test');
    for (const line of [
      'Environment: Environment env-mail',
      'Space: Space space-mail',
      'Credit Plan ID: plan-mail',
      'Credit limit: Channel Specific',
      'SMS: 500 credits · MO - MT (bidirectional; only MT consumes)',
      'WhatsApp: 300 credits · MT',
      'Total: 800 credits',
      'Renew credits: Yes — Monthly',
      'Roll Over credits: Yes',
      'Overage: No',
      'Credit Plan Activation: 2026-12-01 at 00:00, America/Mexico_City (2026-12-01T06:00:00Z)',
    ]) {
      expect(activated!.text).toContain(line);
    }
    expect(activated!.html).toContain('<th style="padding:4px 12px 4px 0;text-align:left;vertical-align:top">Credit Plan ID</th><td style="padding:4px 12px 4px 0;text-align:left;vertical-align:top">plan-mail</td>');
    expect(activated!.html).toContain('America/Mexico_City');

    await push(t.admin, [planEdit('plan-mail', 1, { ...plan, credits: { WhatsApp: 300, SMS: 800 }, overage: true } as PlanConfig, 'bob')]);
    const updated = (await smtp.waitFor((mails) => mails.length >= 2))[1]!;
    expect(updated.subject).toBe('Credit Plan Updated: Space space-mail (plan-mail)');
    expect(updated.text).toContain('What changed (old → new):');
    expect(updated.text).toContain('SMS credits: 500 → 800');
    expect(updated.text).toContain('Overage: No → Yes');
    expect(updated.text).not.toContain('WhatsApp credits:');
    expect(updated.text).toContain('updated by bob');
    expect(updated.html).toContain('<li>SMS credits: 500 → 800</li>');

    await push(t.admin, [planDelete('plan-mail', 2, 'carol')]);
    const deleted = (await smtp.waitFor((mails) => mails.length >= 3))[2]!;
    expect(deleted.subject).toBe('Credit Plan Deleted: Space space-mail (plan-mail)');
    expect(deleted.text).toContain('deleted by carol');
    expect(deleted.text).toContain('SMS: 800 credits');

    const states = await until(
      () => notificationsOf(t.admin, 'plan-mail'),
      (list) => list.length === 3 && list.every((n) => n.status === 'sent'),
    );
    expect(states.map((n) => n.kind).sort()).toEqual(['activated', 'deleted', 'updated']);
    expect(states.every((n) => n.attempts === 1 && n.sentAt !== null && n.to === 'marta@example.com')).toBe(true);
    // The console sees the same states (and contents) in its pull, once no transaction elsewhere on
    // the server holds back the last one.
    await waitForFeed(t.database.db);
    const pulled = pullResponseSchema.parse((await t.admin.get('/v1/sync/pull?limit=5000')).body).items.flatMap((i) =>
      i.kind === 'notification' && i.notification.planId === 'plan-mail' ? [i.notification] : [],
    );
    expect(pulled.map((n) => n.status)).toEqual(['sent', 'sent', 'sent']);
    expect(pulled.find((n) => n.kind === 'updated')?.text).toContain('SMS credits: 500 → 800');
  });

  it('an SMTP outage (and a restart of the service meanwhile) delays the e-mail but never loses it', async () => {
    const before = smtp.received.length;
    await smtp.stop();
    await push(t.admin, [planCreate('plan-outage', 'space-mail', { ...plan, credits: { Email: 50 } } as PlanConfig, 'alice')]);
    const failing = await until(
      () => notificationsOf(t.admin, 'plan-outage'),
      (list) => list[0]?.status === 'failed' && list[0].attempts >= 2,
    );
    expect(failing[0]!.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(failing[0]!.nextAttemptAt).not.toBeNull();
    expect(smtp.received.length).toBe(before);

    // The service goes down and comes back while SMTP is still out; the e-mail waits in the database.
    await t.restart();
    await smtp.start();
    const mails = await smtp.waitFor((list) => list.some((m) => m.subject.includes('plan-outage')));
    expect(mails.filter((m) => m.subject.includes('plan-outage'))).toHaveLength(1);
    const sent = await until(
      () => notificationsOf(t.admin, 'plan-outage'),
      (list) => list[0]?.status === 'sent',
    );
    expect(sent[0]!.attempts).toBeGreaterThanOrEqual(3);
    expect(sent[0]!.lastError).toBeNull();
  });
});
