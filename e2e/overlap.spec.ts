import { OverviewPage, WizardPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

test('an all-channels plan that would overlap another plan is refused, naming the plan; nothing is saved', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Overlap;
  // The wizard opens on the space while it has no plan: All channels is offered, and chosen.
  const page = await openConsole('admin', `/spaces/${spaceId}/credits/new`);
  const wizard = new WizardPage(page);
  await expect(page.getByRole('radio', { name: 'All channels' })).toBeChecked();
  await wizard.setTotalCredits(1000);

  // Meanwhile another admin gives the space a channel-specific plan.
  const existing = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { SMS: 100 }, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });
  // The screen learns of it (the hint appears) and Next is refused, naming that plan.
  await expect(page.locator('#all-channels-ruled-out')).toHaveText('An all-channels plan must be the only plan of its space, and this space has another plan.');
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

  // A new plan on this space now starts channel specific; All channels cannot be chosen, and says why.
  // (Reloaded: the wizard keeps a started draft for the rest of the session, the all-channels one above.)
  await page.getByRole('link', { name: 'New Credit Plan' }).click();
  await page.reload();
  await expect(page.getByRole('radio', { name: 'Channel specific' })).toBeChecked();
  const allChannels = page.getByRole('radio', { name: 'All channels' });
  await expect(allChannels).toBeDisabled();
  await expect(allChannels).toHaveAccessibleDescription('An all-channels plan must be the only plan of its space, and this space has another plan.');
  expect(await wizard.offeredChannels()).toEqual(['WhatsApp', 'Email']);
});
