import path from 'node:path';
import Database from 'better-sqlite3';
import type { PlanStateRecord } from '../src/shared/sync';
import { LEDGER_FILE } from '../src/main/host/open-console';
import { DetailsPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

/**
 * Plan details say where the balances come from: this console's ledger, or the central
 * service's state as of its last report, plus what this console counted that it has not. The
 * central state is written into the host's ledger file as a pull stores it
 * (`central_plan_states`; the row is read on every details query, nothing caches it).
 */
test("the balances show their source: this console, or the central service's report plus local usage it has not counted", async ({ openConsole, server }) => {
  const spaceId = server.spaces.Central;
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 1_000, renew: null, rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'UTC' } },
  });
  const occurredAt = new Date(Date.now() - 60 * 60 * 1000).toISOString();
  await invoke(server, 'usage.record', { events: [{ id: 'central-u1', spaceId, channel: 'SMS', direction: 'MT', credits: 7, occurredAt }] });

  const page = await openConsole('admin', `/spaces/${spaceId}/plans/${plan.id}`);
  const details = new DetailsPage(page);
  await expect(page.getByTestId('balance-source')).toHaveText('Counted on this console (no report of this version from the central service).');
  await expect(details.creditManagement().getByTestId('pool-used')).toHaveText('7');

  // The central service reported 300 used for this version (none of it in this console's slot).
  const at = new Date(Date.now() - 5 * 60 * 1000);
  at.setUTCMilliseconds(0);
  const state: PlanStateRecord = {
    planId: plan.id,
    version: plan.version,
    at: at.toISOString().replace('.000Z', 'Z'),
    period: { index: 0, start: '2026-01-01T00:00:00Z', end: null },
    buckets: { ALL: { allocated: 1_000, used: 300, remaining: 700, carriedIn: 0, overage: { added: 0, at: null } } },
  };
  const ledger = new Database(path.join(server.dataDir, LEDGER_FILE));
  try {
    ledger.prepare('INSERT INTO central_plan_states (plan_id, version, at, state) VALUES (?, ?, ?, ?)').run(plan.id, plan.version, at.getTime(), JSON.stringify(state));
  } finally {
    ledger.close();
  }
  await page.reload();
  await expect(page.getByTestId('balance-source')).toContainText('from the central service. Includes 7 used on this console that the central service has not counted yet.');
  await expect(page.getByTestId('balance-source')).toContainText('As of ');
  await expect(details.creditManagement().getByTestId('pool-used')).toHaveText('307');
  await expect(details.creditManagement().getByTestId('pool-remaining')).toHaveText('693');
});
