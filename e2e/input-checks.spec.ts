import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { OverviewPage, WizardPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

const CREDITS_RULE = 'Must be a positive integer from 1 to 1,000,000,000,000';

async function expectNoSeriousAxe(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  expect(result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
}

test('one message per rule, naming the limit; past activations explained; zones stored as the database spells them', async ({ openConsole, server }) => {
  const spaceId = server.spaces.InputChecks;
  const page = await openConsole('admin', `/spaces/${spaceId}/credits/new`);
  const wizard = new WizardPage(page);
  await wizard.chooseChannelSpecific();

  // The same bad value gets the same words at Add and after Next; 10^13 is told the 10^12 limit.
  await wizard.addChannel('SMS', '0');
  await expect(page.locator('#err-channel-credits')).toHaveText(CREDITS_RULE);
  await wizard.addChannel('SMS', String(10 ** 13));
  await expect(page.locator('#err-channel-credits')).toHaveText(CREDITS_RULE);
  await wizard.addChannel('SMS', 500);
  await page.getByLabel('Credits for SMS').fill('0');
  await wizard.next();
  await expect(page.locator('#err-credits-SMS')).toHaveText(CREDITS_RULE);
  await page.getByLabel('Credits for SMS').fill(String(10 ** 13));
  await wizard.next();
  await expect(page.locator('#err-credits-SMS')).toHaveText(CREDITS_RULE);
  await page.getByLabel('Credits for SMS').fill('500');

  // 9999-12-31: a clear error by the field, not "something went wrong".
  await wizard.setActivation('9999-12-31', 'UTC');
  await wizard.next();
  await expect(page.locator('#err-date')).toHaveText('Must be a calendar date from 1900-01-01 to 2100-12-31, written YYYY-MM-DD');

  // A past date is accepted, saying what happens to the periods.
  await wizard.setRenew('Monthly');
  await wizard.setActivation('1900-01-01', 'america/mexico_city');
  await page.getByLabel('Time zone').blur();
  await expect(page.getByLabel('Time zone')).toHaveValue('America/Mexico_City');
  const note = page.locator('#note-past-activation');
  await expect(note).toContainText('1900-01-01 is in the past: the plan is in force as soon as it is saved, as if since 00:00 that day (America/Mexico_City)');
  await expect(note).toContainText('periods have already passed: the current one began on');
  await expect(page.getByLabel('Activation date')).toHaveAccessibleDescription(/1900-01-01 is in the past/);
  await page.screenshot({ path: test.info().outputPath('past-activation.png'), fullPage: true });
  await expectNoSeriousAxe(page);
  await wizard.next();
  await wizard.expectSummary();
  await expect(page.getByTestId('summary-past-activation')).toContainText('1900-01-01 is in the past');
  await wizard.save();
  const overview = new OverviewPage(page);
  await expect(overview.planRows()).toHaveCount(1);
  const [plan] = await invoke(server, 'plans.list', { spaceId });
  expect(plan?.config.activation).toEqual({ date: '1900-01-01', timeZone: 'America/Mexico_City' });
});

test('a save refused for coexistence says so once, without a field key', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Coexist;
  const page = await openConsole('admin', `/spaces/${spaceId}/credits/new`);
  const wizard = new WizardPage(page);
  await expect(page.getByRole('radio', { name: 'All channels' })).toBeChecked();
  await wizard.setTotalCredits(1000);
  await wizard.next();
  await wizard.expectSummary();

  // Another admin gives the space a plan while the summary is open.
  const other = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { SMS: 100 }, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });
  await wizard.save();
  const alert = page.locator('.wizard-summary [role="alert"]');
  await expect(alert).toHaveText(`An all-channels plan must be the only plan of its space, and plan ${other.id} already covers channels SMS.`);
  await expect(alert.locator('p')).toHaveCount(1);
  await expectNoSeriousAxe(page);
});
