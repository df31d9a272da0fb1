import { OverviewPage, WizardPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

const n = (value: number): string => value.toLocaleString('en-US');

test('an edit says what was consumed on step 1, and names the rolled-over part of what remains after saving', async ({ openConsole, server }) => {
  const spaceId = server.spaces.EditRollover;
  // Weekly with roll over, started five weeks ago: unused credits of earlier weeks carry in.
  const start = new Date(Date.now() - 35 * 86_400_000).toISOString().slice(0, 10);
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 40_000, renew: 'weekly', rollover: true, overage: false, activation: { date: start, timeZone: 'UTC' } },
  });
  await invoke(server, 'usage.record', {
    events: [{ id: 'edit-rollover-u1', spaceId, channel: 'SMS', direction: 'MT', credits: 1_545, occurredAt: new Date(Date.now() - 60_000).toISOString() }],
  });
  const state = await invoke(server, 'details.state', { planId: plan.id });
  const pool = state.buckets.find((bucket) => bucket.bucket === 'ALL')!;
  expect(pool.carriedIn).toBeGreaterThan(0);

  const page = await openConsole('admin', `/spaces/${spaceId}/credits`);
  await new OverviewPage(page).planRow(plan.id).getByRole('link', { name: `Edit plan ${plan.id}` }).click();
  const wizard = new WizardPage(page);
  const consumed = page.getByTestId('edit-consumed');
  await expect(consumed).toContainText('This period so far (since');
  await expect(page.getByTestId('consumed-ALL')).toHaveText(
    `All Channels: 1,545 of ${n(pool.allocated)} consumed, ${n(pool.remaining)} left (40,000 allocated + ${n(pool.carriedIn)} rolled over)`,
  );
  await expect(consumed).toContainText('The credits you enter are the new total of this period, what was already consumed included.');
  await page.screenshot({ path: test.info().outputPath('edit-step-1.png'), fullPage: true });

  await page.getByLabel('Total Credits').fill('50000');
  await wizard.next();
  await wizard.expectSummary();
  const after = 50_000 + pool.carriedIn - 1_545;
  await expect(page.getByTestId('impact-ALL')).toHaveText(
    `All Channels: 1,545 consumed — after saving, ${n(after)} available (50,000 new + ${n(pool.carriedIn)} rolled over from earlier periods)`,
  );
  await page.screenshot({ path: test.info().outputPath('edit-step-2.png'), fullPage: true });
});
