import { OverviewPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

test('a support user reviews plans but cannot create, edit or delete', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Roles;
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { SMS: 900 }, renew: 'annually', rollover: true, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });
  const page = await openConsole('support', `/spaces/${spaceId}/credits`);
  await expect(page.getByTestId('role')).toHaveText('Support');
  const overview = new OverviewPage(page);
  await expect(overview.planRow(plan.id)).toBeVisible();
  await expect(overview.newPlanLink()).toHaveCount(0);
  await expect(overview.planRow(plan.id).getByRole('link', { name: `View plan ${plan.id}` })).toBeVisible();
  await expect(overview.planRow(plan.id).getByRole('link', { name: /Edit/ })).toHaveCount(0);
  await expect(overview.planRow(plan.id).getByRole('button', { name: /Delete/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Preview a draft plan' })).toHaveCount(0);

  // Going to the wizard by address does not help: the screen says so (and the main process refuses anyway).
  await page.goto(`${server.origin}/#/spaces/${spaceId}/plans/${plan.id}/edit`);
  await expect(page.getByRole('alert')).toContainText('Only admins can create or edit credit plans');
  await page.goto(`${server.origin}/#/spaces/${spaceId}/credits/new`);
  await expect(page.getByRole('alert')).toContainText('Only admins');
  await expect(page.getByRole('button', { name: 'Next' })).toHaveCount(0);

  // The space page offers no Add channel either.
  await page.goto(`${server.origin}/#/spaces/${spaceId}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Roles Space' })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Add channel' })).toHaveCount(0);

  // Support can still read the details and export the history.
  await page.goto(`${server.origin}/#/spaces/${spaceId}/plans/${plan.id}`);
  await expect(page.getByRole('table', { name: 'Credit Management' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit plan', exact: true })).toHaveCount(0);

  // And the main process refuses a write from this role.
  await expect(invoke(server, 'plans.delete', { planId: plan.id, baseVersion: plan.version }, 'support')).rejects.toThrow(/forbidden/);
});
