import { OverviewPage, WizardPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

test('an all-channels plan that would overlap another plan is refused, naming the plan; nothing is saved', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Overlap;
  const existing = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { SMS: 100 }, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });

  const page = await openConsole('admin', `/spaces/${spaceId}/credits/new`);
  const wizard = new WizardPage(page);
  await wizard.chooseAllChannels();
  await wizard.addTotalCredits(1000);
  await wizard.next();
  const error = page.locator('#err-limit');
  await expect(error).toBeVisible();
  await expect(error).toContainText(existing.id);
  // Still on step 1.
  await expect(page.getByRole('heading', { name: 'Summary Credit' })).toHaveCount(0);

  const overview = new OverviewPage(page);
  await overview.open(server.origin, spaceId);
  await expect(overview.planRows()).toHaveCount(1);
  await expect(overview.planRow(existing.id)).toContainText('Channel Specific');
});
