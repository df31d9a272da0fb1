import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import type { UsageReport } from '../../shared/api/usage-report';
import { usageBatchResponseSchema, type UsageEventRequest } from '../../shared/sync';
import { describeOnBackends, type TestCentral } from '../../central/testing';
import { SLOT_MS } from '../ledger';
import { createSpaceOn, startCentralAndTwoConsoles, stopCentralAndTwoConsoles, type TestConsole } from './testing';

/**
 * Who and which campaign, for traffic the central service authorized: the platform posts events
 * with identities and campaigns to the central service (real HTTP on loopback); console A also
 * imported half of the same events from a file, console B none. After a pull both Usage reports
 * show every identity and campaign with the central counts, per channel too, and no event twice
 * — in a zone whose midnights are off the hour (+05:45), so that slots, not hours, must line up.
 */

const ZONE = 'Asia/Kathmandu';
const plan: PlanConfig = {
  limit: 'all_channels',
  credits: 100_000,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: ZONE },
};

type Named = Record<string, { used: number; mo: number; rejected: number }>;

function named(shares: UsageReport['byIdentity']): Named {
  const out: Named = {};
  for (const s of shares) out[s.kind === 'named' ? s.name! : `(${s.kind})`] = { used: s.used, mo: s.mo, rejected: s.rejected };
  return out;
}

await describeOnBackends('central usage by identity and campaign in the Usage report', (backend) => {
  let central: TestCentral;
  let a: TestConsole;
  let b: TestConsole;
  beforeAll(async () => {
    ({ central, a, b } = await startCentralAndTwoConsoles(backend));
  }, 60_000);
  afterAll(() => stopCentralAndTwoConsoles({ central, a, b }));

  it('shows identities and campaigns of centrally authorized traffic, an imported copy counted once', async () => {
    createSpaceOn(a, { environmentId: 'ENV-LBL', spaceId: 'SP-LBL' }, { name: 'Ana', email: 'ana@example.com' }, [
      { channel: 'SMS', bidirectional: true },
      { channel: 'WhatsApp', bidirectional: false },
    ]);
    a.services.plans.create('SP-LBL', plan, 'alice');
    a.connect(central.central.url, central.admin.token!);
    await a.settle();

    const now = Date.now();
    const first = Math.floor(now / SLOT_MS) * SLOT_MS - 3 * 3_600_000;
    const identities = ['+34600000001', 'ana@example.com', 'client "7"', undefined];
    const campaigns = ['spring', 'winter sale', undefined];
    const events: UsageEventRequest[] = Array.from({ length: 48 }, (_, i) => ({
      id: `lbl-${i}`,
      spaceId: 'SP-LBL',
      channel: i % 3 === 0 ? 'WhatsApp' : 'SMS',
      direction: i % 7 === 6 ? 'MO' : 'MT',
      credits: 1 + (i % 5),
      occurredAt: new Date(Math.min(first + i * 4 * 60_000, now - 1_000)).toISOString(),
      ...(identities[i % 4] === undefined ? {} : { identity: identities[i % 4] }),
      ...(campaigns[i % 3] === undefined ? {} : { campaign: campaigns[i % 3] }),
    }));
    const answer = await central.admin.post('/v1/usage/batch', { events });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(usageBatchResponseSchema.parse(answer.body).decisions.every((d) => d.accepted)).toBe(true);

    const expected = (key: 'identity' | 'campaign'): Named => {
      const out: Named = {};
      for (const e of events) {
        const name = e[key] ?? '(none)';
        const cell = (out[name] ??= { used: 0, mo: 0, rejected: 0 });
        if (e.direction === 'MO') cell.mo += 1;
        else cell.used += e.credits;
      }
      return out;
    };
    const total = { used: 0, mo: 0, rejected: 0 };
    for (const e of events) {
      if (e.direction === 'MO') total.mo += 1;
      else total.used += e.credits;
    }

    // Console A imported the first half of the same events, with their identities and campaigns.
    const csv = (v: string | undefined) => (v === undefined ? '' : `"${v.replaceAll('"', '""')}"`);
    const lines = events
      .slice(0, 24)
      .map((e) => `${e.id},${e.spaceId},${e.channel},${e.direction},${e.credits},${e.occurredAt},${csv(e.identity)},${csv(e.campaign)}`);
    await a.services.usage.importText('half.csv', ['id,spaceId,channel,direction,credits,occurredAt,identity,campaign', ...lines].join('\n'), 'alice');
    b.connect(central.central.url, central.admin.token!);
    await a.settle();
    await b.settle();

    const day = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(ZONE).toPlainDate().toString();
    for (const c of [a, b]) {
      const report = c.services.usageAnalytics.report({
        scope: { kind: 'space', spaceId: 'SP-LBL' },
        range: 'custom',
        custom: { from: day(first), to: day(now) },
        groupBy: 'day',
      });
      expect(report.timeZone).toBe(ZONE);
      expect(report.total, c.name).toEqual(total);
      expect(named(report.byIdentity), c.name).toEqual(expected('identity'));
      expect(named(report.byCampaign), c.name).toEqual(expected('campaign'));
    }
  }, 60_000);
});
