/**
 * The screens' speed, end to end in Chromium against the real web host and SQLite:
 *  1. web-host start → Credits Overview rendered with data (target ≤ 1 s);
 *  2. with 1,000,000 history entries: the first history page and each further page (target ≤ 100 ms),
 *     on screen and as the raw `history.list` call.
 * Run: npm run bench -- ui   (needs /usr/bin/chromium and a built renderer: npx electron-vite build)
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Page } from 'playwright-core';
import { openLedger } from '../src/main/ledger';
import { invoke } from '../e2e/support/api';
import { launchServer } from '../e2e/support/launch';

const HISTORY_ENTRIES = Number(process.env.UI_BENCH_HISTORY ?? 1_000_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Pad the log with copies of the space's first entry, older and older, straight into SQLite. */
function fillHistory(ledgerPath: string, count: number): number {
  const ledger = openLedger(ledgerPath);
  try {
    const started = performance.now();
    // The copies reuse one plan version, so the (plan, version) foreign key is set aside for the fill.
    ledger.db.pragma('foreign_keys = OFF');
    ledger.db.exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
      INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes)
      SELECT h.plan_ref, h.plan_id, h.space_id, h.version + n.i, 'updated', h.actor, h.at - n.i * 60000, h.plan, h.changes
      FROM (SELECT * FROM history_log ORDER BY seq LIMIT 1) h, n;
    `);
    return performance.now() - started;
  } finally {
    ledger.close();
  }
}

/** Open the console from the address the host printed, then its Credits Overview; the time of each step. */
async function overviewRendered(page: Page, url: string, spaceId: string): Promise<{ loaded: number; signedIn: number; overview: number }> {
  const t = performance.now();
  await page.goto(url);
  const loaded = performance.now() - t;
  await page.getByTestId('role').waitFor();
  const signedIn = performance.now() - t;
  await page.goto(url.replace(/#.*$/, `#/spaces/${spaceId}/credits`));
  await page.locator('table[aria-labelledby="actual-plans-title"] tbody tr').first().waitFor();
  return { loaded, signedIn, overview: performance.now() - t };
}

/**
 * Click "Older →" inside the page and time until the new range is on screen, measured by the
 * page's own clock (a Playwright round trip per poll would add its own latency to the figure).
 */
async function olderPage(page: Page, expected: string): Promise<number> {
  const script = `(async () => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.includes('Older'));
    const status = document.querySelector('[data-testid="history-range"]');
    const t = performance.now();
    button.click();
    await new Promise((resolve) => { const check = () => (status.textContent.includes(${JSON.stringify(expected)}) ? resolve() : requestAnimationFrame(check)); check(); });
    return performance.now() - t;
  })()`;
  return (await page.evaluate(script)) as number;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ui-bench-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    // Prepare: one plan, then stop the host.
    const first = await launchServer({ E2E_DATA_DIR: dataDir });
    const spaceId = first.info.spaces.Create;
    await invoke(first.info, 'plans.create', {
      spaceId,
      config: { limit: 'all_channels', credits: 5000, renew: 'monthly', rollover: true, overage: false, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } },
    });
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));

    // 1. Start → overview with data (the browser is already running, as a user's would be).
    const page = await browser.newPage();
    const started = performance.now();
    const second = await launchServer({ E2E_DATA_DIR: dataDir });
    const ready = performance.now() - started;
    const steps = await overviewRendered(page, `${second.info.origin}/#secret=${second.info.secrets.admin}`, spaceId);
    const rendered = performance.now() - started;
    console.log(`web-host start → listening: ${ms(ready)}; → overview rendered with data: ${ms(rendered)} (target ≤ 1000 ms)`);
    console.log(`  after listening: page loaded ${ms(steps.loaded)}, role shown ${ms(steps.signedIn)}, overview rows ${ms(steps.overview)}`);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));

    // 2. A million history entries.
    const ledgerPath = readdirSync(dataDir).find((name) => /\.(db|sqlite|ledger)$/.test(name));
    if (!ledgerPath) throw new Error(`no ledger file in ${dataDir}`);
    const fill = fillHistory(path.join(dataDir, ledgerPath), HISTORY_ENTRIES);
    console.log(`filled ${HISTORY_ENTRIES.toLocaleString('en-US')} history entries in ${ms(fill)}`);
    const third = await launchServer({ E2E_DATA_DIR: dataDir });
    const api: number[] = [];
    let cursor: string | null = null;
    for (let pageIndex = 0; pageIndex < 20; pageIndex += 1) {
      const t = performance.now();
      const result: { nextCursor: string | null } = await invoke(third.info, 'history.list', { filter: { spaceId }, cursor, limit: 50 });
      api.push(performance.now() - t);
      cursor = result.nextCursor;
    }
    console.log(`history.list over HTTP, 50 a page: first ${ms(api[0] ?? NaN)}, median of next 19 ${ms(median(api.slice(1)))}, max ${ms(Math.max(...api.slice(1)))}`);

    const screen = await browser.newPage();
    await screen.goto(`${third.info.origin}/#secret=${third.info.secrets.admin}`);
    await screen.getByTestId('role').waitFor();
    const t0 = performance.now();
    await screen.goto(`${third.info.origin}/#/spaces/${spaceId}/credits`);
    await screen.getByTestId('history-range').filter({ hasText: 'Entries 1–50' }).waitFor();
    const firstPage = performance.now() - t0;
    const further: number[] = [];
    for (let n = 2; n <= 11; n += 1) {
      further.push(await olderPage(screen, `Entries ${(n - 1) * 50 + 1}–${n * 50}`));
      // Let the prefetch of the following page land, as it would while a person reads.
      await screen.waitForTimeout(150);
    }
    console.log(`on screen: first history page (navigation → rows) ${ms(firstPage)}; further pages median ${ms(median(further))}, max ${ms(Math.max(...further))} (target ≤ 100 ms)`);
    third.child.kill('SIGTERM');
    await new Promise((resolve) => third.child.once('exit', resolve));
  } finally {
    await browser.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
