import { expect, type Locator, type Page } from '@playwright/test';

/** Space Config → Credits: the Actual Credit Plans table and the Credit History Logs. */
export class OverviewPage {
  constructor(readonly page: Page) {}

  async open(origin: string, spaceId: string): Promise<void> {
    await this.page.goto(`${origin}/#/spaces/${spaceId}/credits`);
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText('Credits');
  }

  plansTable(): Locator {
    return this.page.getByRole('table', { name: 'Actual Credit Plans' });
  }

  planRows(): Locator {
    return this.plansTable().locator('tbody tr');
  }

  planRow(planId: string): Locator {
    return this.plansTable().locator(`tr[data-plan-id="${planId}"]`);
  }

  newPlanLink(): Locator {
    return this.page.getByRole('link', { name: 'New Credit Plan' });
  }

  historyTable(): Locator {
    return this.page.getByRole('table', { name: 'Credit History Logs' });
  }

  historyRows(): Locator {
    return this.historyTable().locator('tbody tr[data-history-id]');
  }
}
