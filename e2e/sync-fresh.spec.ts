import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { invoke } from './support/api';
import { CentralAdmin, withConsoleAndCentral, type ConsoleWithCentral } from './support/central';
import { expect, test as base } from './support/test';

/**
 * Screens follow what a pull brings, against real parts: a console started empty (as `--empty`
 * starts one; a web host of its own) and the central service on its embedded database. Another
 * admin adds an environment on the central service; the console's sync brings it in and the
 * Environments screen, open all along, shows it without a reload.
 */

interface World extends ConsoleWithCentral {
  bea: CentralAdmin;
}

const test = base.extend<{ world: World }>({
  world: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) =>
      withConsoleAndCentral({ E2E_EMPTY: '1' }, async (started) => {
        // Bea works with an all-environments token too (a new environment is outside any narrower one).
        const beaToken = await createTokenWhileRunning(started.centralUrl, started.consoleToken);
        await use({ ...started, bea: new CentralAdmin(started.centralUrl, beaToken, 'Bea Central') });
      }),
    { timeout: 90_000 },
  ],
  server: async ({ world }, use) => {
    await use(world.host);
  },
});

/** An admin token of Bea's own, made through the API by the console's admin. */
async function createTokenWhileRunning(url: string, adminToken: string): Promise<string> {
  const ana = new CentralAdmin(url, adminToken, 'Ana Admin');
  return (await ana.request<{ token: string }>('POST', '/v1/tokens', { name: 'Bea Central', role: 'admin', environments: null })).token;
}

test.describe.configure({ timeout: 90_000 });

test('an empty console says how to sync; an environment a sync brings in appears on the open Environments screen', async ({ openConsole, server, world }) => {
  const page = await openConsole('admin', '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Environments' })).toBeVisible();
  const empty = page.locator('.state-empty');
  await expect(empty).toContainText('No environment yet.');
  await expect(empty).toContainText('set the central service’s URL and a token in the Sync settings');
  const link = empty.getByRole('link', { name: 'Open the Sync settings' });
  await page.screenshot({ path: test.info().outputPath('empty-console.png') });
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);

  // The link leads to the settings; the admin sets them there and comes back.
  await link.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sync & notifications' })).toBeVisible();
  await page.getByLabel('Central service URL').fill(world.centralUrl);
  await page.getByLabel('Token').fill(world.consoleToken);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.goto(`${server.origin}/#/`);
  await expect(empty).toContainText('No environment yet.');

  // Bea adds an environment on the central service; the console's sync (not this page) pulls it.
  const at = new Date().toISOString();
  const [result] = await world.bea.push({ id: randomUUID(), kind: 'environment.upsert', at, actor: 'Bea Central', environment: { id: 'env-fresh', name: 'Freshly Synced' } });
  expect(result?.status).toBe('applied');
  // A background sync may be running (started by the settings' save): Sync now then answers
  // 'syncing'; asked again until a sync that began after the push has finished.
  await expect.poll(async () => (await invoke(server, 'sync.now', {})).state, { timeout: 30_000 }).toBe('connected');
  await expect(page.getByRole('list', { name: 'Environments' }).getByRole('link', { name: 'Freshly Synced' })).toBeVisible();

  // A space brought in later shows in the environment's count, again without a reload.
  await world.bea.push({
    id: randomUUID(),
    kind: 'space.upsert',
    at: new Date().toISOString(),
    actor: 'Bea Central',
    space: { id: 'space-fresh', environmentId: 'env-fresh', name: 'Fresh Space', accountManager: { name: 'Alex Manager', email: 'alex.manager@example.com' } },
  });
  await expect(page.getByRole('list', { name: 'Environments' }).getByText('0 spaces')).toBeVisible();
  await expect.poll(async () => (await invoke(server, 'sync.now', {})).state, { timeout: 30_000 }).toBe('connected');
  await expect(page.getByRole('list', { name: 'Environments' }).getByText('1 space')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('synced-environment.png') });
});
