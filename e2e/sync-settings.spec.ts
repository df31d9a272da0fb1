import AxeBuilder from '@axe-core/playwright';
import type { ChildProcess } from 'node:child_process';
import type { ServerInfo } from './support/callers';
import { launchServer } from './support/launch';
import { expect, test as base } from './support/test';

/** A web host of this spec's own: its sync settings change, which no other spec must see. */
const test = base.extend<{ host: ServerInfo }>({
  host: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      let child: ChildProcess | null = null;
      try {
        const launched = await launchServer();
        child = launched.child;
        await use(launched.info);
      } finally {
        if (child !== null && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
          child.kill('SIGTERM');
          await exited;
        }
      }
    },
    { timeout: 60_000 },
  ],
  server: async ({ host }, use) => {
    await use(host);
  },
});

test('the sync settings refuse plain http to another computer and say when a new URL removed the stored token', async ({ openConsole }) => {
  const page = await openConsole('admin', '/sync');
  await expect(page.getByRole('heading', { level: 1, name: 'Sync & notifications' })).toBeVisible();
  const url = page.getByLabel('Central service URL');
  const token = page.getByLabel('Token');
  const save = page.getByRole('button', { name: 'Save settings' });

  await url.fill('http://central.example.com');
  await token.fill('first-token');
  await save.click();
  await expect(page.getByRole('alert')).toHaveText(
    'Plain http:// is allowed only for a central service on this computer (localhost, 127.0.0.1, ::1): the token would cross the network unencrypted. Use https://central.example.com.',
  );

  await url.fill('https://central.example.com');
  await save.click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toHaveText('Saved. The console syncs with this service now.');
  await expect(page.getByText('One is set; leave empty to keep it (a new URL needs its token again).')).toBeVisible();

  // Another address, no token typed: the stored one does not go along.
  await url.fill('https://elsewhere.example.net');
  await save.click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toHaveText(
    'Saved. The console syncs with this service now. The stored token was removed because the URL changed: enter the token for this service.',
  );
  await expect(page.getByText('Issued by the central service (npm run central:token there).')).toBeVisible();
  // The status no longer shows the old service's error, but what is missing.
  await expect(page.getByText('No token is set for this central service: enter one under Settings.')).toBeVisible();
  await expect(page.getByText(/central\.example\.com\)/)).toHaveCount(0);

  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(blocking.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('sync-settings.png'), fullPage: true });
});
