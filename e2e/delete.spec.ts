import { OverviewPage } from './pages';
import { invoke } from './support/api';
import { expect, test } from './support/test';

test('deleting asks for confirmation naming the plan; the plan leaves the overview and its history stays', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Delete;
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'channel_specific', credits: { WhatsApp: 40 }, renew: 'weekly', rollover: false, overage: true, activation: { date: '2026-02-01', timeZone: 'Asia/Tokyo' } },
  });
  const page = await openConsole('admin', `/spaces/${spaceId}/credits`);
  const overview = new OverviewPage(page);

  await overview.planRow(plan.id).getByRole('button', { name: `Delete plan ${plan.id}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading')).toHaveText(`Delete credit plan ${plan.id}?`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(overview.planRows()).toHaveCount(1);

  await overview.planRow(plan.id).getByRole('button', { name: `Delete plan ${plan.id}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete plan' }).click();
  await expect(page.getByRole('heading', { name: 'No credit plan yet' })).toBeVisible();
  await expect(overview.historyRows()).toHaveCount(2);
  await expect(overview.historyRows().first()).toContainText('Deleted');
  await expect(overview.historyRows().first()).toContainText(plan.id);
});
