import { OverviewPage, WizardPage } from './pages';
import { expect, test } from './support/test';

test('two channel-specific plans share a space; the dropdown offers only uncovered channels', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Shared;
  const page = await openConsole('admin', `/spaces/${spaceId}/credits/new`);
  const wizard = new WizardPage(page);

  await wizard.chooseChannelSpecific();
  expect(await wizard.offeredChannels()).toEqual(['SMS', 'WhatsApp', 'Email']);
  await wizard.addChannel('SMS', 500);
  // A channel once added leaves the dropdown; the table can be edited and rows removed.
  expect(await wizard.offeredChannels()).toEqual(['WhatsApp', 'Email']);
  await wizard.addChannel('Email', 300);
  await page.getByRole('button', { name: 'Remove Email' }).click();
  await page.getByLabel('Credits for SMS').fill('800');
  await wizard.setActivation('2026-03-01', 'Europe/Madrid');
  await wizard.next();
  await wizard.expectSummary();
  await expect(wizard.summaryTable().locator('tbody tr')).toHaveCount(1);
  await expect(wizard.summaryTable()).toContainText('800');
  await wizard.save();

  const overview = new OverviewPage(page);
  await expect(overview.planRows()).toHaveCount(1);

  // The second plan may only use what the first does not cover.
  await overview.newPlanLink().click();
  await wizard.chooseChannelSpecific();
  expect(await wizard.offeredChannels()).toEqual(['WhatsApp', 'Email']);
  await wizard.addChannel('WhatsApp', 250);
  await wizard.next();
  await wizard.expectSummary();
  await expect(wizard.summaryTable().locator('tbody tr', { hasText: 'WhatsApp' })).toContainText('MO - MT');
  await wizard.save();
  await expect(overview.planRows()).toHaveCount(2);
  await expect(overview.plansTable()).toContainText('Channel Specific');

  // The space page flags the channel no plan covers.
  await page.getByRole('link', { name: 'Channels' }).click();
  await expect(page.getByTestId('uncovered-Email')).toHaveText('Not covered by any credit plan');
  await expect(page.getByTestId('uncovered-SMS')).toHaveCount(0);
  await expect(page.getByTestId('uncovered-WhatsApp')).toHaveCount(0);
});
