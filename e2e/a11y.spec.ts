import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { WizardPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

/** No serious or critical axe violation on the screen as it is now. */
async function expectAccessible(page: Page, screen: string): Promise<void> {
  // Let loading states settle first: the scan is of the screen a user reads.
  await expect(page.locator('.state-loading')).toHaveCount(0);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const report = blocking.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(report, `${screen}: ${report.join('\n')}`).toEqual([]);
}

test.describe('axe scan, no serious or critical violation', () => {
  // An axe pass over a full screen takes seconds on a 2-core machine.
  test.describe.configure({ timeout: 90_000 });
  test('navigation screens and the wizard', async ({ openConsole, server }) => {
    const spaceId = server.spaces.Axe;
    const page = await openConsole('admin');
    await expectAccessible(page, 'environment list');

    await page.getByRole('link', { name: 'E2E Environment' }).click();
    await expect(page.getByRole('table')).toBeVisible();
    await expectAccessible(page, 'space list');

    await page.goto(`${server.origin}/#/spaces/${spaceId}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Axe Space' })).toBeVisible();
    await expectAccessible(page, 'space page');

    await page.goto(`${server.origin}/#/spaces/${spaceId}/credits`);
    await expect(page.getByRole('heading', { name: 'No credit plan yet' })).toBeVisible();
    await expectAccessible(page, 'credits empty state');

    // Wizard step 1 with inline errors, then step 2.
    await page.getByRole('link', { name: 'New Credit Plan' }).click();
    const wizard = new WizardPage(page);
    await wizard.next();
    await expect(page.locator('#err-credits')).toBeVisible();
    await expectAccessible(page, 'wizard step 1 with errors');
    await wizard.chooseChannelSpecific();
    await wizard.addChannel('SMS', 120);
    await wizard.setRenew('Monthly');
    await wizard.next();
    await wizard.expectSummary();
    await expectAccessible(page, 'wizard step 2');
  });

  test('overview, history, delete dialog and plan details', async ({ openConsole, server }) => {
    const spaceId = server.spaces.AxeDetails;
    const poolSpaceId = server.spaces.AxePool;
    const plan = await invoke(server, 'plans.create', {
      spaceId,
      config: { limit: 'channel_specific', credits: { SMS: 120, Email: 60 }, renew: 'monthly', rollover: true, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
    });
    await invoke(server, 'plans.edit', { planId: plan.id, baseVersion: plan.version, patch: { overage: true } });
    const page = await openConsole('admin', `/spaces/${spaceId}/credits`);

    const row = page.getByRole('table', { name: 'Actual Credit Plans' }).locator('tbody tr').first();
    await expect(row).toBeVisible();
    await page.getByRole('button', { name: /Show changes/ }).first().click();
    await expectAccessible(page, 'credits overview with history');
    await row.getByRole('button', { name: /Delete plan/ }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await expectAccessible(page, 'delete confirmation');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('link', { name: /View plan/ }).click();
    await expect(page.getByRole('table', { name: 'Credit Management' })).toBeVisible();
    await expectAccessible(page, 'plan details, channel specific');

    const pool = await invoke(server, 'plans.create', {
      spaceId: poolSpaceId,
      config: { limit: 'all_channels', credits: 1000, renew: 'monthly', rollover: false, overage: true, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } },
    });
    await invoke(server, 'usage.record', {
      events: [{ id: 'axe-u1', spaceId: poolSpaceId, channel: 'Email', direction: 'MT', credits: 40, occurredAt: new Date(Date.now() - 60_000).toISOString() }],
    });
    await page.goto(`${server.origin}/#/spaces/${poolSpaceId}/plans/${pool.id}`);
    await expect(page.getByRole('table', { name: 'Credit Management' })).toBeVisible();
    await expect(page.getByRole('img', { name: /Credits used per/ })).toBeVisible();
    await expectAccessible(page, 'plan details, all channels');
  });

  test('sync panel, draft preview and the support view', async ({ openConsole, server }) => {
    const page = await openConsole('admin', '/sync');
    await expect(page.getByRole('heading', { level: 1, name: 'Sync & notifications' })).toBeVisible();
    await expect(page.getByText('Pending changes')).toBeVisible();
    const show = page.getByRole('button', { name: 'Show content' }).first();
    if (await show.count()) await show.click();
    await expectAccessible(page, 'sync and notifications');

    // The draft preview, as an account manager.
    await openConsole('account_manager', `/spaces/${server.spaces.Axe}/preview`);
    await page.getByLabel('Total Credits').fill('500');
    await page.getByRole('switch', { name: 'Renew credits' }).check();
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.getByRole('table', { name: 'Next period starts' })).toBeVisible();
    await expectAccessible(page, 'draft preview');

    // A support user's overview.
    await openConsole('support', `/spaces/${server.spaces.AxeDetails}/credits`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Credits');
    await expectAccessible(page, 'credits overview as support');
  });
});
