import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { Temporal } from 'temporal-polyfill';
import { invoke } from './support/api';
import { expect, test } from './support/test';

const ZONE = 'Europe/Madrid';

interface Sent {
  id: string;
  channel: 'SMS' | 'WhatsApp' | 'Email';
  credits: number;
  mo: boolean;
  at: Temporal.ZonedDateTime;
  identity: string | null;
  campaign: string | null;
}

const n = (value: number): string => value.toLocaleString('en-US');

test('the Usage screen: ranges and groupings change the numbers and the charts; identities and campaigns; CSV; axe', async ({ openConsole, server }) => {
  test.setTimeout(90_000);
  const spaceId = server.spaces.UsageAnalytics;
  await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 1_000_000, renew: 'monthly', rollover: false, overage: false, activation: { date: '2025-01-01', timeZone: ZONE } },
  });
  const now = Temporal.Now.zonedDateTimeISO(ZONE);
  const today = now.toPlainDate();
  const noon = (days: number) => today.subtract({ days }).toZonedDateTime({ timeZone: ZONE, plainTime: '12:00' });
  const identities = Array.from({ length: 12 }, (_, i) => `agent-${String(i + 1).padStart(2, '0')}@example.com`);
  const sent: Sent[] = [];
  // Twelve identities (agent-01 uses most), two campaigns, some traffic with neither; over 400 days.
  identities.forEach((identity, i) => {
    sent.push({ id: `ua-${i}-today`, channel: 'SMS', credits: 30 - i, mo: false, at: now.subtract({ minutes: 1 }), identity, campaign: i % 2 === 0 ? 'spring' : null });
    sent.push({ id: `ua-${i}-yday`, channel: 'WhatsApp', credits: 2, mo: false, at: noon(1), identity, campaign: 'welcome' });
  });
  sent.push({ id: 'ua-40', channel: 'Email', credits: 40, mo: false, at: noon(40), identity: null, campaign: 'welcome' });
  sent.push({ id: 'ua-200', channel: 'SMS', credits: 200, mo: false, at: noon(200), identity: 'agent-03@example.com', campaign: null });
  sent.push({ id: 'ua-mo', channel: 'SMS', credits: 1, mo: true, at: now.subtract({ minutes: 2 }), identity: 'agent-01@example.com', campaign: null });
  await invoke(server, 'usage.record', {
    events: sent.map((e) => ({
      id: e.id,
      spaceId,
      channel: e.channel,
      direction: e.mo ? ('MO' as const) : ('MT' as const),
      credits: e.credits,
      occurredAt: e.at.toInstant().toString(),
      ...(e.identity ? { identity: e.identity } : {}),
      ...(e.campaign ? { campaign: e.campaign } : {}),
    })),
  });
  const usedBetween = (from: Temporal.PlainDate, to: Temporal.PlainDate) =>
    sent.filter((e) => !e.mo && Temporal.PlainDate.compare(e.at.toPlainDate(), from) >= 0 && Temporal.PlainDate.compare(e.at.toPlainDate(), to) <= 0).reduce((s, e) => s + e.credits, 0);
  const firstOfMonth = today.with({ day: 1 });

  // Support staff audit consumption: the screen opens on this month, by day, in the plan's zone.
  const page = await openConsole('support', `/spaces/${spaceId}/usage`);
  await expect(page.getByRole('heading', { level: 1, name: 'Usage of UsageAnalytics Space' })).toBeVisible();
  await expect(page.getByTestId('usage-window')).toContainText(`${firstOfMonth.toString()} to`);
  await expect(page.getByTestId('usage-window')).toContainText(`${ZONE}, the zone of this space’s credit plans`);
  await expect(page.getByTestId('total-used')).toHaveText(n(usedBetween(firstOfMonth, firstOfMonth.add({ months: 1 }).subtract({ days: 1 }))));
  await expect(page.getByTestId('total-mo')).toHaveText('1');
  const overTimeRows = page.getByTestId('usage-over-time-table').locator('tbody tr');
  await expect(overTimeRows).toHaveCount(firstOfMonth.daysInMonth);
  await expect(page.getByTestId('usage-over-time-chart').locator('canvas')).toBeVisible();

  // Identities: the top 10, then "Others (2 identities)"; the Email event named none.
  const identityRows = page.getByTestId('usage-identity-table').locator('tbody tr');
  await expect(identityRows.first().locator('th')).toHaveText('agent-01@example.com');
  await expect(page.getByTestId('usage-identity-table').locator('tr[data-kind="others"] th')).toHaveText('Others (2 identities)');
  const campaignTable = page.getByTestId('usage-campaign-table');
  await expect(campaignTable.locator('tbody tr').first().locator('th')).toHaveText(/spring|welcome/);

  // Ranges change the numbers; the charts are redrawn from them.
  const before = await page.locator('[data-testid="usage-over-time-chart"] canvas').getAttribute('aria-label');
  await page.getByLabel('Time range').selectOption({ label: 'Yesterday' });
  await expect(page.getByTestId('total-used')).toHaveText(n(usedBetween(today.subtract({ days: 1 }), today.subtract({ days: 1 }))));
  await expect(overTimeRows).toHaveCount(1);
  await expect(page.getByTestId('usage-campaign-table').locator('tbody tr').first().locator('th')).toHaveText('welcome');
  await page.getByLabel('Time range').selectOption({ label: 'This year' });
  const yearStart = today.with({ month: 1, day: 1 });
  await expect(page.getByTestId('total-used')).toHaveText(n(usedBetween(yearStart, yearStart.add({ years: 1 }).subtract({ days: 1 }))));
  await expect(overTimeRows).toHaveCount(yearStart.daysInYear);
  // Groupings change the rows and the chart, not the total.
  await page.getByLabel('Group by').selectOption('month');
  await expect(overTimeRows).toHaveCount(12);
  await expect(overTimeRows.nth(today.month - 1).locator('th')).toHaveText(firstOfMonth.toString());
  await page.getByLabel('Group by').selectOption('week');
  await expect(overTimeRows).toHaveCount(new Set(Array.from({ length: yearStart.daysInYear }, (_, d) => {
    const day = yearStart.add({ days: d });
    return Temporal.PlainDate.compare(day.subtract({ days: day.dayOfWeek - 1 }), yearStart) < 0 ? yearStart.toString() : day.subtract({ days: day.dayOfWeek - 1 }).toString();
  })).size);
  const after = await page.locator('[data-testid="usage-over-time-chart"] canvas').getAttribute('aria-label');
  expect(after).not.toEqual(before);
  expect(after).toContain('per week');

  // A custom range over 400 days includes the old events.
  await page.getByLabel('Time range').selectOption({ label: 'Custom range' });
  await page.getByLabel('From', { exact: true }).fill(today.subtract({ days: 400 }).toString());
  await page.getByLabel('To (inclusive)').fill(today.toString());
  await expect(page.getByTestId('total-used')).toHaveText(n(usedBetween(today.subtract({ days: 400 }), today)));
  // A reversed range is refused with a hint, nothing asked.
  await page.getByLabel('From', { exact: true }).fill(today.add({ days: 1 }).toString());
  await expect(page.getByText('Choose a first day on or before the last day.')).toBeVisible();
  await page.getByLabel('From', { exact: true }).fill(today.subtract({ days: 400 }).toString());
  await page.getByLabel('Group by').selectOption('month');
  // The export is of what is shown: wait until the months are (the weeks stay until they arrive).
  await expect(page.getByTestId('usage-over-time-table').locator('thead th').first()).toHaveText(`Month starting (${ZONE})`);

  // CSV of what is shown: the table's rows, and the same total.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export credits used over time as CSV' }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
  expect(csv[0]).toBe(`Month starting (${ZONE}),SMS,WhatsApp,Email,Total credits used,MO messages (free)`);
  expect(csv).toHaveLength((await overTimeRows.count()) + 2);
  expect(csv[csv.length - 1]!.split(',').at(-2)).toBe(String(usedBetween(today.subtract({ days: 400 }), today)));

  // Keyboard: the filters are reached and changed with the keyboard.
  await page.getByLabel('Group by').focus();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByLabel('Group by')).toHaveValue('week');

  await expect(page.locator('.state-loading')).toHaveCount(0);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(blocking).toEqual([]);
  await page.getByLabel('Group by').selectOption('day');
  await page.getByLabel('Time range').selectOption({ label: 'This month' });
  await page.screenshot({ path: test.info().outputPath('usage-screen.png'), fullPage: true });
});

test('the Usage screen of an environment, its empty state, and account managers kept out', async ({ openConsole, server }) => {
  const page = await openConsole('admin', `/environments/${server.environmentId}`);
  await page.getByRole('link', { name: 'Usage of this environment' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Usage of E2E Environment' })).toBeVisible();
  // The environment's plans (other specs add some) decide the zone; the screen says which.
  await expect(page.getByTestId('usage-window')).toContainText(/days are counted in/i);
  // A space without traffic: empty states, no export.
  await page.goto(`${server.origin}/#/spaces/${server.spaces.Calculator}/usage`);
  await expect(page.getByRole('heading', { level: 1, name: 'Usage of Calculator Space' })).toBeVisible();
  await page.getByLabel('Time range').selectOption({ label: 'Today' });
  await expect(page.getByText('No usage in this range.').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Export credits used over time as CSV' })).toHaveCount(0);
});

test('account managers have no Usage screen', async ({ openConsole, server }) => {
  const manager = await openConsole('account_manager', `/spaces/${server.spaces.Calculator}`);
  await expect(manager.getByRole('link', { name: 'Usage', exact: true })).toHaveCount(0);
  await manager.goto(`${server.origin}/#/spaces/${server.spaces.Calculator}/usage`);
  await expect(manager.getByText('Usage analytics are open to admins and support staff.')).toBeVisible();
});
