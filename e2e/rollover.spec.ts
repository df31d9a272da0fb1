import { WizardPage } from './pages';
import { expect, test } from './support/test';

test('Roll Over is offered only when credits renew', async ({ openConsole, server }) => {
  const page = await openConsole('admin', `/spaces/${server.spaces.Rollover}/credits/new`);
  const wizard = new WizardPage(page);
  await wizard.setTotalCredits(700);

  await expect(wizard.rolloverSwitch()).toHaveCount(0);
  await expect(page.getByText('Roll Over is available when credits renew.')).toBeVisible();
  await wizard.setRenew('Quarterly');
  await expect(wizard.rolloverSwitch()).toBeVisible();
  await wizard.rolloverSwitch().check();

  // Switching renewal off takes roll over with it.
  await wizard.setRenew(null);
  await expect(wizard.rolloverSwitch()).toHaveCount(0);
  await wizard.next();
  await wizard.expectSummary();
  await expect(page.getByTestId('summary-renew')).toHaveText('No');
  await expect(page.getByTestId('summary-rollover')).toHaveText('No');

  await wizard.back();
  await wizard.setRenew('Weekly');
  await expect(wizard.rolloverSwitch()).toBeChecked();
  await wizard.next();
  await expect(page.getByTestId('summary-renew')).toHaveText('Yes — Weekly');
  await expect(page.getByTestId('summary-rollover')).toHaveText('Yes');
});
