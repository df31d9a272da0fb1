import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { Temporal } from 'temporal-polyfill';
import type { ChangeInput } from '../src/shared/sync';
import { invoke } from './support/api';
import { CentralAdmin, closedPort, withConsoleAndCentral, type ConsoleWithCentral } from './support/central';
import { expect, test as base } from './support/test';

/**
 * The event explorer for events the central service decided, against real parts: the central
 * service on its embedded database, a console started empty that syncs with it. The messaging
 * platform's events reach the console only as 15-minute totals; a support user looks one up
 * and sees the central service's explanation — which rolled-over vintage paid it — marked as
 * decided there; with the central service out of reach, the lookup says so.
 */

const test = base.extend<{ world: ConsoleWithCentral }>({
  world: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => withConsoleAndCentral({ E2E_EMPTY: '1' }, use),
    { timeout: 90_000 },
  ],
  server: async ({ world }, use) => {
    await use(world.host);
  },
});

test.describe.configure({ timeout: 90_000 });

const day = (date: Temporal.PlainDate): string =>
  new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit', timeZone: 'UTC' }).format(new Date(`${date.toString()}T12:00:00Z`));

test('a support user looks up an event the central service decided and sees which vintage paid it, marked as decided there; offline, the lookup says so', async ({ openConsole, server, world }) => {
  const thisMonth = Temporal.Now.plainDateISO('UTC').with({ day: 1 });
  const twoAgo = thisMonth.subtract({ months: 2 });
  const oneAgo = thisMonth.subtract({ months: 1 });
  const at = (month: Temporal.PlainDate, dayOfMonth: number) => `${month.with({ day: dayOfMonth }).toString()}T12:00:00Z`;
  const bea = new CentralAdmin(world.centralUrl, world.consoleToken, 'Bea Central');
  const change = (fields: Record<string, unknown>) => ({ id: randomUUID(), at: `${twoAgo.toString()}T00:00:00Z`, actor: 'Bea Central', ...fields }) as ChangeInput;
  const results = await bea.push(
    change({ kind: 'environment.upsert', environment: { id: 'env-c', name: 'Central Env' } }),
    change({ kind: 'space.upsert', space: { id: 'space-c', environmentId: 'env-c', name: 'Central Space', accountManager: { name: 'Alex Manager', email: 'alex@example.com' } } }),
    change({ kind: 'channel.upsert', spaceId: 'space-c', channel: 'SMS', bidirectional: true }),
    change({
      kind: 'plan.create',
      planId: 'plan-c',
      spaceId: 'space-c',
      baseVersion: 0,
      config: { limit: 'all_channels', credits: 100, renew: 'monthly', rollover: true, overage: false, activation: { date: twoAgo.toString(), timeZone: 'UTC' } },
    }),
  );
  expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
  // The messaging platform's traffic: 30 of the first period's 100 credits, so 70 roll over.
  await bea.request('POST', '/v1/usage/batch', {
    events: [
      { id: 'pf-first', spaceId: 'space-c', channel: 'SMS', credits: 30, occurredAt: at(twoAgo, 5) },
      { id: 'pf-paid', spaceId: 'space-c', channel: 'SMS', credits: 90, occurredAt: at(oneAgo, 5) },
    ],
  });

  await invoke(server, 'settings.update', { centralUrl: world.centralUrl, token: world.consoleToken });
  await expect.poll(async () => (await invoke(server, 'sync.now', {})).state, { timeout: 30_000 }).toBe('connected');

  const page = await openConsole('support', '/spaces/space-c/usage');
  await expect(page.getByRole('heading', { level: 1, name: 'Usage of Central Space' })).toBeVisible();
  const lookup = page.getByTestId('event-lookup');
  await lookup.getByLabel('Usage event id').fill('pf-paid');
  await lookup.getByLabel('Usage event id').press('Enter');
  await expect(page.getByTestId('event-decision')).toHaveText('Accepted: charged 90 credits');
  await expect(page.getByTestId('event-decided-by')).toContainText('Decided by the central service');
  await expect(page.getByTestId('event-plan')).toHaveText('plan-c, version 1');
  const tranches = page.getByTestId('event-tranches').locator('tbody tr');
  await expect(tranches).toHaveCount(2);
  await expect(tranches.nth(0).locator('th')).toHaveText(`Rolled over from the period ${day(twoAgo)} – ${day(oneAgo.subtract({ days: 1 }))}`);
  await expect(tranches.nth(0).locator('td')).toHaveText('70');
  await expect(tranches.nth(1).locator('td')).toHaveText('20');
  await expect(page.getByTestId('balance-before')).toHaveText('170');
  await expect(page.getByTestId('balance-after')).toHaveText('80');
  await expect(page.locator('.state-loading')).toHaveCount(0);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('explorer-central.png'), fullPage: true });

  // Neither this console nor the central service knows the id.
  await lookup.getByLabel('Usage event id').fill('pf-nowhere');
  await lookup.getByLabel('Usage event id').press('Enter');
  await expect(page.getByTestId('event-lookup-result')).toHaveText('No usage event with id pf-nowhere in this space, on this console or at the central service.');

  // The central service out of reach: the lookup says so, and why.
  await invoke(server, 'settings.update', { centralUrl: `http://127.0.0.1:${await closedPort()}`, token: world.consoleToken });
  await lookup.getByLabel('Usage event id').fill('pf-first');
  await lookup.getByLabel('Usage event id').press('Enter');
  await expect(page.getByTestId('event-lookup-result')).toContainText('No usage event with id pf-first in this space on this console, and the central service could not be reached:');
  await page.screenshot({ path: test.info().outputPath('explorer-central-offline.png'), fullPage: true });
});
