import { readFileSync } from 'node:fs';
import { OverviewPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

test('the history log shows each change with who and when, filters, expands old → new and exports CSV', async ({ openConsole, server }) => {
  const spaceId = server.spaces.History;
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { SMS: 500 }, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } },
  });
  const edited = await invoke(server, 'plans.edit', { planId: plan.id, baseVersion: plan.version, patch: { credits: { SMS: 650 }, rollover: true } });
  const other = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { Email: 80 }, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });

  const page = await openConsole('admin', `/spaces/${spaceId}/credits`);
  const overview = new OverviewPage(page);
  await expect(overview.historyRows()).toHaveCount(3);
  const update = overview.historyRows().filter({ hasText: 'Updated' });
  await expect(update).toHaveCount(1);
  await expect(update).toContainText('Ana Admin');
  await expect(update).toContainText(plan.id);
  // The log keeps times to the second, as the central service does.
  await expect(update.locator('time')).toHaveAttribute('datetime', `${edited.updatedAt.slice(0, 19)}.000Z`);

  // Expanding shows the change, old → new.
  await update.getByRole('button', { name: /Show changes/ }).click();
  const changes = page.getByRole('list', { name: 'Changes' });
  await expect(changes).toContainText('650');
  // In the product's words, as the summary step and the e-mails name the fields.
  await expect(changes).toContainText('SMS credits: 500 → 650');
  await expect(changes).toContainText('Roll Over credits: No → Yes');
  await expect(changes.locator('.old').first()).toBeVisible();

  // Filters: action, plan, who.
  await page.getByLabel('Action').selectOption({ label: 'Created' });
  await expect(overview.historyRows()).toHaveCount(2);
  await page.getByLabel('Plan', { exact: true }).selectOption(other.id);
  await expect(overview.historyRows()).toHaveCount(1);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(overview.historyRows()).toHaveCount(3);
  await page.getByLabel('Who').fill('Nobody Here');
  await expect(page.getByText('No history entry matches these filters.')).toBeVisible();
  // Any part of the name, in any case.
  await page.getByLabel('Who').fill('admin');
  await expect(overview.historyRows()).toHaveCount(3);
  await page.getByLabel('Who').fill('Ana Admin');
  await expect(overview.historyRows()).toHaveCount(3);
  await page.getByLabel('Action').selectOption({ label: 'Updated' });
  await expect(overview.historyRows()).toHaveCount(1);

  // CSV export of what is filtered.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.csv$/);
  const csv = readFileSync(await file.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines).toHaveLength(2);
  expect(csv).toContain(plan.id);
  expect(csv).not.toContain(other.id);
  await expect(page.getByText('Exported 1 entry to')).toBeVisible();
});
