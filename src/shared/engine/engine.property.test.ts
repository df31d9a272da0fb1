/**
 * Property tests of the credit engine (fast-check): remaining is never negative, rejected
 * events change nothing, any split of the same events (with snapshots and JSON round trips in
 * between) gives the same state, re-running gives identical output, and the engine agrees with
 * a deliberately simple second implementation (testing/reference-model.ts) on thousands of random
 * scenarios: random plans in a handful of zones, usage, edits and deletions over years — and
 * plans with SPEC §9's parts (rate card, daily limit, price, metered or once overage) with
 * top-ups and charge-nows among their events.
 */
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  RENEWALS,
  type Channel,
  type PlanConfig,
  type PlanPatch,
  type Renew,
} from '../domain';
import {
  applyEdit,
  cloneState,
  createPlanState,
  recordUsage,
  snapshotAt,
  type PlanState,
  type UsageDecision,
} from './account';
import { createAccount, recordUsageOnce, type PlanAccount } from './idempotency';
import { parsePlanConfig } from './validation';
import { referenceRunScenario } from './testing/reference-model';
import {
  applyScenarioEvent,
  parseScenario,
  runScenario,
  type Scenario,
  type ScenarioEvent,
  type ScenarioOutput,
} from './scenario';

const DAY_MS = 86_400_000;

/** A handful of zones with unusual offsets and daylight-saving rules (some at local midnight). */
const ZONES = [
  'Europe/Madrid',
  'America/Santiago',
  'America/Havana',
  'Atlantic/Azores',
  'Asia/Beirut',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'America/New_York',
  'UTC',
] as const;

const dateArb: fc.Arbitrary<string> = fc
  .record({
    y: fc.integer({ min: 2020, max: 2026 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 28 }), weight: 2 },
      { arbitrary: fc.constantFrom(29, 30, 31), weight: 1 },
    ),
  })
  .map(({ y, m, d }) => {
    const last = Temporal.PlainYearMonth.from({ year: y, month: m }).daysInMonth;
    return Temporal.PlainDate.from({ year: y, month: m, day: Math.min(d, last) }).toString();
  });

const channelCreditsArb = (max: number): fc.Arbitrary<Partial<Record<Channel, number>>> =>
  fc
    .uniqueArray(fc.constantFrom(...CHANNELS), { minLength: 1, maxLength: 3 })
    .chain((channels) =>
      fc
        .tuple(...channels.map(() => fc.integer({ min: 1, max: max })))
        .map(
          (amounts) =>
            Object.fromEntries(channels.map((ch, i) => [ch, amounts[i]])) as Partial<
              Record<Channel, number>
            >,
        ),
    );

const planArb: fc.Arbitrary<PlanConfig> = fc
  .record({
    channelSpecific: fc.boolean(),
    pool: fc.integer({ min: 1, max: 120 }),
    perChannel: channelCreditsArb(60),
    renew: fc.constantFrom<Renew | null>(null, ...RENEWALS),
    rollover: fc.boolean(),
    overage: fc.boolean(),
    date: dateArb,
    timeZone: fc.constantFrom(...ZONES),
  })
  .map(
    ({
      channelSpecific,
      pool,
      perChannel,
      renew,
      rollover,
      overage,
      date,
      timeZone,
    }): PlanConfig => {
      const terms = {
        renew,
        rollover: renew !== null && rollover,
        overage,
        activation: { date, timeZone },
      };
      return channelSpecific
        ? { limit: 'channel_specific', credits: perChannel, ...terms }
        : { limit: 'all_channels', credits: pool, ...terms };
    },
  );

const usd = (amount: string) => ({ amount, currency: 'USD' });

/**
 * SPEC §9's parts on a plan: a rate card, a daily limit (kept by every later edit: the engine
 * counts a day's minutes only while a plan has one), a price with or without a minimum, and
 * overage off, once or metered with a rate. Built as a file would write them and parsed.
 */
const policyPlanArb: fc.Arbitrary<PlanConfig> = fc
  .record({
    base: planArb,
    costs: fc.option(channelCreditsArb(3), { nil: undefined }),
    daily: fc.option(fc.tuple(fc.integer({ min: 3, max: 90 }), channelCreditsArb(60)), {
      nil: undefined,
    }),
    price: fc.option(fc.constantFrom('150.00', '30.00', '99.99', '0.05'), { nil: undefined }),
    minimum: fc.option(fc.constantFrom('5.00', '0', '12.345'), { nil: undefined }),
    overage: fc.constantFrom<boolean | 'metered'>(false, true, true, 'metered', 'metered'),
    rate: fc.constantFrom('0.000085', '0.004', '0.5', '1'),
  })
  .map(({ base, costs, daily, price, minimum, overage, rate }) => {
    const raw: Record<string, unknown> = { ...base, overage };
    if (costs) raw.costs = costs;
    if (daily) raw.dailyLimit = base.limit === 'all_channels' ? daily[0] : daily[1];
    if (price) raw.price = usd(price);
    if (minimum) raw.minimumCharge = usd(minimum);
    if (overage === 'metered' || rate === '1') raw.overageRate = usd(rate);
    const parsed = parsePlanConfig(raw);
    if (!parsed.ok) throw new Error(`policy plan: ${JSON.stringify(parsed.issues)}`);
    return parsed.value;
  });

const creditsArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 120 }), weight: 3 },
  { arbitrary: channelCreditsArb(60), weight: 3 },
  { arbitrary: fc.constantFrom(0, -5, 2.5), weight: 1 },
);
const activationArb = fc.record({
  date: fc.oneof(
    { arbitrary: dateArb, weight: 12 },
    { arbitrary: fc.constant('2026-02-30'), weight: 1 },
  ),
  timeZone: fc.oneof(
    { arbitrary: fc.constantFrom<string>(...ZONES), weight: 12 },
    { arbitrary: fc.constant('Mars/Olympus'), weight: 1 },
  ),
});
const renewArb = fc.constantFrom<Renew | null>(null, ...RENEWALS);

/** Edits: usually one or two fields, now and then anything at all (often invalid: the engine must refuse those). */
const patchArb: fc.Arbitrary<PlanPatch> = fc.oneof(
  { arbitrary: fc.record({ credits: creditsArb }), weight: 4 },
  {
    arbitrary: fc.record({ renew: renewArb, rollover: fc.boolean() }, { requiredKeys: ['renew'] }),
    weight: 2,
  },
  { arbitrary: fc.record({ rollover: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ overage: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ activation: activationArb }), weight: 2 },
  {
    arbitrary: fc.oneof(
      fc.record({
        limit: fc.constant('all_channels' as const),
        credits: fc.integer({ min: 1, max: 120 }),
      }),
      fc.record({
        limit: fc.constant('channel_specific' as const),
        credits: channelCreditsArb(60),
      }),
    ),
    weight: 1,
  },
  {
    arbitrary: fc
      .record(
        {
          limit: fc.constantFrom('all_channels' as const, 'channel_specific' as const),
          credits: creditsArb,
          renew: renewArb,
          rollover: fc.boolean(),
          overage: fc.boolean(),
          activation: activationArb,
        },
        { requiredKeys: [] },
      )
      .filter((patch) => Object.keys(patch).length > 0),
    weight: 1,
  },
);

/** Edits of SPEC §9's parts (a daily limit only changes value; EUR or a metered plan without a rate are refused). */
const policyPatchArb = (plan: PlanConfig): fc.Arbitrary<PlanPatch> =>
  fc.oneof(
    { arbitrary: fc.record({ costs: fc.option(channelCreditsArb(4), { nil: null }) }), weight: 2 },
    {
      arbitrary: fc
        .record({
          dailyLimit:
            plan.dailyLimit === undefined
              ? fc.constant(undefined)
              : plan.limit === 'all_channels'
                ? fc.integer({ min: 2, max: 90 })
                : channelCreditsArb(60),
        })
        .map(
          (patch) =>
            (patch.dailyLimit === undefined ? { rollover: plan.rollover } : patch) as PlanPatch,
        ),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        overage: fc.constantFrom<boolean | 'metered'>(false, true, 'metered'),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        overageRate: fc.constantFrom(usd('0.000085'), usd('0.02'), {
          amount: '0.02',
          currency: 'EUR',
        }),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        price: fc.option(fc.constantFrom(usd('150.00'), usd('77.77')), { nil: null }),
      }),
      weight: 1,
    },
    { arbitrary: patchArb, weight: 6 },
  );

/** Period starts of a plan's own calendar (the activation for a plan without renewal). */
function boundariesOf(plan: PlanConfig, count: number): number[] {
  const anchor = Temporal.PlainDate.from(plan.activation.date);
  const result: number[] = [];
  for (let k = 0; k < (plan.renew === null ? 1 : count); k += 1) {
    const date =
      plan.renew === null
        ? anchor
        : plan.renew === 'weekly'
          ? anchor.add({ days: 7 * k })
          : anchor.add({
              months: { monthly: 1, quarterly: 3, half_year: 6, annually: 12 }[plan.renew] * k,
            });
    result.push(date.toZonedDateTime({ timeZone: plan.activation.timeZone }).epochMilliseconds);
  }
  return result;
}

interface ScenarioShape {
  /** How far after activation events may go, in days. */
  horizonDays?: number;
  maxEvents?: number;
  maxQueries?: number;
  /** Relative weights of usage, edit and delete events. */
  weights?: { usage: number; edit: number; delete: number };
  /** Plans with SPEC §9's parts, with top-up and charge-now events among the others. */
  policies?: boolean;
}

/** Instants around a plan: anywhere from a month before activation to the horizon, often right at a boundary. */
function instantArb(plan: PlanConfig, horizonDays: number): fc.Arbitrary<number> {
  const boundaries = boundariesOf(plan, 60);
  const start = boundaries[0] as number;
  return fc.oneof(
    {
      arbitrary: fc.integer({ min: start - 30 * DAY_MS, max: start + horizonDays * DAY_MS }),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...boundaries), fc.constantFrom(-1000, -1, 0, 0, 0, 1))
        .map(([b, d]) => b + d),
      weight: 2,
    },
    {
      // whole hours, so that several events share an instant now and then
      arbitrary: fc.integer({ min: -24, max: 24 * 60 }).map((h) => start + h * 3_600_000),
      weight: 1,
    },
  );
}

function scenarioArb(shape: ScenarioShape = {}): fc.Arbitrary<Scenario> {
  const {
    horizonDays = 3 * 366,
    maxEvents = 30,
    maxQueries = 6,
    weights = { usage: 85, edit: 12, delete: 3 },
    policies = false,
  } = shape;
  // Plans with SPEC §9's parts mostly live a few months, so that top-ups meet traffic in their period.
  const horizons = policies
    ? fc.constantFrom(20, 45, 100, horizonDays)
    : fc.constantFrom(45, 400, horizonDays);
  return fc.tuple(policies ? policyPlanArb : planArb, horizons).chain(([plan, chosenHorizon]) => {
    const horizon = plan.renew === 'weekly' ? Math.min(chosenHorizon, 540) : chosenHorizon;
    const at = instantArb(plan, horizon);
    const usage = fc.record({
      atMs: at,
      kind: fc.constant('usage' as const),
      usage: fc.record({
        id: fc.integer({ min: 0, max: 40 }).map((i) => `u${i}`),
        channel: fc.constantFrom(...CHANNELS),
        credits: policies
          ? fc.option(fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 80 })), {
              nil: undefined,
              freq: 3,
            })
          : fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 80 })),
        direction: fc.oneof(
          { arbitrary: fc.constant('MT' as const), weight: 9 },
          { arbitrary: fc.constant('MO' as const), weight: 1 },
        ),
      }),
    });
    const edit = fc.record({
      atMs: at,
      kind: fc.constant('edit' as const),
      patch: policies ? policyPatchArb(plan) : patchArb,
    });
    const del = fc.record({ atMs: at, kind: fc.constant('delete' as const) });
    // Top-ups and charge-nows share ids t0…t9; now and then a field is wrong (refused with a reason).
    const grantId = fc.integer({ min: 0, max: 9 }).map((i) => `t${i}`);
    const topUp = fc.record({
      atMs: at,
      kind: fc.constant('topUp' as const),
      topUp: fc
        .record({
          id: grantId,
          bucket: fc.oneof(
            {
              arbitrary: fc.constantFrom(
                ...(plan.limit === 'all_channels' ? ['ALL'] : Object.keys(plan.credits)),
              ),
              weight: 8,
            },
            { arbitrary: fc.constantFrom('ALL', ...CHANNELS, 'Fax'), weight: 2 },
          ),
          credits: fc.oneof(
            { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 12 },
            { arbitrary: fc.constantFrom(0, 2.5), weight: 1 },
          ),
          expires: fc.oneof(
            { arbitrary: fc.constantFrom('period_end', 'never'), weight: 12 },
            { arbitrary: fc.constant('soon'), weight: 1 },
          ),
          price: fc.option(
            fc.constantFrom(
              usd('9.00'),
              { amount: '1000', currency: 'JPY' },
              { amount: '1.2345', currency: 'KWD' },
              usd('-1'),
            ),
            { nil: undefined },
          ),
        })
        .map((t) =>
          t.price === undefined
            ? { id: t.id, bucket: t.bucket, credits: t.credits, expires: t.expires }
            : t,
        ),
    });
    const charge = fc.record({
      atMs: at,
      kind: fc.constant('chargeNow' as const),
      id: grantId,
      fields: fc.constant([] as string[]),
    });
    const event: fc.Arbitrary<ScenarioEvent> = policies
      ? fc.oneof(
          { arbitrary: usage, weight: weights.usage },
          { arbitrary: edit, weight: weights.edit },
          { arbitrary: del, weight: weights.delete },
          { arbitrary: topUp, weight: 25 },
          { arbitrary: charge, weight: 10 },
        )
      : fc.oneof(
          { arbitrary: usage, weight: weights.usage },
          { arbitrary: edit, weight: weights.edit },
          { arbitrary: del, weight: weights.delete },
        );
    return fc
      .array(event, { minLength: policies ? Math.min(12, maxEvents) : 0, maxLength: maxEvents })
      .chain((events) => {
        // Queries anywhere, or just after an event (where overage and fresh rollovers are visible).
        const after =
          events.length === 0
            ? at
            : fc
                .tuple(
                  fc.constantFrom(...events.map((e) => e.atMs)),
                  fc.integer({ min: 0, max: 3 * DAY_MS }),
                )
                .map(([t, d]) => t + d);
        return fc.record({
          plan: fc.constant(plan),
          events: fc.constant(events),
          queries: fc.array(
            fc.oneof(at, after).map((atMs) => ({ atMs })),
            { maxLength: maxQueries },
          ),
        });
      });
  });
}

/** Base plans and plans with SPEC §9's parts, half and half. */
function mixedArb(shape: ScenarioShape = {}): fc.Arbitrary<Scenario> {
  return fc.oneof(scenarioArb(shape), scenarioArb({ ...shape, policies: true }));
}

/** The events of a scenario in the order the engine applies them: by time, ties in file order. */
function inTimeOrder(scenario: Scenario): ScenarioEvent[] {
  return scenario.events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.atMs - b.event.atMs || a.index - b.index)
    .map(({ event }) => event);
}

/** The scenario as a file would hold it (SPEC §8), instants written with milliseconds. */
function scenarioToJson(scenario: Scenario): unknown {
  const iso = (ms: number): string => Temporal.Instant.fromEpochMilliseconds(ms).toString();
  // A metered plan is written as a file writes it: "overage": "metered".
  const { overageMetered, ...plan } = scenario.plan;
  return {
    plan: overageMetered ? { ...plan, overage: 'metered' } : plan,
    events: scenario.events.map((event) =>
      event.kind === 'usage'
        ? { at: iso(event.atMs), usage: event.usage }
        : event.kind === 'edit'
          ? { at: iso(event.atMs), edit: event.patch }
          : event.kind === 'topUp'
            ? { at: iso(event.atMs), topUp: event.topUp }
            : event.kind === 'chargeNow'
              ? { at: iso(event.atMs), chargeNow: { id: event.id } }
              : { at: iso(event.atMs), delete: true },
    ),
    queries: scenario.queries.map((query) => ({ at: iso(query.atMs) })),
  };
}

// ------------------------------------------------------------------------------ the properties

/** Usage reasons are compared exactly; edits and deletions only as refused or not (wording is the engine's). */
function normalize(output: ScenarioOutput, scenario: Scenario): ScenarioOutput {
  return {
    events: output.events.map((entry) =>
      entry.accepted ||
      ['usage', 'topUp', 'chargeNow'].includes(scenario.events[entry.index]?.kind ?? '')
        ? entry
        : { index: entry.index, accepted: false, reason: 'refused' },
    ),
    queries: output.queries,
  };
}

type Outcome = ReturnType<typeof applyScenarioEvent>;

function applyOne(account: PlanAccount, event: ScenarioEvent): Outcome {
  return applyScenarioEvent(account, event);
}

/** A state and its decisions through JSON and back, as a host storing them would do. */
function throughJson(account: PlanAccount): PlanAccount {
  return {
    state: JSON.parse(JSON.stringify(cloneState(account.state))) as PlanState,
    decisions: new Map(
      JSON.parse(JSON.stringify([...account.decisions])) as [string, UsageDecision][],
    ),
    grants: new Map(
      JSON.parse(JSON.stringify([...(account.grants ?? [])])) as [
        string,
        Outcome & { applied: boolean },
      ][],
    ) as PlanAccount['grants'],
  };
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

// Generous timeouts: the runs are sized for ~15 s in all on an idle 2-core machine, but CI may be busy.
const SLOW = 180_000;

describe('engine properties', () => {
  it(
    'agrees with the simple reference model on thousands of random scenarios',
    () => {
      const seen = {
        carried: 0,
        overage: 0,
        exhausted: 0,
        editApplied: 0,
        editRefused: 0,
        calendarMoved: 0,
        deleted: 0,
        beforeActivation: 0,
        duplicate: 0,
        lateVintage: 0,
      };
      fc.assert(
        fc.property(scenarioArb(), (scenario) => {
          const engine = normalize(runScenario(scenario), scenario);
          const reference = normalize(referenceRunScenario(scenario), scenario);
          expect(engine).toEqual(reference);
          // Tally what the scenario exercised, so that agreement is not vacuous.
          const buckets = engine.queries.flatMap((q) => Object.values(q.buckets));
          if (buckets.some((b) => b.carriedIn > 0)) seen.carried += 1;
          if (buckets.some((b) => b.overage.added > 0)) seen.overage += 1;
          if (engine.queries.some((q) => q.deleted)) seen.deleted += 1;
          if (engine.queries.some((q) => q.period === null && !q.deleted))
            seen.beforeActivation += 1;
          if (
            engine.queries.some(
              (q) =>
                (q.period?.index ?? 0) >= 4 &&
                Object.values(q.buckets).some((b) => b.carriedIn > 0),
            )
          )
            seen.lateVintage += 1;
          const ids = new Set<string>();
          scenario.events.forEach((event, i) => {
            const result = engine.events[i];
            if (event.kind === 'usage') {
              if (ids.has(event.usage.id)) seen.duplicate += 1;
              ids.add(event.usage.id);
              if (result && !result.accepted) seen.exhausted += 1;
            }
            if (event.kind === 'edit') {
              if (result?.accepted) seen.editApplied += 1;
              else seen.editRefused += 1;
              if (
                result?.accepted &&
                (event.patch.renew !== undefined || event.patch.activation !== undefined)
              )
                seen.calendarMoved += 1;
            }
          });
        }),
        { numRuns: 2000 },
      );
      for (const [feature, count] of Object.entries(seen))
        expect(count, feature).toBeGreaterThan(30);
    },
    SLOW,
  );

  it(
    "agrees with the reference model on plans with SPEC §9's parts (rate card, top-ups, charge now, daily limit, metered overage)",
    () => {
      const seen = {
        topUp: 0,
        topUpRefused: 0,
        charge: 0,
        chargeRefused: 0,
        daily: 0,
        metered: 0,
        topUpsSpent: 0,
        rated: 0,
        overage: 0,
      };
      fc.assert(
        fc.property(scenarioArb({ policies: true, maxEvents: 40 }), (scenario) => {
          const engine = normalize(runScenario(scenario), scenario);
          const reference = normalize(referenceRunScenario(scenario), scenario);
          expect(engine).toEqual(reference);
          // Money is never a float: every amount the engine answers is a decimal string.
          JSON.stringify(engine, (key, value: unknown) => {
            if (key === 'amount') expect(value).toMatch(/^\d+(\.\d+)?$/);
            return value;
          });
          // Overage, metering and top-up spending mostly happen between queries: count them from the engine's own run.
          const account = createAccount(createPlanState(scenario.plan));
          let overage = false;
          let spent = false;
          let metered = false;
          for (const e of inTimeOrder(scenario)) {
            const d = applyOne(account, e);
            if ('overageTriggered' in d && d.overageTriggered) overage = true;
            if ('metered' in d && d.metered !== undefined) metered = true;
            for (const b of Object.values(account.state.buckets))
              if (b?.topUps?.some((lot) => lot.left < lot.credits)) spent = true;
          }
          if (overage) seen.overage += 1;
          if (spent) seen.topUpsSpent += 1;
          if (metered) seen.metered += 1;
          if (
            scenario.plan.costs &&
            scenario.events.some((e) => e.kind === 'usage' && e.usage.credits === undefined)
          )
            seen.rated += 1;
          scenario.events.forEach((event, i) => {
            const result = engine.events[i];
            if (event.kind === 'topUp') seen[result?.accepted ? 'topUp' : 'topUpRefused'] += 1;
            if (event.kind === 'chargeNow')
              seen[result?.accepted ? 'charge' : 'chargeRefused'] += 1;
            if (result && !result.accepted && result.reason === 'daily_limit') seen.daily += 1;
          });
        }),
        { numRuns: 1000 },
      );
      for (const [feature, count] of Object.entries(seen))
        expect(count, feature).toBeGreaterThan(30);
    },
    SLOW,
  );

  it(
    'agrees with the reference on long, busy scenarios (rollover and overage under pressure)',
    () => {
      fc.assert(
        fc.property(
          mixedArb({
            maxEvents: 150,
            maxQueries: 10,
            weights: { usage: 95, edit: 4, delete: 1 },
          }),
          (scenario) => {
            expect(normalize(runScenario(scenario), scenario)).toEqual(
              normalize(referenceRunScenario(scenario), scenario),
            );
          },
        ),
        { numRuns: 300 },
      );
    },
    SLOW,
  );

  it(
    'never reports a negative remaining, and remaining = max(0, allocated - used) everywhere',
    () => {
      fc.assert(
        fc.property(
          mixedArb(),
          fc.array(fc.integer({ min: 0, max: 4 * 366 * DAY_MS }), { maxLength: 8 }),
          (scenario, offsets) => {
            const account = createAccount(createPlanState(scenario.plan));
            const start = boundariesOf(scenario.plan, 1)[0] as number;
            const decided = new Set<string>();
            for (const event of inTimeOrder(scenario)) {
              const outcome = applyOne(account, event);
              const firstTime = event.kind === 'usage' && !decided.has(event.usage.id);
              if (event.kind === 'usage') decided.add(event.usage.id);
              // The daily limit binds when an MT event is accepted: right after it, the day's use is
              // within the limit then in force. An edit that lowers the limit later that day does not
              // take accepted credits back, so at other instants the day's use may exceed the new limit
              // (and a resent id gets its first answer, whatever the limit is now).
              if (firstTime && event.kind === 'usage' && 'accepted' in outcome && outcome.accepted && (event.usage.direction ?? 'MT') === 'MT') {
                const bucket = Object.values(snapshotAt(account.state, event.atMs).buckets).find(
                  (b) => b.daily !== undefined && b.daily.limit !== null && b.daily.used > b.daily.limit,
                );
                expect(bucket?.daily).toBeUndefined();
              }
              for (const offset of [0, ...offsets]) {
                const snapshot = snapshotAt(
                  account.state,
                  Math.max(event.atMs, start - 30 * DAY_MS + offset),
                );
                for (const bucket of Object.values(snapshot.buckets)) {
                  expect(bucket.remaining).toBeGreaterThanOrEqual(0);
                  expect(bucket.remaining).toBe(Math.max(0, bucket.allocated - bucket.used));
                  expect(bucket.allocated).toBe(
                    bucket.carriedIn + bucket.allocation + bucket.overage.added,
                  );
                  expect(bucket.carriedIn).toBeGreaterThanOrEqual(0);
                  expect(
                    bucket.overage.added === 0 ||
                      bucket.overage.added === bucket.allocation ||
                      bucket.overage.atMs !== null,
                  ).toBe(true);
                  if (bucket.topUps) {
                    expect(bucket.topUps.remaining).toBeGreaterThanOrEqual(0);
                    expect(bucket.topUps.remaining).toBe(
                      bucket.topUps.lots.reduce((sum, lot) => sum + lot.left, 0),
                    );
                  }
                  if (bucket.daily) expect(bucket.daily.used).toBeGreaterThanOrEqual(0);
                  if (bucket.metered) {
                    expect(bucket.metered.credits).toBeGreaterThanOrEqual(0);
                    expect(typeof bucket.metered.charge.amount).toBe('string');
                  }
                }
              }
            }
            for (const query of runScenario(scenario).queries) {
              for (const bucket of Object.values(query.buckets)) {
                expect(bucket.remaining).toBeGreaterThanOrEqual(0);
                expect(bucket.used).toBeGreaterThanOrEqual(0);
              }
            }
          },
        ),
        { numRuns: 300 },
      );
    },
    SLOW,
  );

  it(
    'rejected usage and refused edits change nothing',
    () => {
      fc.assert(
        fc.property(mixedArb({ weights: { usage: 80, edit: 18, delete: 2 } }), (scenario) => {
          const account = createAccount(createPlanState(scenario.plan));
          let rejections = 0;
          for (const event of inTimeOrder(scenario)) {
            const before = cloneState(account.state);
            if (event.kind === 'usage' && !account.decisions.has(event.usage.id)) {
              // The same instant with an event that cannot consume anything: only time passes.
              const probe = cloneState(before);
              recordUsage(probe, { ...event.usage, id: 'probe', direction: 'MO' }, event.atMs);
              const decision = recordUsageOnce(account, event.usage, event.atMs);
              if (!decision.accepted) {
                rejections += 1;
                expect(account.state).toStrictEqual(probe);
              }
            } else if (event.kind === 'edit') {
              const result = applyEdit(account.state, event.patch, event.atMs);
              if (!result.applied) {
                rejections += 1;
                expect(account.state).toStrictEqual(before);
              }
            } else if (event.kind === 'topUp' || event.kind === 'chargeNow') {
              const result = applyOne(account, event);
              if ('applied' in result && !result.applied) {
                rejections += 1;
                expect(account.state).toStrictEqual(before);
              }
            } else {
              applyOne(account, event);
            }
          }
          return rejections >= 0;
        }),
        { numRuns: 400 },
      );
    },
    SLOW,
  );

  it(
    'a scenario without its rejected usage events gives the same answers',
    () => {
      fc.assert(
        fc.property(mixedArb({ weights: { usage: 92, edit: 6, delete: 2 } }), (scenario) => {
          const output = runScenario(scenario);
          const rejectedIds = new Set<string>();
          const keep: number[] = [];
          scenario.events.forEach((event, index) => {
            const result = output.events[index];
            if (event.kind === 'usage' && result && !result.accepted)
              rejectedIds.add(event.usage.id);
          });
          scenario.events.forEach((event, index) => {
            if (!(event.kind === 'usage' && rejectedIds.has(event.usage.id))) keep.push(index);
          });
          const trimmed: Scenario = {
            ...scenario,
            events: keep.map((i) => scenario.events[i] as ScenarioEvent),
          };
          const again = runScenario(trimmed);
          expect(again.queries).toEqual(output.queries);
          expect(again.events.map((e) => ({ ...e, index: keep[e.index] }))).toEqual(
            keep.map((i) => output.events[i]),
          );
        }),
        { numRuns: 300 },
      );
    },
    SLOW,
  );

  it(
    'gives the same state whether the events come in one batch or in any split, with snapshots and JSON round trips between',
    () => {
      fc.assert(
        fc.property(
          mixedArb({ maxEvents: 40 }),
          fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
          fc.array(fc.integer({ min: 0, max: 30 * DAY_MS }), { maxLength: 6 }),
          (scenario, cuts, lookAhead) => {
            const events = inTimeOrder(scenario);
            const batch = createAccount(createPlanState(scenario.plan));
            const batchOutcomes = events.map((event) => applyOne(batch, event));

            let split = createAccount(createPlanState(scenario.plan));
            const cutSet = new Set(cuts);
            const splitOutcomes: Outcome[] = [];
            events.forEach((event, i) => {
              if (cutSet.has(i)) {
                // A pause: someone looks at the balances (now or later), and the state is stored and reloaded.
                for (const ahead of lookAhead)
                  snapshotAt(
                    split.state,
                    Math.max(split.state.clockMs, event.atMs - ahead) + ahead,
                  );
                split = throughJson(split);
              }
              splitOutcomes.push(applyOne(split, event));
            });
            expect(plain(splitOutcomes)).toStrictEqual(plain(batchOutcomes));
            expect(plain(split.state)).toStrictEqual(plain(batch.state));
            expect(plain([...split.decisions])).toStrictEqual(plain([...batch.decisions]));
            const end = (events.at(-1)?.atMs ?? 0) + 400 * DAY_MS;
            expect(plain(snapshotAt(split.state, end))).toStrictEqual(
              plain(snapshotAt(batch.state, end)),
            );
          },
        ),
        { numRuns: 300 },
      );
    },
    SLOW,
  );

  it(
    're-running gives identical output, from the parsed scenario or from its JSON file form',
    () => {
      fc.assert(
        fc.property(mixedArb({ maxEvents: 20 }), (scenario) => {
          const first = JSON.stringify(runScenario(scenario));
          expect(JSON.stringify(runScenario(scenario))).toBe(first);
          const parsed = parseScenario(JSON.parse(JSON.stringify(scenarioToJson(scenario))));
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          const fromFile = runScenario(parsed.value);
          expect(JSON.stringify(fromFile)).toBe(JSON.stringify(runScenario(parsed.value)));
          // Instants in the file carry milliseconds, so the answers are the same as the parsed scenario's.
          expect(fromFile).toEqual(runScenario(scenario));
        }),
        { numRuns: 200 },
      );
    },
    SLOW,
  );
});

describe('explanations (the event explorer)', () => {
  it(
    'explaining changes nothing; every accepted event is paid exactly by tranches that exist in its bucket; every refusal shows the balance that refused it',
    () => {
      const seen = { rollover: 0, allocation: 0, top_up: 0, overage: 0, metered: 0, exhausted: 0, daily_limit: 0 };
      fc.assert(
        fc.property(mixedArb(), (scenario) => {
          const explained = runScenario(scenario, { explain: true });
          expect(explained.queries).toEqual(runScenario(scenario).queries);
          expect(explained.events.map(({ explain: _explain, ...rest }) => rest)).toEqual(runScenario(scenario).events);
          for (const [i, event] of scenario.events.entries()) {
            const result = explained.events[i];
            if (event.kind !== 'usage' || result === undefined) continue;
            const x = result.explain;
            if (x === undefined) throw new Error('a usage event without its explanation');
            if (x === null) continue; // an id decided before
            if (!x.accepted) {
              expect(x.paidBy).toEqual([]);
              expect(x.after).toEqual(x.before);
              if (x.reason === 'exhausted') {
                seen.exhausted += 1;
                expect(x.before).not.toBeNull();
                expect(x.credits).toBeGreaterThan((x.before?.remaining ?? 0) + (x.before?.topUpsLeft ?? 0));
              } else if (x.reason === 'daily_limit') {
                seen.daily_limit += 1;
                const daily = x.before?.daily;
                expect(daily?.limit).not.toBeNull();
                expect((daily?.used ?? 0) + x.credits).toBeGreaterThan(daily?.limit ?? Infinity);
              }
              continue;
            }
            const total = x.paidBy.reduce((sum, t) => sum + t.credits, 0);
            expect(total).toBe(x.credits);
            const { before, after } = x;
            if (x.paidBy.length === 0) continue;
            if (before === null || after === null || x.period === null) throw new Error('a paid event without its bucket');
            // Each tranche exists in the bucket's state before the event and is gone after it.
            let plan = 0;
            let topUps = 0;
            let triggered = 0;
            for (const tranche of x.paidBy) {
              seen[tranche.source] += 1;
              expect(tranche.credits).toBeGreaterThan(0);
              if (tranche.source === 'rollover') {
                const v = before.vintages.find((vintage) => vintage.origin === tranche.origin);
                const w = after.vintages.find((vintage) => vintage.origin === tranche.origin);
                expect(tranche.origin).toBeLessThan(x.period.index);
                expect(v?.credits ?? 0).toBeGreaterThanOrEqual(tranche.credits);
                expect(w?.credits).toBe((v?.credits ?? 0) - tranche.credits);
                if (tranche.period !== null) expect(tranche.period.index).toBe(tranche.origin);
                plan += tranche.credits;
              } else if (tranche.source === 'allocation') {
                expect(tranche.origin).toBe(x.period.index);
                expect(before.allocationLeft).toBeGreaterThanOrEqual(tranche.credits);
                plan += tranche.credits;
              } else if (tranche.source === 'top_up') {
                topUps += tranche.credits;
              } else if (tranche.source === 'overage') {
                expect(after.overageLeft + tranche.credits).toBeLessThanOrEqual(after.overageAdded);
                if (tranche.triggered) triggered = after.overageAdded - before.overageAdded;
                else expect(before.overageLeft).toBeGreaterThanOrEqual(tranche.credits);
                plan += tranche.credits;
              } else {
                expect(after.metered).toBe((before.metered ?? 0) + tranche.credits);
              }
            }
            expect(before.topUpsLeft).toBeGreaterThanOrEqual(topUps);
            expect(after.topUpsLeft).toBe(before.topUpsLeft - topUps);
            expect(after.used - before.used).toBe(plan);
            // A bucket left over-used by an edit shows 0 remaining; the overage an event triggers
            // covers that excess first, so then less remains than the sum says.
            if (before.remaining > 0) expect(after.remaining).toBe(before.remaining + triggered - plan);
            else expect(after.remaining).toBeLessThanOrEqual(triggered - plan);
            // In the engine's order of spending: vintages oldest first, allocation, top-ups, overage, metered.
            const rank = x.paidBy.map((t) => ['rollover', 'allocation', 'top_up', 'overage', 'metered'].indexOf(t.source));
            expect(rank).toEqual([...rank].sort((a, b) => a - b));
            const origins = x.paidBy.flatMap((t) => (t.source === 'rollover' ? [t.origin] : []));
            expect(origins).toEqual([...origins].sort((a, b) => a - b));
          }
        }),
        { numRuns: 400 },
      );
      // Not vacuous: the random scenarios paid from every source and refused for both reasons.
      for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
    },
    SLOW,
  );
});
