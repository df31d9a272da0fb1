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

test('the console opens on a screen with its data in the first render: no loading state on the way, one request for the header and the screen', async ({ openConsole, server }) => {
  const spaceId = server.spaces.OpensOnCredits;
  // A plan and three history entries (once: the spec may run again on the same host).
  const plans = await invoke(server, 'plans.list', { spaceId });
  if (plans.length === 0) {
    const plan = await invoke(server, 'plans.create', {
      spaceId,
      config: { limit: 'all_channels', credits: 700, renew: 'weekly', rollover: false, overage: true, activation: { date: '2026-02-01', timeZone: 'Asia/Tokyo' } },
    });
    const edited = await invoke(server, 'plans.edit', { planId: plan.id, baseVersion: plan.version, patch: { credits: 800 } });
    await invoke(server, 'plans.edit', { planId: plan.id, baseVersion: edited.version, patch: { credits: 900 } });
  }
  const page = await openConsole('admin', `/spaces/${spaceId}/credits`);
  await expect(page.getByTestId('history-range')).toHaveText('Entries 1–3');
  // Reopen this tab on the Credits tab (the secret stays in the tab's session storage), watching
  // every loading state the page puts in the document from its very start.
  // (A script string: the e2e code is typed without the DOM's globals.)
  await page.addInitScript(`
    const seen = new Set();
    window.loadingStates = () => [...seen].map((element) => element.textContent);
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (!(node instanceof Element)) continue;
          if (node.matches('.state-loading')) seen.add(node);
          node.querySelectorAll('.state-loading').forEach((element) => seen.add(element));
        }
      }
    }).observe(document, { childList: true, subtree: true });
  `);
  let sent: string[][] = [];
  // Only the new document's requests: the old one may still refetch before the reload commits
  // (another spec's change on the same host invalidates its queries), and that is not the opening.
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) sent = [];
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/batch') sent.push((request.postDataJSON() as { calls: { name: string }[] }).calls.map((call) => call.name));
    else if (url.pathname.startsWith('/api/invoke/')) sent.push([url.pathname.replace('/api/invoke/', '')]);
  });
  await page.reload();
  await expect(page.getByTestId('history-range')).toHaveText('Entries 1–3');
  await expect(page.getByRole('table', { name: 'Actual Credit Plans' }).locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('role')).toHaveText('Admin');
  // The page's own static placeholder, replaced by the first render; nothing React renders is a loading state.
  expect(await page.evaluate('window.loadingStates()')).toEqual(['Loading the console…']);
  expect(sent[0]).toEqual(expect.arrayContaining(['session.whoami', 'sync.status', 'spaces.get', 'plans.list', 'history.list']));
});
