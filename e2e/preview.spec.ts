import { expect, test } from './support/test';

test('an account manager previews a draft: boundaries in the plan’s zone and UTC, projection, and saves the draft', async ({ openConsole, server }) => {
  const spaceId = server.spaces.Preview;
  const page = await openConsole('account_manager', `/spaces/${spaceId}/credits`);
  await expect(page.getByTestId('role')).toHaveText('Account manager');
  await expect(page.getByRole('link', { name: 'New Credit Plan' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Preview a draft plan' }).click();

  await page.getByLabel('Total Credits').fill('3000');
  await page.getByRole('switch', { name: 'Renew credits' }).check();
  await page.getByLabel('Renewal period').selectOption({ label: 'Monthly' });
  await page.getByLabel('Activation date').fill('2027-01-31');
  await page.getByLabel('Time zone').fill('America/New_York');
  await page.getByRole('button', { name: 'Preview' }).click();

  const boundaries = page.getByRole('table', { name: 'Next period starts' });
  await expect(boundaries.locator('tbody tr')).toHaveCount(6);
  await expect(boundaries).toContainText('2027-02-28');
  await expect(boundaries).toContainText('Clamped to month end');
  await expect(boundaries).toContainText('UTC offset changed');
  await expect(boundaries).toContainText('2027-01-31T05:00:00Z');
  await expect(page.getByRole('img', { name: /Projected remaining credits/ })).toBeVisible();
  // The projection runs from the activation over the six listed periods, not from today.
  await expect(page.getByText(/^All Channels: about [\d,]+ credits a day/)).toContainText(/(lasts through all 6 periods projected|in \d of the 6 periods projected)/);
  await expect(page.getByRole('img', { name: /Projected remaining credits/ })).toHaveAttribute('aria-label', /from 31 Jan 2027/);

  await page.getByLabel('Draft name').fill('Q1 pool for New York');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Draft “Q1 pool for New York” saved' })).toBeVisible();
  const drafts = page.getByRole('table', { name: 'Saved drafts' });
  await expect(drafts).toContainText('Q1 pool for New York');
  await expect(drafts).toContainText('Manu Manager');

  // Discarding asks first; Cancel keeps the draft.
  await drafts.getByRole('button', { name: 'Discard Q1 pool for New York' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discard the draft “Q1 pool for New York”?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(drafts).toContainText('Q1 pool for New York');
  await drafts.getByRole('button', { name: 'Discard Q1 pool for New York' }).click();
  await dialog.getByRole('button', { name: 'Discard draft' }).click();
  await expect(page.getByText('No saved draft for this space.')).toBeVisible();
  // Saved again so the spec ends on the screen with its draft.
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(drafts).toContainText('Q1 pool for New York');
});
