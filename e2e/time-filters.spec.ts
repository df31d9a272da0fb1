import { Temporal } from 'temporal-polyfill';
import { DetailsPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

const ZONE = 'America/Mexico_City';

interface Usage {
  id: string;
  channel: 'SMS' | 'Email';
  credits: number;
  at: Temporal.ZonedDateTime;
}

test('the time filters, computed in the plan’s zone, change the per-channel numbers and the Grand total', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Usage;
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { SMS: 10_000, Email: 10_000 }, renew: null, rollover: false, overage: false, activation: { date: '2025-01-01', timeZone: ZONE } },
  });
  const now = Temporal.Now.zonedDateTimeISO(ZONE);
  const today = now.toPlainDate();
  const noon = (date: Temporal.PlainDate) => date.toZonedDateTime({ timeZone: ZONE, plainTime: '12:00' });
  const usages: Usage[] = [
    { id: 'tf-old', channel: 'SMS', credits: 11, at: noon(today.subtract({ days: 400 })) },
    { id: 'tf-40', channel: 'Email', credits: 7, at: noon(today.subtract({ days: 40 })) },
    { id: 'tf-yesterday', channel: 'SMS', credits: 5, at: noon(today.subtract({ days: 1 })) },
    { id: 'tf-today', channel: 'SMS', credits: 3, at: now.subtract({ minutes: 1 }) },
  ];
  await invoke(server, 'usage.record', {
    events: [
      ...usages.map((usage) => ({ id: usage.id, spaceId, channel: usage.channel, direction: 'MT' as const, credits: usage.credits, occurredAt: usage.at.toInstant().toString() })),
      { id: 'tf-mo', spaceId, channel: 'SMS', direction: 'MO' as const, credits: 1, occurredAt: now.toInstant().toString() },
    ],
  });

  // The expected numbers, from the calendar in the plan's zone.
  const monday = today.subtract({ days: today.dayOfWeek - 1 });
  const firstOfMonth = today.with({ day: 1 });
  const ranges: Record<string, [Temporal.PlainDate, Temporal.PlainDate]> = {
    Today: [today, today],
    Yesterday: [today.subtract({ days: 1 }), today.subtract({ days: 1 })],
    'This week': [monday, monday.add({ days: 6 })],
    'Last week': [monday.subtract({ days: 7 }), monday.subtract({ days: 1 })],
    'This month': [firstOfMonth, firstOfMonth.add({ months: 1 }).subtract({ days: 1 })],
    'Last month': [firstOfMonth.subtract({ months: 1 }), firstOfMonth.subtract({ days: 1 })],
    'This year': [today.with({ month: 1, day: 1 }), today.with({ month: 12, day: 31 })],
  };
  const sumIn = ([from, to]: [Temporal.PlainDate, Temporal.PlainDate], channel?: string) =>
    usages
      .filter((usage) => channel === undefined || usage.channel === channel)
      .filter((usage) => {
        const date = usage.at.toPlainDate();
        return Temporal.PlainDate.compare(date, from) >= 0 && Temporal.PlainDate.compare(date, to) <= 0;
      })
      .reduce((sum, usage) => sum + usage.credits, 0);

  const page = await openConsole('admin', `/spaces/${spaceId}/plans/${plan.id}`);
  const details = new DetailsPage(page);
  await expect(details.usedTable()).toBeVisible();
  await expect(page.getByTestId('used-window')).toContainText(ZONE);

  const seenTotals = new Set<number>();
  for (const [label, range] of Object.entries(ranges)) {
    await details.chooseRange(label);
    await expect(page.getByTestId('used-window')).toContainText(range[0].toString());
    await expect(details.usedCell('SMS')).toHaveText(sumIn(range, 'SMS').toLocaleString('en-US'));
    await expect(details.usedCell('Email')).toHaveText(sumIn(range, 'Email').toLocaleString('en-US'));
    await expect(details.grandTotal()).toHaveText(sumIn(range).toLocaleString('en-US'));
    seenTotals.add(sumIn(range));
  }
  expect(seenTotals.size).toBeGreaterThan(1);

  // A custom range, last day included.
  await details.chooseRange('Custom range');
  await page.getByLabel('From', { exact: true }).fill(today.subtract({ days: 40 }).toString());
  await page.getByLabel('To (inclusive)').fill(today.toString());
  await expect(details.grandTotal()).toHaveText('15');
  await expect(details.usedCell('SMS')).toHaveText('8');
  await expect(details.usedCell('Email')).toHaveText('7');
  // MO messages are shown but cost nothing.
  await expect(details.usedTable().locator('tr[data-channel="SMS"] td').nth(1)).toHaveText('1');

  // The chart of credits used over time.
  await page.getByLabel('Group by').selectOption('week');
  await expect(page.getByRole('img', { name: /Credits used per week/ })).toBeVisible();

  // Channel-specific Credit Management shows Used as a percentage.
  await expect(details.creditManagement().locator('tr[data-channel="SMS"]')).toContainText('%');
});
