import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { OverviewPage, WizardPage } from './pages';
import { invoke } from './support/api';
import { CentralAdmin, closedPort, withConsoleAndCentral, type ConsoleWithCentral } from './support/central';
import { expect, test as base } from './support/test';

/**
 * The sync conflict flow against real parts: the central service (`src/cli/central.ts`, as
 * `npm run central` starts it, on its embedded database in a temporary folder) on 127.0.0.1 with
 * a port of its own, and a console web host of its own (as the global setup starts one). Its
 * own console, because pointing the shared web host at a central service would push every other
 * spec's plans there (and pull back central states into their details). A second admin, Bea,
 * changes plans on the central service through its HTTP API with a token of her own.
 */

const BEA = 'Bea Central';

interface SyncWorld extends ConsoleWithCentral {
  /** Another admin, working on the central service directly. */
  bea: CentralAdmin;
}

const test = base.extend<{ world: SyncWorld }>({
  world: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) =>
      withConsoleAndCentral({}, async (started) => {
        const ana = new CentralAdmin(started.centralUrl, started.consoleToken, 'Ana Admin');
        const host = started.host;
        // Bea's own token, limited to the fixture environment, made by an admin through the API.
        const { token: beaToken } = await ana.request<{ token: string }>('POST', '/v1/tokens', { name: BEA, role: 'admin', environments: [host.environmentId] });
        const bea = new CentralAdmin(started.centralUrl, beaToken, BEA);
        // The central service learns the organisation (the console's fixture was written straight into its ledger).
        await bea.pushFixtureSpace(host, host.spaces.SyncConflict, 'SyncConflict Space');
        await use({ ...started, bea });
      }),
    { timeout: 90_000 },
  ],
  server: async ({ world }, use) => {
    await use(world.host);
  },
});

/** A fact of the Sync screen's status list ("Status", "Pending changes", …). */
function fact(page: Page, term: string): Locator {
  return page.locator('dl.facts > div').filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) }).locator('dd');
}

/** The cells of a conflict's row for one field: [central, mine]. */
function fieldRow(conflict: Locator, field: string): Locator {
  return conflict.locator('tbody tr').filter({ has: conflict.page().locator('th', { hasText: new RegExp(`^${field}$`) }) });
}
function fieldCells(conflict: Locator, field: string): Locator {
  return fieldRow(conflict, field).locator('td');
}

/**
 * The history log row of one version by one person. By content, not position: the central
 * service keeps instants to the second, so a confirmed version can sort below a local entry of
 * the same second.
 */
function historyRow(page: Page, actor: string, version: number): Locator {
  return new OverviewPage(page)
    .historyRows()
    .filter({ has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${actor}$`) }) })
    .filter({ has: page.locator('td:nth-child(6)', { hasText: new RegExp(`^${version}$`) }) });
}

test.describe.configure({ timeout: 120_000 });

test('an outdated change is set aside side by side; keeping the central version asks first, applying mine re-bases it', async ({ openConsole, server, world }) => {
  const { bea } = world;
  const spaceId = server.spaces.SyncConflict;
  const offlineUrl = `http://127.0.0.1:${await closedPort()}`;
  /** The console loses the central service: every round fails until it is given back. */
  const goOffline = async () => {
    await invoke(server, 'settings.update', { centralUrl: offlineUrl, token: world.consoleToken });
    // A round still under way (the settings' save starts one) answers 'syncing': ask again until
    // a round with the new address has run, which cannot connect.
    await expect.poll(async () => (await invoke(server, 'sync.now', {})).state, { timeout: 30_000 }).toBe('offline');
  };

  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 1_000, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } },
  });

  // 1. The admin points the console at the central service in the Sync settings; the plan goes there.
  const page = await openConsole('admin', '/sync');
  await expect(page.getByRole('heading', { level: 1, name: 'Sync & notifications' })).toBeVisible();
  await expect(fact(page, 'Status')).toHaveText('Not configured');
  await expect(page.getByTestId('pending-changes')).toHaveText('1');
  await page.getByLabel('Central service URL').fill(world.centralUrl);
  await page.getByLabel('Token').fill(world.consoleToken);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toHaveText('Saved. The console syncs with this service now.');
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(fact(page, 'Status')).toHaveText('Connected');
  await expect(fact(page, 'Central service')).toHaveText(world.centralUrl);
  await expect(page.getByTestId('pending-changes')).toHaveText('0');
  expect(await bea.plan(plan.id)).toMatchObject({ version: 1, config: { credits: 1_000 }, createdBy: 'Ana Admin' });
  await expect(page.getByText('No conflicts with the central service.')).toBeVisible();

  // 2. Offline, the admin raises the credits to 2,000 with overage; meanwhile Bea sets 1,500 on the central service.
  await goOffline();
  expect(await bea.edit(plan.id, { credits: 1_500 })).toMatchObject({ version: 2, updatedBy: BEA });
  const overview = new OverviewPage(page);
  await overview.open(server.origin, spaceId);
  await overview.planRow(plan.id).getByRole('link', { name: `Edit plan ${plan.id}` }).click();
  const wizard = new WizardPage(page);
  await expect(wizard.heading()).toHaveText(`Edit credit plan ${plan.id}`);
  await page.getByLabel('Total Credits').fill('2000');
  await wizard.setOverage(true);
  await wizard.next();
  await wizard.expectSummary();
  await wizard.save();
  const row = overview.planRow(plan.id);
  await expect(row.locator('td').nth(2)).toHaveText('2,000');
  await expect(row).toContainText('pending sync');

  // 3. Back online, the sync: the central service refuses the change as outdated.
  await page.goto(`${server.origin}/#/sync`);
  await expect(fact(page, 'Status')).toHaveText('Offline');
  await expect(page.getByTestId('pending-changes')).toHaveText('1');
  await invoke(server, 'settings.update', { centralUrl: world.centralUrl, token: world.consoleToken });
  await page.getByRole('button', { name: 'Sync now' }).click();
  const conflict = page.getByRole('article', { name: `Plan ${plan.id}` });
  await expect(conflict).toContainText('1 change of yours set aside');
  // The central version came down with the same round's pull.
  await expect(conflict.getByRole('columnheader')).toHaveText(['Field', `Central (version 2, ${BEA})`, 'Yours (Ana Admin)']);
  // In the product's words (no raw keys), numbers with separators, the differing rows marked.
  await expect(conflict.locator('tbody th')).toHaveText([
    'Status',
    'Credit limit',
    'Credits, all channels (shared pool)',
    'Renew credits',
    'Roll Over credits',
    'Overage',
    'Credit Plan Activation',
    'Time zone',
  ]);
  await expect(fieldCells(conflict, 'Status')).toHaveText(['In force', 'In force']);
  await expect(fieldCells(conflict, 'Credit limit')).toHaveText(['All Channels', 'All Channels']);
  await expect(fieldCells(conflict, 'Credits, all channels \\(shared pool\\)')).toHaveText(['1,500', '2,000 Differs']);
  await expect(fieldCells(conflict, 'Overage')).toHaveText(['No', 'Yes Differs']);
  await expect(fieldCells(conflict, 'Renew credits')).toHaveText(['Yes — Monthly', 'Yes — Monthly']);
  await expect(conflict).toContainText('2 fields differ, marked below.');
  await expect(conflict.locator('tbody tr.differs')).toHaveCount(2);
  // Marked for the eye too: a differing row has its own background and the table its borders.
  const WARN_SOFT = 'rgb(254, 243, 199)';
  await expect(fieldRow(conflict, 'Overage').locator('td').first()).toHaveCSS('background-color', WARN_SOFT);
  await expect(fieldRow(conflict, 'Renew credits').locator('td').first()).not.toHaveCSS('background-color', WARN_SOFT);
  await expect(conflict.locator('table')).toHaveCSS('border-top-style', 'solid');
  const axe = await new AxeBuilder({ page }).include('.conflict').analyze();
  expect(axe.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
  await conflict.screenshot({ path: test.info().outputPath('conflict-view.png') });
  await expect(fact(page, 'Conflicts')).toHaveText('1');
  await expect(page.getByTestId('pending-changes')).toHaveText('0');

  // 4a. Keeping the central version asks first; Escape and Cancel keep the conflict.
  const keep = conflict.getByRole('button', { name: 'Keep the central version' });
  const dialog = page.getByRole('dialog', { name: `Keep the central version of plan ${plan.id}?` });
  await keep.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`Your change to plan ${plan.id} by Ana Admin will not be applied. It stays in the history log, marked as dropped.`);
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(conflict).toBeVisible();
  await expect(keep).toBeFocused(); // the dialog gives the focus back to what opened it
  await keep.click();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(conflict).toBeVisible();
  await keep.click();
  await dialog.getByRole('button', { name: 'Keep the central version' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('No conflicts with the central service.')).toBeVisible();
  await expect(fact(page, 'Conflicts')).toHaveText('0');

  // The plan has Bea's values; the history log still lists the dropped change, marked as such.
  await overview.open(server.origin, spaceId);
  await expect(row.locator('td').nth(2)).toHaveText('1,500');
  await expect(row.locator('td').nth(5)).toHaveText('No');
  await expect(row).not.toContainText('pending sync');
  // Every version stays in the log, the dropped one too: Ana's version 2 beside Bea's.
  await expect(overview.historyRows()).toHaveCount(3);
  await expect(historyRow(page, 'Ana Admin', 1).locator('td').nth(3)).toHaveText('Created');
  await expect(historyRow(page, BEA, 2).locator('td').nth(8)).toHaveText('1,500');
  const dropped = historyRow(page, 'Ana Admin', 2).locator('td');
  await expect(dropped.nth(3)).toHaveText('UpdatedDropped: central version kept');
  // Two version 2 rows: Bea's says it took effect.
  await expect(historyRow(page, BEA, 2).locator('td').nth(3)).toHaveText('UpdatedTook effect as version 2');
  await expect(dropped.nth(8)).toHaveText('2,000');
  await expect(dropped.nth(11)).toHaveText('Yes');

  // 4b. Again: offline, Bea turns on roll over; the admin sets 3,000. This time the admin's version wins.
  await goOffline();
  expect(await bea.edit(plan.id, { rollover: true })).toMatchObject({ version: 3, updatedBy: BEA });
  await invoke(server, 'plans.edit', { planId: plan.id, baseVersion: 2, patch: { credits: 3_000 } });
  await invoke(server, 'settings.update', { centralUrl: world.centralUrl, token: world.consoleToken });
  await page.goto(`${server.origin}/#/sync`);
  await page.getByRole('button', { name: 'Sync now' }).click();
  const second = page.getByRole('article', { name: `Plan ${plan.id}` });
  await expect(second.getByRole('columnheader')).toHaveText(['Field', `Central (version 3, ${BEA})`, 'Yours (Ana Admin)']);
  await expect(fieldCells(second, 'Credits, all channels \\(shared pool\\)')).toHaveText(['1,500', '3,000 Differs']);
  await expect(fieldCells(second, 'Roll Over credits')).toHaveText(['Yes', 'No Differs']);
  await second.getByRole('button', { name: 'Apply mine on top of it' }).click();
  await expect(page.getByText('No conflicts with the central service.')).toBeVisible();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(fact(page, 'Status')).toHaveText('Connected');
  await expect(page.getByTestId('pending-changes')).toHaveText('0');
  await expect(fact(page, 'Conflicts')).toHaveText('0');
  // The central service took the re-based change: version 4, the admin's values.
  expect(await bea.plan(plan.id)).toMatchObject({ version: 4, updatedBy: 'Ana Admin', config: { credits: 3_000, rollover: false, overage: false } });

  await overview.open(server.origin, spaceId);
  await expect(row.locator('td').nth(2)).toHaveText('3,000');
  await expect(row.locator('td').nth(4)).toHaveText('No');
  await expect(row).not.toContainText('pending sync');
  await expect(overview.historyRows()).toHaveCount(6);
  const rebased = historyRow(page, 'Ana Admin', 4).locator('td');
  await expect(rebased.nth(8)).toHaveText('3,000');
  await expect(rebased.nth(10)).toHaveText('No');
  await expect(rebased.nth(3)).toHaveText('Updated');
  await expect(historyRow(page, BEA, 3).locator('td').nth(10)).toHaveText('Yes');
  // Two version 3 rows: Bea's took effect; Ana's set-aside one did not, as 3: it was applied again (as version 4).
  await expect(historyRow(page, BEA, 3).locator('td').nth(3)).toHaveText('UpdatedTook effect as version 3');
  await expect(historyRow(page, 'Ana Admin', 3).locator('td').nth(3)).toHaveText('UpdatedNot applied as this version: applied again as a later one');
  // The table stays inside its card, the time on one line (it ran ~44 px past it and wrapped onto four).
  const card = await page.locator('section.history').boundingBox();
  const table = await page.locator('.history-table').boundingBox();
  expect(table && card && table.x + table.width <= card.x + card.width + 0.5).toBe(true);
  const when = await historyRow(page, BEA, 3).locator('time').boundingBox();
  expect(when?.height).toBeLessThan(30);
  await page.locator('.history-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('history-after-apply-mine.png'), fullPage: true });

  // The spec ends on the Sync screen, with nothing left to decide.
  await page.goto(`${server.origin}/#/sync`);
  await expect(page.getByText('No conflicts with the central service.')).toBeVisible();
  await expect(page.getByTestId('pending-changes')).toHaveText('0');
});
