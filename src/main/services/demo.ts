import { Temporal } from 'temporal-polyfill';
import type { Channel, PlanConfig } from '../../shared/domain';
import { seededRandom } from '../../shared/seeded-random';
import { createServices, type Services } from './index';

/**
 * The demo environment a first start creates, so a new user sees a living console at once:
 * several spaces with all five channels between them, plans of both kinds (one deleted and
 * one edited, for the history log), channels no plan covers, every policy of SPEC §9 on at
 * least one plan (a rate card, a daily limit, metered overage with a price, a never-expiring
 * top-up, a charge-now, so statements have something to bill), and months of usage generated
 * through the import path. Everything is marked as demo data: the environment is flagged demo,
 * its name says so, and its changes stay local (never sent to the central service).
 */

export const DEMO_ACTOR = 'Demo data';
export const DEMO_ENVIRONMENT_NAME = 'Demo environment (sample data)';

/** Crockford's base32 digits: the characters of top-up and charge-now ids. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

interface DemoSpace {
  id: string;
  name: string;
  manager: { name: string; email: string };
  channels: { channel: Channel; bidirectional: boolean }[];
  /** Typical messages per day per channel (weekdays). */
  daily: Partial<Record<Channel, number>>;
}

const SPACES: DemoSpace[] = [
  {
    id: 'SP-DEMO-RETAIL',
    name: 'Retail Promotions',
    manager: { name: 'Lucía Fernández', email: 'lucia.fernandez@example.com' },
    channels: [
      { channel: 'SMS', bidirectional: true },
      { channel: 'WhatsApp', bidirectional: true },
      { channel: 'Email', bidirectional: false },
      { channel: 'Push', bidirectional: false },
      { channel: 'RCS', bidirectional: true },
    ],
    daily: { SMS: 220, WhatsApp: 140, Email: 200, Push: 160, RCS: 30 },
  },
  {
    id: 'SP-DEMO-BANK',
    name: 'Banking One-Time Passwords',
    manager: { name: 'Ravi Shrestha', email: 'ravi.shrestha@example.com' },
    channels: [
      { channel: 'SMS', bidirectional: true },
      { channel: 'WhatsApp', bidirectional: true },
      { channel: 'Push', bidirectional: false },
    ],
    daily: { SMS: 200, WhatsApp: 80, Push: 60 },
  },
  {
    id: 'SP-DEMO-HEALTH',
    name: 'Healthcare Reminders',
    manager: { name: 'Mariana López', email: 'mariana.lopez@example.com' },
    channels: [
      { channel: 'SMS', bidirectional: true },
      { channel: 'Email', bidirectional: false },
      { channel: 'RCS', bidirectional: false },
    ],
    daily: { SMS: 80, Email: 110, RCS: 15 },
  },
  {
    id: 'SP-DEMO-LOGISTICS',
    name: 'Logistics Tracking',
    manager: { name: 'Tom Becker', email: 'tom.becker@example.com' },
    channels: [
      { channel: 'WhatsApp', bidirectional: true },
      { channel: 'SMS', bidirectional: false },
      { channel: 'Email', bidirectional: false },
    ],
    daily: { WhatsApp: 90, SMS: 45, Email: 60 },
  },
];

export interface DemoSummary {
  environmentId: string;
  spaces: number;
  plans: number;
  events: number;
}

/** Create the demo environment unless one exists already. */
export async function seedDemo(services: Services, clock: () => number = services.clock, options: { days?: number } = {}): Promise<DemoSummary | null> {
  if (services.org.listEnvironments().some((e) => e.demo)) return null;
  const now = clock();
  const days = options.days ?? 120;
  const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO('UTC').toPlainDate();
  const monthsAgo = (n: number): string => today.subtract({ months: n }).with({ day: 1 }).toString();
  const daysAgo = (n: number): string => today.subtract({ days: n }).toString();

  // The demo's history happened over the past months: each change is made by services whose
  // clock says when, so the history log, plan versions and e-mails carry believable dates.
  const at = (date: string, hour = 10): Services =>
    createServices({ ledger: services.ledger, clock: () => Math.min(now, Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00Z`)), recover: false });
  const setup = at(monthsAgo(6));
  const env = setup.org.createEnvironment({ id: 'ENV-DEMO', name: DEMO_ENVIRONMENT_NAME, demo: true }, DEMO_ACTOR);
  for (const space of SPACES) {
    setup.org.createSpace({ id: space.id, environmentId: env.id, name: `${space.name} (demo)`, accountManager: space.manager, channels: space.channels }, DEMO_ACTOR);
  }
  const dayBefore = (date: string): string => Temporal.PlainDate.from(date).subtract({ days: 1 }).toString();

  // Healthcare: an all-channels plan, replaced two months ago by channel-specific credits.
  const replaced = at(dayBefore(monthsAgo(5))).plans.create(
    'SP-DEMO-HEALTH',
    { limit: 'all_channels', credits: 20_000, renew: 'monthly', rollover: false, overage: false, activation: { date: monthsAgo(5), timeZone: 'America/Mexico_City' } },
    DEMO_ACTOR,
  );
  at(dayBefore(monthsAgo(2)), 9).plans.delete(replaced.id, replaced.version, DEMO_ACTOR);
  const plans: { spaceId: string; config: PlanConfig }[] = [
    {
      spaceId: 'SP-DEMO-RETAIL',
      // Rich messages cost more (a rate card, SPEC §9.1); a monthly price, so it can be charged now.
      config: {
        limit: 'all_channels',
        credits: 30_000,
        renew: 'monthly',
        rollover: true,
        overage: false,
        costs: { WhatsApp: 2, RCS: 3 },
        price: { amount: '450.00', currency: 'EUR' },
        activation: { date: monthsAgo(4), timeZone: 'Europe/Madrid' },
      },
    },
    {
      spaceId: 'SP-DEMO-BANK',
      // One-time passwords in bursts: at most 250 credits a local day (SPEC §9.4).
      config: {
        limit: 'channel_specific',
        credits: { SMS: 1_500 },
        renew: 'weekly',
        rollover: false,
        overage: true,
        dailyLimit: { SMS: 250 },
        activation: { date: daysAgo(days), timeZone: 'Asia/Kathmandu' },
      },
    },
    {
      spaceId: 'SP-DEMO-BANK',
      // Never refused: what the credits do not cover is metered and billed with the next month (SPEC §9.5).
      config: {
        limit: 'channel_specific',
        credits: { WhatsApp: 1_500 },
        renew: 'monthly',
        rollover: false,
        overage: true,
        overageMetered: true,
        overageRate: { amount: '0.0125', currency: 'USD' },
        price: { amount: '49.00', currency: 'USD' },
        activation: { date: monthsAgo(3), timeZone: 'Asia/Kathmandu' },
      },
    },
    {
      spaceId: 'SP-DEMO-HEALTH',
      config: { limit: 'channel_specific', credits: { SMS: 5_000, Email: 12_000 }, renew: 'quarterly', rollover: false, overage: false, activation: { date: monthsAgo(2), timeZone: 'America/Mexico_City' } },
    },
  ];
  const created = plans.map((p) => at(dayBefore(p.config.activation.date), 14).plans.create(p.spaceId, p.config, DEMO_ACTOR));
  // Retail: more credits after the first busy month, and overage switched on last week.
  const retail = created[0]!;
  const edited = at(monthsAgo(3), 11).plans.edit(retail.id, retail.version, { credits: 35_000 }, DEMO_ACTOR);
  at(daysAgo(6), 16).plans.edit(edited.id, edited.version, { overage: true, credits: 38_000 }, DEMO_ACTOR);

  // Seeded by the day, so every demo ledger looks the same for the same day.
  const random = seededRandom(Number(today.toString().replace(/-/g, '')));
  const startDay = today.subtract({ days });
  const lines: string[] = ['id,spaceId,channel,direction,credits,occurredAt,identity,campaign'];
  let n = 0;
  for (let d = 0; d <= days; d += 1) {
    const date = startDay.add({ days: d });
    const dayStart = Temporal.PlainDateTime.from(`${date.toString()}T00:00`).toZonedDateTime('UTC').epochMilliseconds;
    const weekend = date.dayOfWeek >= 6;
    const growth = 0.75 + (0.5 * d) / days;
    for (const space of SPACES) {
      const bidi = new Set(space.channels.filter((c) => c.bidirectional).map((c) => c.channel));
      for (const [channel, perDay] of Object.entries(space.daily) as [Channel, number][]) {
        const count = Math.round(perDay * growth * (weekend ? 0.45 : 1) * (0.8 + 0.4 * random()));
        for (let i = 0; i < count; i += 1) {
          // Daytime peaks: two humps around 10:00 and 18:00 UTC.
          const hour = random() < 0.5 ? 7 + random() * 6 : 15 + random() * 6;
          const t = dayStart + Math.floor(hour * 3_600_000);
          if (t > now) continue;
          const mo = bidi.has(channel) && random() < 0.12;
          // A long SMS states its 2 credits; other messages state none and cost their channel's rate (SPEC §9.1).
          const credits = mo ? '1' : channel === 'SMS' && random() < 0.2 ? '2' : '';
          lines.push(`demo-${n++},${space.id},${channel},${mo ? 'MO' : 'MT'},${credits},${new Date(t).toISOString()},,${weekend ? 'weekend' : 'weekday'}`);
        }
      }
    }
  }
  const report = await services.usage.importText('demo-usage.csv', lines.join('\n'), DEMO_ACTOR);

  // Add-on credits (SPEC §9.2–9.3), given after the usage is in: the usage since each is
  // re-decided with it (a few days of events, not the months). Their ids are their idempotency
  // keys, drawn from their own seeded sequence so that the usage above stays as it was.
  const ids = seededRandom(Number(today.toString().replace(/-/g, '')) + 1);
  const creditId = (prefix: 'TU' | 'CN'): string => `${prefix}-${Array.from({ length: 10 }, () => CROCKFORD[Math.floor(ids() * CROCKFORD.length)]).join('')}`;
  // Healthcare's reminders outgrew the quarter's SMS credits: extra credits that never expire,
  // spent once the quarter's are (SPEC §9.2; seed 001).
  const health = created[3]!;
  at(daysAgo(20), 9).credits.addCredits(
    { planId: health.id, id: creditId('TU'), bucket: 'SMS', credits: 5_000, expires: 'never', price: { amount: '60.00', currency: 'USD' } },
    DEMO_ACTOR,
  );
  // Retail pays for the rest of a month's credits on its 22nd, in the month's last billing week
  // (SPEC §9.3; seed 003: a quarter of the price): this month's if that day has passed, else last month's.
  const chargeDay = today.day > 22 ? today.with({ day: 22 }) : today.subtract({ months: 1 }).with({ day: 22 });
  const charger = at(chargeDay.toString(), 9).credits;
  const { quote } = charger.chargeNow(retail.id, undefined, DEMO_ACTOR);
  charger.chargeNow(retail.id, { week: quote.week, id: creditId('CN') }, DEMO_ACTOR);
  return { environmentId: env.id, spaces: SPACES.length, plans: created.length + 1, events: report.inserted };
}
