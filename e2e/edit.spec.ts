import { DetailsPage, OverviewPage, WizardPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

test('editing shows what was consumed and what remains, and the new credits are the total allocation', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Edit;
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 100, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });
  const at = new Date(Date.now() - 60 * 60 * 1000).toISOString();
  await invoke(server, 'usage.record', {
    events: [{ id: 'edit-u1', spaceId, channel: 'SMS', direction: 'MT', credits: 100, occurredAt: at }],
  });

  const page = await openConsole('admin', `/spaces/${spaceId}/credits`);
  const overview = new OverviewPage(page);
  await overview.planRow(plan.id).getByRole('link', { name: `Edit plan ${plan.id}` }).click();

  const wizard = new WizardPage(page);
  await expect(wizard.heading()).toHaveText(`Edit credit plan ${plan.id}`);
  // Step 1 says what this period has consumed before new credits are typed.
  await expect(page.getByTestId('consumed-ALL')).toHaveText('All Channels: 100 of 100 consumed, 0 left');
  // The wizard opens filled in.
  await expect(page.getByLabel('Total Credits')).toHaveValue('100');
  await expect(page.getByLabel('Activation date')).toHaveValue('2026-01-01');
  await expect(page.getByLabel('Time zone')).toHaveValue('UTC');

  // Nothing changed: Next says so.
  await wizard.next();
  await expect(page.getByRole('alert')).toContainText('Nothing has changed');

  // Same total with overage: still 0 available, said before saving.
  await wizard.setOverage(true);
  await wizard.next();
  await wizard.expectSummary();
  await expect(page.getByTestId('impact-ALL')).toHaveText('All Channels: 100 consumed — after saving, 0 available');

  // 200 leaves 100 available.
  await wizard.back();
  await wizard.setOverage(false);
  await page.getByLabel('Total Credits').fill('200');
  await wizard.next();
  await expect(page.getByTestId('impact-ALL')).toHaveText('All Channels: 100 consumed — after saving, 100 available');
  await wizard.save();

  await expect(overview.planRow(plan.id)).toContainText('200');
  await overview.planRow(plan.id).getByRole('link', { name: `View plan ${plan.id}` }).click();
  const details = new DetailsPage(page);
  await expect(details.creditManagement().getByTestId('pool-remaining')).toHaveText('100');
  await expect(details.creditManagement().getByTestId('pool-used')).toHaveText('100');
  await expect(details.info('Update date')).toContainText('Ana Admin');
});
