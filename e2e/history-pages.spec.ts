import { OverviewPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

test('the history log pages 50 entries at a time, newest first, and every entry of the first page is in the table', async ({ openConsole, server }) => {
  const spaceId = server.spaces.HistoryPages;
  let plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 1000, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });
  // 59 edits: 60 entries, one page and ten more.
  for (let n = 1; n <= 59; n += 1) {
    plan = await invoke(server, 'plans.edit', { planId: plan.id, baseVersion: plan.version, patch: { credits: 1000 + n } });
  }

  const page = await openConsole('admin', `/spaces/${spaceId}/credits`);
  const overview = new OverviewPage(page);
  const range = page.getByTestId('history-range');
  await expect(range).toHaveText('Entries 1–50');
  // The table draws the rows a window shows first and the rest the frame after: all 50 end up in it.
  await expect(overview.historyRows()).toHaveCount(50);
  const version = (row: number) => overview.historyRows().nth(row).locator('td').nth(5);
  await expect(version(0)).toHaveText('60');
  await expect(version(49)).toHaveText('11');
  await expect(overview.historyRows().nth(49)).toContainText('1,010');
  // The screen's heading takes the focus once the screen is drawn, for keyboard users.
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();

  await page.getByRole('button', { name: 'Older →' }).click();
  await expect(range).toHaveText('Entries 51–60');
  await expect(overview.historyRows()).toHaveCount(10);
  await expect(overview.historyRows().last()).toContainText('Created');
  await expect(page.getByRole('button', { name: 'Older →' })).toBeDisabled();

  await page.getByRole('button', { name: '← Newer' }).click();
  await expect(range).toHaveText('Entries 1–50');
  await expect(overview.historyRows()).toHaveCount(50);
});

test('a screen’s first reads travel to the console together, in one request', async ({ openConsole, server }) => {
  const spaceId = server.spaces.HistoryPages;
  const page = await openConsole('admin');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Environments');
  const sent: { path: string; names: string[] }[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/api/') || url.pathname === '/api/events') return;
    const body = request.postDataJSON() as { calls?: { name: string }[] } | null;
    sent.push({ path: url.pathname, names: body?.calls?.map((call) => call.name) ?? [url.pathname.replace('/api/invoke/', '')] });
  });
  await page.evaluate(`location.hash = ${JSON.stringify(`#/spaces/${spaceId}/credits`)}`);
  await expect(page.getByTestId('history-range')).toHaveText('Entries 1–50');
  // (Other specs write meanwhile, and their change events make this page read again: look for this screen's reads.)
  const together = sent.find((request) => request.path === '/api/batch' && request.names.includes('spaces.get'));
  expect(together?.names).toEqual(expect.arrayContaining(['spaces.get', 'plans.list', 'history.list']));
  const before = sent.slice(0, together ? sent.indexOf(together) : sent.length);
  expect(before.filter((request) => request.names.some((name) => ['spaces.get', 'plans.list', 'history.list'].includes(name)))).toEqual([]);
});
