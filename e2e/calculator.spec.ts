import AxeBuilder from '@axe-core/playwright';
import { WizardPage } from './pages';
import { expect, test } from './support/test';

test('the credit calculator: from the Credits tab it pre-fills the wizard, and from the wizard it fills the form', async ({ openConsole, server }) => {
  test.setTimeout(60_000);
  const spaceId = server.spaces.Calculator;
  const page = await openConsole('admin', `/spaces/${spaceId}/credits`);
  await expect(page.getByRole('heading', { name: 'No credit plan yet' })).toBeVisible();
  await page.getByRole('button', { name: 'Credit calculator' }).click();
  const dialog = page.getByRole('dialog', { name: 'Credit calculator' });
  await expect(dialog).toBeVisible();
  await expect(page.getByLabel('SMS messages per month')).toBeFocused();
  await page.getByLabel('SMS messages per month').fill('1000');
  await page.getByLabel('WhatsApp messages per month').fill('500');
  await page.getByLabel('WhatsApp credits per message').fill('2');
  await expect(dialog.getByTestId('calculator-monthly')).toHaveText('2,000');
  await expect(dialog.getByTestId('calculator-average')).toHaveText('1.33');
  // A bad number is named next to its field, and nothing can be started from it.
  await page.getByLabel('Email credits per message').fill('0');
  await expect(dialog.getByText('must be a whole number of credits from 1 up')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Start a plan with these credits' })).toBeDisabled();
  await page.getByLabel('Email credits per message').fill('');
  const results = await new AxeBuilder({ page }).include('dialog').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('calculator.png') });

  await dialog.getByRole('radio', { name: 'An allocation per channel' }).check();
  await dialog.getByRole('button', { name: 'Start a plan with these credits' }).click();
  const wizard = new WizardPage(page);
  await expect(wizard.heading()).toHaveText('New Credit Plan');
  await expect(page.getByRole('radio', { name: 'Channel specific' })).toBeChecked();
  const added = wizard.addedTable();
  await expect(added.getByLabel('Credits for SMS')).toHaveValue('1000');
  await expect(added.getByLabel('Credits for WhatsApp')).toHaveValue('1000');
  await expect(page.getByRole('switch', { name: 'Renew credits' })).toBeChecked();
  await expect(page.getByLabel('Renewal period')).toHaveValue('monthly');

  // From the wizard itself: one pool this time; the form follows.
  await page.getByRole('button', { name: 'Credit calculator' }).click();
  await page.getByLabel('SMS messages per month').fill('300');
  await page.getByLabel('Email messages per month').fill('50');
  await page.getByLabel('Email credits per message').fill('3');
  await expect(page.getByTestId('calculator-monthly')).toHaveText('450');
  await page.getByRole('radio', { name: 'One pool for all channels' }).check();
  await page.getByRole('button', { name: 'Start a plan with these credits' }).click();
  await expect(page.getByRole('dialog', { name: 'Credit calculator' })).toHaveCount(0);
  await expect(page.getByRole('radio', { name: 'All channels' })).toBeChecked();
  await expect(page.getByLabel('Total Credits')).toHaveValue('450');
  await wizard.next();
  await wizard.expectSummary();
  await expect(wizard.summaryTable()).toContainText('450');
});

test('support staff use the calculator without starting a plan; Escape closes it', async ({ openConsole, server }) => {
  const page = await openConsole('support', `/spaces/${server.spaces.Calculator}/credits`);
  await page.getByRole('button', { name: 'Credit calculator' }).click();
  await page.getByLabel('SMS messages per month').fill('10');
  await expect(page.getByTestId('calculator-monthly')).toHaveText('10');
  await expect(page.getByRole('button', { name: 'Start a plan with these credits' })).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Credit calculator' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Credit calculator' })).toBeFocused();
});
