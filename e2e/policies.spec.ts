import AxeBuilder from '@axe-core/playwright';
import { Temporal } from 'temporal-polyfill';
import { DetailsPage, OverviewPage, WizardPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

/**
 * SPEC §9 through the screens: an admin gives a plan a daily limit and metered overage in the
 * wizard's Policies section, reads them on step 2 and in the details; traffic past the day's
 * limit is refused and the details say the limit is reached.
 */
test('policies: a daily limit and metered overage from the wizard, shown, and applied to usage', async ({ openConsole, server }) => {
  test.setTimeout(90_000);
  const spaceId = server.spaces.Policies;
  const zone = 'Europe/Madrid';
  const page = await openConsole('admin', `/spaces/${spaceId}/credits/new`);
  const wizard = new WizardPage(page);
  await expect(wizard.heading()).toBeVisible();

  await wizard.setTotalCredits(1000);
  await wizard.setRenew('Monthly');
  // Closed by default; opened from the keyboard.
  await expect(wizard.policiesButton()).toHaveAttribute('aria-expanded', 'false');
  await wizard.policiesButton().focus();
  await page.keyboard.press('Enter');
  await expect(wizard.policiesButton()).toHaveAttribute('aria-expanded', 'true');
  await wizard.setOverageMode('Metered');
  await page.getByLabel('Daily limit (credits per day)').fill('100');
  await page.getByLabel('WhatsApp credits per message').fill('2');
  await page.getByLabel('Currency').fill('EUR');
  await page.getByLabel('Price per period').fill('150.00');
  await page.getByLabel('Overage rate per credit').fill('0.5');
  await expect(page.locator('.state-loading')).toHaveCount(0);
  const scan = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(blocking).toEqual([]);
  await page.screenshot({ path: 'test-results/e2e-screens/policies-step1.png', fullPage: true });

  // Each wrong field says what it needs, naming the limit.
  await page.getByLabel('Daily limit (credits per day)').fill('0');
  await page.getByLabel('Overage rate per credit').fill('');
  await wizard.next();
  await expect(page.locator('#err-wizard-daily')).toHaveText(/Must be a positive integer from 1 to 1,000,000,000,000/);
  await expect(page.locator('#err-wizard-overage-rate')).toHaveText(/Is needed by metered overage/);
  await page.getByLabel('Daily limit (credits per day)').fill('100');
  await page.getByLabel('Overage rate per credit').fill('0.5');

  await wizard.next();
  await wizard.expectSummary();
  await expect(page.getByTestId('summary-overage')).toHaveText('Metered');
  await expect(page.getByTestId('summary-dailyLimit')).toHaveText('100 credits a day');
  await expect(page.getByTestId('summary-costs')).toHaveText('WhatsApp: 2 (other channels 1)');
  await expect(page.getByTestId('summary-overageRate')).toHaveText('0.5 EUR, billed with the next period');
  await expect(page.getByTestId('summary-price')).toHaveText('150.00 EUR');
  await expect(page.getByTestId('summary-minimumCharge')).toHaveText('10.00 EUR (the default)');
  await page.screenshot({ path: 'test-results/e2e-screens/policies-step2.png', fullPage: true });
  await wizard.save();
  const overview = new OverviewPage(page);
  await expect(overview.planRows()).toHaveCount(1);
  await expect(page.getByTestId('plan-dailyLimit')).toHaveText('Daily limit: 100 credits a day');
  await expect(overview.planRows().first()).toContainText('Metered');

  const plans = await invoke(server, 'plans.list', { spaceId });
  const plan = plans[0]!;
  expect(plan.config).toMatchObject({ dailyLimit: 100, overageMetered: true, costs: { WhatsApp: 2 } });

  // Today (in Madrid): 98 credits, then a WhatsApp message that states none and costs its rate,
  // 2, fill the day's 100; the next credit is refused whatever the balance.
  const now = Temporal.Now.zonedDateTimeISO(zone);
  const midnight = now.startOfDay();
  const at = (minutes: number) => midnight.add({ minutes: Math.min(minutes, Math.max(0, now.since(midnight).total('minutes') - 1)) }).toInstant().toString();
  const answer = await invoke(server, 'usage.record', {
    events: [
      { id: 'pol-1', spaceId, channel: 'SMS', direction: 'MT', credits: 98, occurredAt: at(1) },
      { id: 'pol-2', spaceId, channel: 'WhatsApp', direction: 'MT', occurredAt: at(2) },
      { id: 'pol-3', spaceId, channel: 'SMS', direction: 'MT', credits: 1, occurredAt: at(3) },
    ],
  });
  expect(answer.decisions.map((d) => d.reason)).toEqual([null, null, 'daily_limit']);

  await page.goto(`${server.origin}/#/spaces/${spaceId}/plans/${plan.id}`);
  const details = new DetailsPage(page);
  await expect(page.getByTestId('overage-info')).toHaveText('Metered');
  await expect(details.info('Daily limit')).toHaveText('100 credits a day');
  await expect(details.info('Overage rate per credit')).toHaveText('0.5 EUR, billed with the next period');
  await expect(details.info('Price per period')).toHaveText('150.00 EUR');
  await expect(details.info('Used today')).toContainText('100 of 100 — daily limit reached: further traffic today is refused');
  await expect(details.info('Metered this period')).toContainText('0 credits, 0.00 EUR');
  await expect(details.usedCell('WhatsApp')).toHaveText('2');
  await page.screenshot({ path: 'test-results/e2e-screens/policies-details.png', fullPage: true });
});
