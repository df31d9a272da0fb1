import AxeBuilder from '@axe-core/playwright';
import { Temporal } from 'temporal-polyfill';
import { invoke } from './support/api';
import { expect, test } from './support/test';

const ZONE = 'Europe/Madrid';

/** A local day as the console writes it (en-GB, e.g. "01 Sept 2026"). */
const day = (date: Temporal.PlainDate): string =>
  new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit', timeZone: ZONE }).format(
    new Date(date.toZonedDateTime({ timeZone: ZONE, plainTime: '12:00' }).epochMilliseconds),
  );

test('event explorer: a support user looks up an event and sees which rolled-over vintage paid it; a refusal shows its reason; not found; axe', async ({ openConsole, server }) => {
  test.setTimeout(60_000);
  const spaceId = server.spaces.Explorer;
  const thisMonth = Temporal.Now.zonedDateTimeISO(ZONE).toPlainDate().with({ day: 1 });
  const twoAgo = thisMonth.subtract({ months: 2 });
  const oneAgo = thisMonth.subtract({ months: 1 });
  const plan = await invoke(server, 'plans.create', {
    spaceId,
    config: { limit: 'all_channels', credits: 100, renew: 'monthly', rollover: true, overage: false, activation: { date: twoAgo.toString(), timeZone: ZONE } },
  });
  const at = (month: Temporal.PlainDate, dayOfMonth: number) => month.with({ day: dayOfMonth }).toZonedDateTime({ timeZone: ZONE, plainTime: '12:00' }).toInstant().toString();
  await invoke(server, 'usage.record', {
    events: [
      // 30 of the first period's 100 credits used: 70 roll over into the next one.
      { id: 'ex-first', spaceId, channel: 'SMS', credits: 30, occurredAt: at(twoAgo, 5), identity: 'agent@example.com', campaign: 'spring' },
      { id: 'ex-paid', spaceId, channel: 'SMS', credits: 90, occurredAt: at(oneAgo, 5), campaign: 'spring' },
      { id: 'ex-refused', spaceId, channel: 'WhatsApp', credits: 500, occurredAt: at(oneAgo, 6) },
    ],
  });

  const page = await openConsole('support', `/spaces/${spaceId}/usage`);
  await expect(page.getByRole('heading', { level: 1, name: 'Usage of Explorer Space' })).toBeVisible();
  const lookup = page.getByTestId('event-lookup');
  await expect(lookup.getByRole('heading', { name: 'Look up a usage event' })).toBeVisible();

  // Keyboard only: type the id, Enter submits.
  await lookup.getByLabel('Usage event id').focus();
  await page.keyboard.type('ex-paid');
  await page.keyboard.press('Enter');
  const result = page.getByTestId('event-explanation');
  await expect(page.getByTestId('event-decision')).toHaveText('Accepted: charged 90 credits');
  await expect(page.getByTestId('event-plan')).toHaveText(`${plan.id}, version 1`);
  const lastOfOneAgo = thisMonth.subtract({ days: 1 });
  await expect(page.getByTestId('event-period')).toHaveText(`${day(oneAgo)} – ${day(lastOfOneAgo)}`);
  // Which vintage paid: the 70 credits rolled over from the first period, then 20 of the period's own allocation.
  const tranches = page.getByTestId('event-tranches').locator('tbody tr');
  await expect(tranches).toHaveCount(2);
  await expect(tranches.nth(0).locator('th')).toHaveText(`Rolled over from the period ${day(twoAgo)} – ${day(oneAgo.subtract({ days: 1 }))}`);
  await expect(tranches.nth(0).locator('td')).toHaveText('70');
  await expect(tranches.nth(1).locator('th')).toHaveText('This period’s allocation');
  await expect(tranches.nth(1).locator('td')).toHaveText('20');
  await expect(page.getByTestId('balance-before')).toHaveText('170');
  await expect(page.getByTestId('balance-after')).toHaveText('80');
  await expect(page.getByTestId('event-balances').locator('tbody tr').first().locator('th')).toHaveText(`Rolled over from the period ${day(twoAgo)} – ${day(oneAgo.subtract({ days: 1 }))}`);
  await expect(result).toContainText('spring');
  await page.screenshot({ path: test.info().outputPath('explorer-accepted.png'), fullPage: true });

  // A refused event: its reason and the balance that refused it.
  await lookup.getByLabel('Usage event id').fill('ex-refused');
  await lookup.getByLabel('Usage event id').press('Enter');
  await expect(page.getByTestId('event-decision')).toHaveText('Rejected: credits exhausted');
  await expect(page.getByTestId('event-refusal')).toHaveText('It needed 500 credits; the all-channels bucket had only 80 plan credits left.');
  await expect(page.getByTestId('event-tranches')).toHaveCount(0);
  await expect(page.getByTestId('balance-before')).toHaveText('80');
  await expect(page.getByTestId('balance-after')).toHaveText('80');
  // The vintage spent before it is left out: the refusal was on the allocation's 80 credits.
  await expect(page.getByTestId('event-balances').locator('tbody tr')).toHaveCount(1);

  // axe on the screen with a result shown.
  await expect(page.locator('.state-loading')).toHaveCount(0);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(blocking).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('explorer-refused.png'), fullPage: true });

  // An id that is not in this space.
  await lookup.getByLabel('Usage event id').fill('no-such-event');
  await lookup.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('event-lookup-result')).toHaveText('No usage event with id no-such-event in this space.');

  // The environment's Usage screen finds the same event.
  await page.goto(`${server.origin}/#/environments/${server.environmentId}/usage`);
  await page.getByTestId('event-lookup').getByLabel('Usage event id').fill('ex-paid');
  await page.getByTestId('event-lookup').getByLabel('Usage event id').press('Enter');
  await expect(page.getByTestId('event-decision')).toHaveText('Accepted: charged 90 credits');
  await expect(page.getByTestId('event-tranches').locator('tbody tr').nth(0).locator('td')).toHaveText('70');
});
