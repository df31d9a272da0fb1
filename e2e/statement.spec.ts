import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { Temporal } from 'temporal-polyfill';
import { invoke } from './support/api';
import { expect, test } from './support/test';

/** No serious or critical axe violation on the screen as it is now. */
async function expectAccessible(page: Page, screen: string): Promise<void> {
  await expect(page.locator('.state-loading')).toHaveCount(0);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const report = blocking.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(report, `${screen}: ${report.join('\n')}`).toEqual([]);
}

/** "217.00" → 21700n: sums of two-decimal amounts without floats. */
const cents = (amount: string): bigint => {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
};
const amountOf = (c: bigint): string => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

test.describe('statements (SPEC §9.6)', () => {
  test.describe.configure({ timeout: 90_000 });

  test('an account manager opens a metered plan’s statement, sees last period’s metered charge, and exports it as CSV', async ({ openConsole, server, browser }) => {
    const spaceId = server.spaces.Statement;
    // Seed 004: 3,000,000 credits for 200.00 a month; last month used 3,200,000 → 200,000 × 0.000085 = 17.00.
    const today = Temporal.Now.plainDateISO('UTC');
    const lastMonth = today.subtract({ months: 1 }).with({ day: 1 });
    const plan = await invoke(server, 'plans.create', {
      spaceId,
      config: {
        limit: 'all_channels',
        credits: 3_000_000,
        renew: 'monthly',
        rollover: false,
        overage: true,
        overageMetered: true,
        overageRate: { amount: '0.000085', currency: 'USD' },
        price: { amount: '200.00', currency: 'USD' },
        activation: { date: lastMonth.toString(), timeZone: 'UTC' },
      },
    });
    const inLastMonth = (day: number): string => `${lastMonth.with({ day }).toString()}T12:00:00Z`;
    const recorded = await invoke(server, 'usage.record', {
      events: [
        { id: 'st-1', spaceId, channel: 'SMS', direction: 'MT', credits: 1_600_000, occurredAt: inLastMonth(3) },
        { id: 'st-2', spaceId, channel: 'WhatsApp', direction: 'MT', credits: 1_600_000, occurredAt: inLastMonth(20) },
      ],
    });
    expect(recorded.decisions.map((d) => d.accepted)).toEqual([true, true]);
    // An admin charges now this period: the statement lists it with its price.
    const { applied } = await invoke(server, 'plans.chargeNow', { planId: plan.id, confirm: { week: (await invoke(server, 'plans.chargeNow', { planId: plan.id })).quote.week } });
    const charge = applied!;
    const total = amountOf(cents('200.00') + cents('17.00') + cents(charge.price!.amount));

    const page = await openConsole('account_manager', `/spaces/${spaceId}/plans/${plan.id}`);
    // Account managers do not edit or charge, but they read the statement.
    await expect(page.getByRole('button', { name: 'Charge now' })).toHaveCount(0);
    const link = page.getByRole('link', { name: 'Statement', exact: true });
    await link.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Statement — credit plan ${plan.id}`);
    const table = page.getByRole('table', { name: 'Statement', exact: true });
    await expect(table.locator('tr[data-item="metered"]')).toContainText('Metered overage of the previous period');
    await expect(table.locator('tr[data-item="metered"]')).toContainText('17.00 USD');
    await expect(table.locator('tr[data-item="price"]')).toContainText('200.00 USD');
    await expect(table.locator('tr[data-item="charge"]')).toContainText(charge.id);
    await expect(table.locator('tr[data-item="charge"]')).toContainText(`${charge.price!.amount} USD`);
    await expect(table.locator('tr[data-item="total"]')).toContainText(`${total} USD`);
    await expect(page.getByLabel('Billing period', { exact: true })).toHaveValue('1');
    await page.screenshot({ path: test.info().outputPath('statement.png'), fullPage: true });
    await expectAccessible(page, 'statement');

    // The CSV is the statement shown, amounts exact.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`statement-${plan.id}-period-1-${today.with({ day: 1 }).toString()}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv).toEqual([
      'item,at,amount,currency',
      `Period price,${today.with({ day: 1 }).toString()}T00:00:00Z,200.00,USD`,
      `Charge now ${charge.id},${charge.at.replace(/\.\d{3}Z$/, 'Z')},${charge.price!.amount},USD`,
      `Previous period metered overage,${today.with({ day: 1 }).toString()}T00:00:00Z,17.00,USD`,
      `Total,,${total},USD`,
      '',
    ]);

    // Last month's statement, picked with the keyboard: its price alone, nothing metered before it.
    await page.getByLabel('Billing period', { exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await expect(page).toHaveURL(new RegExp(`/plans/${plan.id}/statement/0$`));
    await expect(page.getByLabel('Billing period', { exact: true })).toHaveValue('0');
    await expect(table.locator('tr[data-item="charge"]')).toHaveCount(0);
    await expect(table.locator('tr[data-item="metered"]')).toContainText('0.00 USD');
    await expect(table.locator('tr[data-item="total"]')).toContainText('200.00 USD');
    await expectAccessible(page, 'last period’s statement');

    // Support staff neither see the link nor get the statement.
    const context = await browser.newContext();
    const support = await context.newPage();
    await support.goto(`${server.origin}/#secret=${server.secrets.support}`);
    await expect(support.getByTestId('role')).toHaveText('Support');
    await support.goto(`${server.origin}/#/spaces/${spaceId}/plans/${plan.id}`);
    await expect(support.getByRole('heading', { level: 1 })).toHaveText(`Credit plan ${plan.id}`);
    await expect(support.getByRole('table', { name: 'Credit Management' })).toBeVisible();
    await expect(support.getByRole('link', { name: 'Statement', exact: true })).toHaveCount(0);
    await context.close();
    await expect(invoke(server, 'plans.statement', { planId: plan.id, period: 'current' }, 'support')).rejects.toThrow(/forbidden/);
  });

  test('a plan without a price has an empty statement that says why', async ({ openConsole, server }) => {
    const spaceId = server.spaces.StatementFree;
    const activation = Temporal.Now.plainDateISO('UTC').subtract({ days: 3 }).toString();
    const plan = await invoke(server, 'plans.create', {
      spaceId,
      config: { limit: 'channel_specific', credits: { Email: 500 }, renew: 'weekly', rollover: false, overage: false, activation: { date: activation, timeZone: 'Asia/Tokyo' } },
    });
    const page = await openConsole('admin', `/spaces/${spaceId}/plans/${plan.id}/statement`);
    await expect(page.locator('.state-empty')).toContainText('the plan had no price per period then');
    await expect(page.getByRole('button', { name: 'Export CSV' })).toHaveCount(0);
    await expectAccessible(page, 'statement without a price');
  });
});
