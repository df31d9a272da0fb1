import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { OverviewPage } from './pages';
import { invoke } from './support/api';
import { CentralAdmin, withConsoleAndCentral, type ConsoleWithCentral } from './support/central';
import { expect, test as base } from './support/test';

/**
 * Add-on credits through sync, against real parts: a central service on its embedded database
 * and a console web host of its own (see sync-conflict.spec.ts). An admin gives a top-up while
 * another admin has deleted the plan on the central service: the sync refuses it, and the
 * console keeps it on record, tagged, without counting it.
 */

const BEA = 'Bea Central';

const test = base.extend<{ world: ConsoleWithCentral & { bea: CentralAdmin } }>({
  world: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) =>
      withConsoleAndCentral({}, async (started) => {
        const bea = new CentralAdmin(started.centralUrl, started.consoleToken, BEA);
        await bea.pushFixtureSpace(started.host, started.host.spaces.SyncConflict, 'SyncConflict Space');
        await use({ ...started, bea });
      }),
    { timeout: 90_000 },
  ],
  server: async ({ world }, use) => {
    await use(world.host);
  },
});

test.describe.configure({ timeout: 120_000 });

test('a top-up the central service refuses (its plan was deleted there) stays on record, tagged, and no longer counts', async ({ openConsole, server, world }) => {
  const { bea } = world;
  const spaceId = server.spaces.SyncConflict;
  const syncRound = async () => {
    // A round under way answers 'syncing': ask until one has run to its end.
    await expect.poll(async () => (await invoke(server, 'sync.now', {})).state, { timeout: 30_000 }).toBe('connected');
  };

  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 1_000, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } },
  });
  await invoke(server, 'settings.update', { centralUrl: world.centralUrl, token: world.consoleToken });
  await syncRound();
  expect(await bea.plan(plan.id)).toMatchObject({ version: 1 });

  // Bea deletes the plan on the central service; the console has not heard of it yet.
  const [deleted] = await bea.push({ id: randomUUID(), kind: 'plan.delete', at: new Date().toISOString(), actor: BEA, planId: plan.id, baseVersion: 1 });
  expect(deleted?.status).toBe('applied');

  // The admin gives 50 never-expiring credits from the plan's details.
  const page = await openConsole('admin', `/spaces/${spaceId}/plans/${plan.id}`);
  await page.getByRole('button', { name: 'Add credits' }).click();
  const dialog = page.getByRole('dialog', { name: `Add credits to plan ${plan.id}` });
  await dialog.getByLabel('Credits', { exact: true }).fill('50');
  await dialog.getByLabel('Credits', { exact: true }).press('Enter');
  await dialog.getByRole('button', { name: 'Confirm: add credits' }).click();
  await expect(dialog).toBeHidden();
  const credits = await invoke(server, 'plans.credits', { planId: plan.id });
  expect(credits.map((c) => c.id)).toHaveLength(1);

  // The sync: the central service refuses the top-up (its plan is deleted) and the deletion comes down.
  await syncRound();
  const overview = new OverviewPage(page);
  await overview.open(server.origin, spaceId);
  const row = overview.historyRows().filter({ hasText: 'Credits added' });
  await expect(row).toHaveCount(1);
  const tag = row.locator('.tag.sync-refused');
  await expect(tag).toHaveText('Refused by the central service: kept on this console only');
  await expect(tag).toHaveCSS('color', 'rgb(185, 28, 28)');
  await row.screenshot({ path: test.info().outputPath('refused-top-up.png') });
  await page.screenshot({ path: test.info().outputPath('history-with-refused-top-up.png'), fullPage: true });
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
  // Kept on record, and the central service never stored it.
  expect(await invoke(server, 'plans.credits', { planId: plan.id })).toHaveLength(1);
  expect((await bea.plan(plan.id)).deletedAt).not.toBeNull();
});
