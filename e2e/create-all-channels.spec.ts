import { DetailsPage, OverviewPage, WizardPage } from './pages';
import { expect, test } from './support/test';

test('an admin creates an all-channels plan through both steps and sees it in the overview and its details', async ({ openConsole, server }) => {
  const page = await openConsole('admin');
  await expect(page.getByTestId('role')).toHaveText('Admin');

  // Environment list → spaces → space → Space Config → Credits.
  await page.getByRole('link', { name: 'E2E Environment' }).click();
  await page.getByRole('link', { name: 'Create Space' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Create Space' })).toBeVisible();
  await page.getByRole('link', { name: 'Space Config → Credits' }).click();
  await expect(page.getByRole('heading', { name: 'No credit plan yet' })).toBeVisible();
  await page.getByRole('link', { name: 'New Credit Plan' }).click();

  const wizard = new WizardPage(page);
  await expect(page.getByTestId('wizard-environment')).toHaveText('E2E Environment');
  await expect(page.getByTestId('wizard-space')).toHaveText('Create Space');
  // The zone defaults to the machine's (the browser runs in Europe/Madrid).
  await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Madrid');

  // Errors show next to the field before Next goes anywhere.
  await wizard.next();
  await expect(page.locator('#err-credits')).toContainText('Enter the Total Credits');
  await wizard.setTotalCredits('12x');
  await wizard.next();
  await expect(page.locator('#err-credits')).toHaveText('Must be a positive integer from 1 to 1,000,000,000,000');

  await wizard.chooseAllChannels();
  // One plain field for the one pool, shared by the space's channels (no Add that would replace it).
  await wizard.setTotalCredits(5000);
  await expect(page.locator('#hint-total-credits')).toHaveText('One pool shared by every channel of this space (SMS, WhatsApp, Email), and by channels added later.');
  await expect(page.getByRole('button', { name: 'Add', exact: true })).toHaveCount(0);
  await wizard.setRenew('Monthly');
  await wizard.rolloverSwitch().check();
  await wizard.setOverage(true);
  await wizard.setActivation('2026-01-31', 'Not/AZone');
  await wizard.next();
  await expect(page.locator('#err-zone')).toContainText('IANA time zone');
  await wizard.setActivation('2026-01-31', 'America/Mexico_City');
  await wizard.next();

  // Step 2: the summary of SPEC §7, with the MO - MT column.
  await wizard.expectSummary();
  const summary = wizard.summaryTable();
  await expect(summary).toContainText('5,000');
  await expect(summary.locator('tbody tr', { hasText: 'SMS' })).toContainText('MO - MT');
  await expect(summary.locator('tbody tr', { hasText: 'Email' }).locator('td').last()).toHaveText('MT');
  await expect(page.getByTestId('summary-renew')).toHaveText('Yes — Monthly');
  await expect(page.getByTestId('summary-rollover')).toHaveText('Yes');
  await expect(page.getByTestId('summary-overage')).toHaveText('Yes');
  await expect(page.getByTestId('summary-activation')).toContainText('2026-01-31');
  await expect(page.getByTestId('summary-activation')).toContainText('America/Mexico_City');

  // Back keeps what was typed.
  await wizard.back();
  await expect(page.getByLabel('Total Credits')).toHaveValue('5000');
  await expect(page.getByLabel('Time zone')).toHaveValue('America/Mexico_City');
  await expect(wizard.rolloverSwitch()).toBeChecked();
  await wizard.next();
  await wizard.save();

  // Redirected to the Credits Overview.
  const overview = new OverviewPage(page);
  await expect(overview.planRows()).toHaveCount(1);
  const row = overview.planRows().first();
  await expect(row).toContainText('2026-01-31');
  await expect(row).toContainText('All Channels');
  await expect(row).toContainText('5,000');
  await expect(row).toContainText('Yes — Monthly');
  await expect(page.getByRole('status').filter({ hasText: 'Credit Plan Activated' })).toBeVisible();
  await expect(overview.historyRows()).toHaveCount(1);
  const planId = await row.getAttribute('data-plan-id');
  expect(planId).toBeTruthy();

  // The details.
  await row.getByRole('link', { name: `View plan ${planId}` }).click();
  const details = new DetailsPage(page);
  await expect(details.info('Credit Plan ID')).toHaveText(planId ?? '');
  await expect(details.info('Environment')).toHaveText('E2E Environment');
  await expect(details.info('Billing date')).toContainText('America/Mexico_City');
  await expect(details.info('Bidirectional channels')).toHaveText('SMS, WhatsApp');
  await expect(details.info('Renew credits')).toHaveText('Yes — Monthly');
  await expect(details.creditManagement()).toContainText('5,000');
  await expect(details.usedTable()).toContainText('Grand total');
  expect(server.spaces.Create).toBe('space-create');
});
