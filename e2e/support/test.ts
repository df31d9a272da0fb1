import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { Role } from '../../src/shared/api';
import type { ServerInfo } from './callers';

function serverInfo(): ServerInfo {
  const fromEnv = process.env.E2E_SERVER_INFO;
  if (fromEnv) return JSON.parse(fromEnv) as ServerInfo;
  return JSON.parse(readFileSync(path.join(process.cwd(), 'test-results', '.e2e-server.json'), 'utf8')) as ServerInfo;
}

export interface ConsoleFixtures {
  server: ServerInfo;
  /** Open the console as `role` (secret in the fragment, as the host prints it) at a route like `/spaces/x/credits`. */
  openConsole: (role: Role, route?: string) => Promise<Page>;
  /** Saves a screenshot of the screen each spec ends on. */
  endScreenshot: void;
}

export const test = base.extend<ConsoleFixtures>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use) => {
    await use(serverInfo());
  },
  openConsole: async ({ page, server }, use) => {
    await use(async (role, route = '/') => {
      await page.goto(`${server.origin}/#secret=${server.secrets[role]}`);
      await expect(page.getByTestId('role')).toBeVisible();
      if (route !== '/') await page.goto(`${server.origin}/#${route}`);
      return page;
    });
  },
  endScreenshot: [
    async ({ page }, use, testInfo) => {
      await use();
      await page.screenshot({ path: testInfo.outputPath('end.png'), fullPage: true }).catch(() => undefined);
    },
    { auto: true },
  ],
});

export { expect };
