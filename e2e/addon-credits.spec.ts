import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { Temporal } from 'temporal-polyfill';
import { invoke } from './support/api';
import { expect, test } from './support/test';

/** No serious or critical axe violation on the screen as it is now. */
async function expectAccessible(page: Page, screen: string): Promise<void> {
  await expect(page.locator('.state-loading')).toHaveCount(0);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const blocking = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  const report = blocking.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
  expect(report, `${screen}: ${report.join('\n')}`).toEqual([]);
}

test.describe('add-on credits (SPEC §9.2–9.3)', () => {
  test.describe.configure({ timeout: 90_000 });

  test('an admin adds a never-expiring top-up and sees it spent after the plan’s own credits', async ({
    openConsole,
    server,
    browser,
  }) => {
    const spaceId = server.spaces.TopUp;
    const activation = Temporal.Now.plainDateISO('UTC').subtract({ days: 40 }).toString();
    const plan = await invoke(server, 'plans.create', {
      spaceId,
      config: {
        limit: 'channel_specific',
        credits: { SMS: 100 },
        renew: 'monthly',
        rollover: false,
        overage: false,
        activation: { date: activation, timeZone: 'UTC' },
      },
    });
    const earlier = new Date(Date.now() - 60_000).toISOString();
    const first = await invoke(server, 'usage.record', {
      events: [
        { id: 'tu-1', spaceId, channel: 'SMS', direction: 'MT', credits: 100, occurredAt: earlier },
      ],
    });
    expect(first.decisions.map((d) => d.accepted)).toEqual([true]);

    const page = await openConsole('admin', `/spaces/${spaceId}/plans/${plan.id}`);
    await page.getByRole('button', { name: 'Add credits' }).click();
    const dialog = page.getByRole('dialog', { name: `Add credits to plan ${plan.id}` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Credits', { exact: true })).toBeFocused();
    // A limit named, then Escape leaves without a change.
    await dialog.getByLabel('Credits', { exact: true }).fill('0');
    await dialog.getByLabel('Credits', { exact: true }).press('Enter');
    await expect(dialog.locator('.field-error')).toContainText(
      'Enter a whole number of credits from 1 to 1,000,000,000,000.',
    );
    await expectAccessible(page, 'add credits dialog with an error');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await page.getByRole('button', { name: 'Add credits' }).click();
    await dialog.getByLabel('Credits', { exact: true }).fill('50');
    await expect(dialog.getByLabel(/^Never/)).toBeChecked();
    await dialog.getByLabel('Price (optional)').fill('5.00');
    await dialog.getByLabel('Price (optional)').press('Enter');
    await expect(dialog.getByTestId('add-credits-review')).toContainText(
      'Add 50 credits for SMS, never expiring',
    );
    await expect(dialog.getByTestId('add-credits-review')).toContainText('for 5.00 USD');
    await page.screenshot({ path: test.info().outputPath('add-credits-review.png') });
    await dialog.getByRole('button', { name: 'Confirm: add credits' }).press('Enter');
    await expect(dialog).toBeHidden();
    await expect(
      page.getByRole('status').filter({ hasText: 'Added 50 credits for SMS' }),
    ).toBeVisible();
    await expect(page.getByTestId('addon-remaining-SMS')).toContainText('+ 50');
    await expect(page.getByTestId('available-SMS')).toHaveText('= 50');

    // The plan's own 100 are spent: the next message is paid from the top-up.
    const later = await invoke(server, 'usage.record', {
      events: [
        {
          id: 'tu-2',
          spaceId,
          channel: 'SMS',
          direction: 'MT',
          credits: 30,
          occurredAt: new Date().toISOString(),
        },
      ],
    });
    expect(later.decisions.map((d) => d.accepted)).toEqual([true]);
    await page.reload();
    await expect(page.getByTestId('addon-remaining-SMS')).toContainText('+ 20');
    await expect(page.getByTestId('addon-remaining-SMS')).toContainText('30 used');
    await expect(page.getByTestId('available-SMS')).toHaveText('= 20');
    const record = page.getByRole('table', { name: 'Add-on credits given' }).locator('tbody tr');
    await expect(record).toHaveCount(1);
    await expect(record).toContainText('Top-up: 50 SMS');
    await expect(record).toContainText('Never');
    await expect(record).toContainText('5.00 USD');
    await expectAccessible(page, 'plan details with add-on credits');

    // The Credit History Logs record it: who, what, until when, for how much; the filter finds it.
    await page.goto(`${server.origin}/#/spaces/${spaceId}/credits`);
    const entry = page.locator('.history-table tbody tr').filter({ hasText: 'Credits added' });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText('Ana Admin');
    await expect(entry).toContainText('+50 SMS credits; never expire');
    await expect(entry).toContainText('price 5.00 USD');
    await expect(entry).toContainText(plan.id);
    await page.getByLabel('Action').selectOption({ label: 'Credits added' });
    await expect(page.locator('.history-table tbody tr')).toHaveCount(1);
    await expectAccessible(page, 'history with credits added');
    await page.screenshot({ path: test.info().outputPath('history-credits-added.png'), fullPage: true });
    await page.getByLabel('Action').selectOption({ label: 'All actions' });

    // The Account Manager's "Credits Added" is with the other e-mails, and says it is not sent yet.
    await page.goto(`${server.origin}/#/sync`);
    const mail = page.locator('.notification').filter({ hasText: `Credits Added: TopUp Space (${plan.id})` });
    await expect(mail).toHaveCount(1);
    await expect(mail).toContainText('Not sent yet: top-ups are not synced');
    await expectAccessible(page, 'sync screen with credits added');

    // Others read the balances and the record, but cannot give credits.
    // (Another browser context: the admin's session stays in this page's storage.)
    const context = await browser.newContext();
    try {
      const reader = await context.newPage();
      await reader.goto(`${server.origin}/#secret=${server.secrets.account_manager}`);
      await expect(reader.getByTestId('role')).toHaveText('Account manager');
      await reader.goto(`${server.origin}/#/spaces/${spaceId}/plans/${plan.id}`);
      await expect(reader.getByTestId('available-SMS')).toHaveText('= 20');
      await expect(reader.getByRole('button', { name: 'Add credits' })).toHaveCount(0);
    } finally {
      await context.close();
    }
  });

  test('charge now shows its prorated credits and price for the billing week, then applies them', async ({
    openConsole,
    server,
  }) => {
    const spaceId = server.spaces.ChargeNow;
    const plan = await invoke(server, 'plans.create', {
      spaceId,
      config: {
        limit: 'all_channels',
        credits: 144_000,
        renew: 'monthly',
        rollover: false,
        overage: false,
        price: { amount: '150.00', currency: 'USD' },
        activation: { date: '2026-01-01', timeZone: 'UTC' },
      },
    });
    // Seed 003's rule, worked out here from today's date: week w of W, allocation ÷ w, price ÷ w.
    const today = Temporal.Now.plainDateISO('UTC');
    const weeks = Math.floor(today.daysInMonth / 7);
    const week = Math.min(Math.ceil(today.day / 7), weeks);
    const credits = Math.floor(144_000 / week);
    const price = { 1: '150.00', 2: '75.00', 3: '50.00', 4: '37.50' }[week]!;

    const page = await openConsole('admin', `/spaces/${spaceId}/plans/${plan.id}`);
    await page.getByRole('button', { name: 'Charge now' }).click();
    const dialog = page.getByRole('dialog', { name: `Charge now: plan ${plan.id}` });
    await expect(dialog.getByTestId('charge-week')).toContainText(
      `Today is day ${today.day} of this ${today.daysInMonth}-day period: billing week ${week} of ${weeks}`,
    );
    await expect(dialog.getByRole('table', { name: 'Credits charge now adds' })).toContainText(
      credits.toLocaleString('en-GB'),
    );
    await expect(dialog.getByTestId('charge-price')).toContainText(
      `Price: ${price} USD — 150.00 USD ÷ ${week}`,
    );
    await expectAccessible(page, 'charge now dialog');
    await page.screenshot({ path: test.info().outputPath('charge-now.png') });
    // The confirmation has the focus once the quote is shown: Enter charges.
    await expect(dialog.getByRole('button', { name: `Confirm: charge ${price} USD` })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(
      page.getByRole('status').filter({ hasText: `Charged ${price} USD` }),
    ).toBeVisible();
    await expect(page.getByTestId('available-ALL')).toHaveText(
      `= ${(144_000 + credits).toLocaleString('en-GB')}`,
    );
    const record = page.getByRole('table', { name: 'Add-on credits given' }).locator('tbody tr');
    await expect(record).toContainText(
      `Charge now (week ${week} of ${weeks}): ${credits.toLocaleString('en-GB')} Shared pool`,
    );
    await expect(record).toContainText(`${price} USD`);
    await expect(record).toContainText('End of its period');

    await page.goto(`${server.origin}/#/spaces/${spaceId}/credits`);
    const entry = page.locator('.history-table tbody tr').filter({ hasText: 'Charged now' });
    await expect(entry).toContainText('Ana Admin');
    await expect(entry).toContainText(`+${credits.toLocaleString('en-US')} All Channels credits; expire at the end of the period; billing week ${week} of ${weeks}`);
    await expect(entry).toContainText(`price ${price} USD`);
    await expectAccessible(page, 'history with a charge now');
    await page.screenshot({ path: test.info().outputPath('history-charged-now.png'), fullPage: true });
  });
});
