import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { DetailsPage, OverviewPage, WizardPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

async function expectNoSeriousAxe(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  expect(result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
}

test('an all-channels plan: the overview names its channels, Credit Management shows the pool apart from what each channel drew', async ({ openConsole, server }) => {
  const spaceId = server.spaces.PoolUse;
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 10_000, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });
  const at = new Date(Date.now() - 60 * 60 * 1000).toISOString();
  await invoke(server, 'usage.record', {
    events: [
      { id: 'pool-use-1', spaceId, channel: 'SMS', direction: 'MT', credits: 3_000, occurredAt: at },
      { id: 'pool-use-2', spaceId, channel: 'Email', direction: 'MT', credits: 1_000, occurredAt: at },
    ],
  });

  const page = await openConsole('admin', `/spaces/${spaceId}/credits`);
  const overview = new OverviewPage(page);
  await expect(overview.planRow(plan.id).getByTestId('plan-channels')).toHaveText('SMS, WhatsApp, Email (every channel)');

  await overview.planRow(plan.id).getByRole('link', { name: `View plan ${plan.id}` }).click();
  const table = new DetailsPage(page).creditManagement();
  const pool = table.locator('tr[data-channel="ALL"]');
  await expect(pool.locator('th')).toHaveText('Shared pool, all channels');
  await expect(pool.locator('td')).toHaveText(['10,000', '4,000', '6,000']);
  // The channels draw on the pool: what each used, never a balance of their own (the SMS row had the pool's).
  await expect(table.locator('tr[data-channel="SMS"] td')).toHaveText(['from the pool', '3,000 (75 % of the pool’s use)', '—']);
  await expect(table.locator('tr[data-channel="Email"] td')).toHaveText(['from the pool', '1,000 (25 % of the pool’s use)', '—']);
  await expect(table.locator('tr[data-channel="WhatsApp"] td')).toHaveText(['from the pool', '0 (0 % of the pool’s use)', '—']);
  await table.screenshot({ path: test.info().outputPath('credit-management-all-channels.png') });
  await page.screenshot({ path: test.info().outputPath('plan-details-all-channels.png'), fullPage: true });
  await expectNoSeriousAxe(page);
});

test('the Add button keeps its line when an error shows; the Sync screen keeps its figures on one line; the favicon is served', async ({ openConsole, server }) => {
  const page = await openConsole('admin', `/spaces/${server.spaces.InputChecks}/credits/new`);
  const wizard = new WizardPage(page);
  await wizard.chooseChannelSpecific();
  await page.getByLabel('Credits', { exact: true }).fill('0');
  const add = page.getByRole('button', { name: 'Add', exact: true });
  await add.click();
  await expect(page.locator('#err-channel-credits')).toBeVisible();
  const input = await page.getByLabel('Credits', { exact: true }).boundingBox();
  const button = await add.boundingBox();
  expect(button && input && button.y < input.y + input.height && button.x > input.x + input.width).toBe(true);
  await page.screenshot({ path: test.info().outputPath('add-error.png') });

  await page.goto(`${server.origin}/#/sync`);
  const figure = (term: string) => page.locator('dl.facts > div').filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) });
  await expect(figure('Conflicts')).toBeVisible();
  const status = await figure('Status').boundingBox();
  const conflicts = await figure('Conflicts').boundingBox();
  expect(conflicts?.y).toBe(status?.y);
  await page.screenshot({ path: test.info().outputPath('sync-figures.png') });

  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  expect(icon).toBe('./favicon.svg');
  const response = await page.request.get(`${server.origin}/favicon.svg`);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('image/svg+xml');
});
