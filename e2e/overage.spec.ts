import { Temporal } from 'temporal-polyfill';
import { DetailsPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

const ZONE = 'Asia/Kolkata'; // UTC+05:30: the overage time must be shown in the plan's zone, not the reader's.

test('overage: the message that would not fit adds one allocation once, and the details say when, in the plan’s zone', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Overage;
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { SMS: 100, Email: 50 }, renew: null, rollover: false, overage: true, activation: { date: '2026-01-01', timeZone: ZONE } },
  });
  const now = Temporal.Now.zonedDateTimeISO(ZONE).round({ smallestUnit: 'minute', roundingMode: 'floor' });
  const first = now.subtract({ hours: 3 });
  const over = now.subtract({ hours: 2 });
  const answer = await invoke(server, 'usage.record', {
    events: [
      { id: 'ov-1', spaceId, channel: 'SMS', direction: 'MT', credits: 90, occurredAt: first.toInstant().toString() },
      { id: 'ov-2', spaceId, channel: 'Email', direction: 'MT', credits: 10, occurredAt: first.toInstant().toString() },
      // 90 + 30 > 100: the overage adds 100 once, and this message is taken.
      { id: 'ov-3', spaceId, channel: 'SMS', direction: 'MT', credits: 30, occurredAt: over.toInstant().toString() },
    ],
  });
  expect(answer.decisions.map((decision) => decision.accepted)).toEqual([true, true, true]);

  const page = await openConsole('admin', `/spaces/${spaceId}/plans/${plan.id}`);
  const details = new DetailsPage(page);
  const info = details.info('Overage');
  await expect(info).toContainText('Yes — applied ');
  // "04 Dec 2026, 17:30 GMT+5:30 (SMS)": the time of the message that did not fit, in Kolkata.
  const day = over.toPlainDate();
  const month = day.toLocaleString('en-GB', { month: 'short', calendar: 'iso8601' });
  await expect(info).toContainText(`${String(day.day).padStart(2, '0')} ${month} ${day.year}, ${String(over.hour).padStart(2, '0')}:${String(over.minute).padStart(2, '0')}`);
  await expect(info).toContainText('(SMS)');
  await expect(info).not.toContainText('Email');
  const sms = details.creditManagement().locator('tbody tr').filter({ hasText: 'SMS' });
  await expect(sms.locator('td').last()).toHaveText('80');
  const email = details.creditManagement().locator('tbody tr').filter({ hasText: 'Email' });
  await expect(email.locator('td').last()).toHaveText('40');
});
