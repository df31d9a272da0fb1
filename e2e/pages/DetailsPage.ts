import type { Locator, Page } from '@playwright/test';

/** A plan's details: plan information, Credit Management, Credits Used by Channel. */
export class DetailsPage {
  constructor(readonly page: Page) {}

  info(term: string): Locator {
    return this.page.locator('dl.facts div').filter({ has: this.page.locator('dt', { hasText: term }) }).locator('dd');
  }

  creditManagement(): Locator {
    return this.page.getByRole('table', { name: 'Credit Management' });
  }

  usedTable(): Locator {
    return this.page.getByRole('table', { name: 'Credits used by channel' });
  }

  async chooseRange(label: string): Promise<void> {
    await this.page.getByLabel('Time filter').selectOption({ label });
  }

  usedCell(channel: string): Locator {
    return this.usedTable().locator(`tr[data-channel="${channel}"] td`).first();
  }

  grandTotal(): Locator {
    return this.usedTable().getByTestId('grand-total').locator('td').first();
  }
}
