import { expect, type Locator, type Page } from '@playwright/test';

/** The two-step credit plan wizard, in the words a user would use. */
export class WizardPage {
  constructor(readonly page: Page) {}

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  async chooseAllChannels(): Promise<void> {
    await this.page.getByRole('radio', { name: 'All channels' }).check();
  }

  async chooseChannelSpecific(): Promise<void> {
    await this.page.getByRole('radio', { name: 'Channel specific' }).check();
  }

  /** An all-channels plan's one pool: a plain field. */
  async setTotalCredits(credits: number | string): Promise<void> {
    await this.page.getByLabel('Total Credits').fill(String(credits));
  }

  channelSelect(): Locator {
    return this.page.getByLabel('Channel', { exact: true });
  }

  /** The channels the dropdown offers (without its placeholder). */
  async offeredChannels(): Promise<string[]> {
    const options = await this.channelSelect().locator('option').allTextContents();
    return options.filter((text) => !text.endsWith('…') && !text.startsWith('No uncovered'));
  }

  async addChannel(channel: string, credits: number | string): Promise<void> {
    await this.channelSelect().selectOption(channel);
    await this.page.getByLabel('Credits', { exact: true }).fill(String(credits));
    await this.page.getByRole('button', { name: 'Add', exact: true }).click();
  }

  addedTable(): Locator {
    return this.page.getByRole('table', { name: 'Credits added' });
  }

  async setRenew(period: string | null): Promise<void> {
    const toggle = this.page.getByRole('switch', { name: 'Renew credits' });
    if (period === null) {
      await toggle.uncheck();
      return;
    }
    await toggle.check();
    await this.page.getByLabel('Renewal period').selectOption({ label: period });
  }

  rolloverSwitch(): Locator {
    return this.page.getByRole('switch', { name: 'Roll Over credits' });
  }

  /** Overage Off or Once (+100 %). */
  async setOverage(on: boolean): Promise<void> {
    await this.setOverageMode(on ? 'Once (+100 %)' : 'Off');
  }

  async setOverageMode(mode: 'Off' | 'Once (+100 %)' | 'Metered'): Promise<void> {
    await this.page.getByRole('radiogroup', { name: 'Overage' }).getByRole('radio', { name: mode, exact: true }).check();
  }

  policiesButton(): Locator {
    return this.page.getByRole('button', { name: /^Policies/ });
  }

  /** Opens the optional Policies section (closed by default) if it is not open yet. */
  async openPolicies(): Promise<void> {
    const button = this.policiesButton();
    if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  }

  async setActivation(date: string, timeZone: string): Promise<void> {
    await this.page.getByLabel('Activation date').fill(date);
    await this.page.getByLabel('Time zone').fill(timeZone);
  }

  async next(): Promise<void> {
    await this.page.getByRole('button', { name: 'Next' }).click();
  }

  async expectSummary(): Promise<void> {
    await expect(this.page.getByRole('heading', { name: 'Summary Credit' })).toBeVisible();
  }

  summaryTable(): Locator {
    return this.page.getByRole('table', { name: 'Credits assigned to the delivery channels' });
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: 'Back' }).click();
  }

  async save(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save' }).click();
  }
}
