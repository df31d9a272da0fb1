/**
 * The event explorer's cost (`usage.explain`) on a real SQLite ledger: one busy plan with a year
 * of imported usage (2,000,000 events by default, ~5,500 a day), random events looked up. An
 * explanation replays the plan from its last checkpoint before the event (at most that UTC day
 * of the plan's events) through the engine; the floor is SQLite alone reading the same rows
 * (the checkpoint and the day's events up to the event), in the same run.
 *
 *   npm run bench -- explain     (BENCH_EXPLAIN_EVENTS to change the count)
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openLedger } from '../src/main/ledger';
import { createServices } from '../src/main/services';
import { seededRandom as prng } from '../src/shared/seeded-random';

const EVENTS = Number(process.env.BENCH_EXPLAIN_EVENTS ?? 2_000_000);
const LOOKUPS = 200;
const NOW = Date.parse('2027-01-01T00:00:00Z');
const START = Date.parse('2026-01-01T00:00:00Z');
const CHANNELS = ['SMS', 'WhatsApp', 'Email'] as const;

const ms = (n: number): string => `${n.toFixed(2)} ms`;
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]): number => sorted(xs)[Math.floor(xs.length * 0.99)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'explain-bench-'));
  try {
    const ledger = openLedger(join(dir, 'explain.db'), { verify: 'none' });
    const services = createServices({ ledger, clock: () => NOW });
    const env = services.org.createEnvironment({ id: 'ENV-X', name: 'Bench' });
    services.org.createSpace({
      id: 'SP-X',
      environmentId: env.id,
      name: 'Busy',
      accountManager: { name: 'Bench', email: 'bench@example.com' },
      channels: CHANNELS.map((channel) => ({ channel, bidirectional: true })),
    });
    // A little less than the traffic needs: vintages roll over, then run out and events are refused.
    services.plans.create(
      'SP-X',
      { limit: 'all_channels', credits: Math.round((EVENTS / 12) * 1.85), renew: 'monthly', rollover: true, overage: false, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } },
      'bench',
    );
    const r = prng(7);
    const csvPath = join(dir, 'usage.csv');
    const out = createWriteStream(csvPath);
    let buffer = 'id,spaceId,channel,direction,credits,occurredAt\n';
    const step = (NOW - START) / EVENTS;
    for (let i = 0; i < EVENTS; i += 1) {
      const direction = r() < 0.05 ? 'MO' : 'MT';
      buffer += `e${i},SP-X,${CHANNELS[Math.floor(r() * 3)]},${direction},${1 + Math.floor(r() * 3)},${new Date(START + i * step).toISOString()}\n`;
      if (buffer.length > 1 << 20) {
        if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        buffer = '';
      }
    }
    out.write(buffer);
    await new Promise<void>((resolve) => out.end(() => resolve()));
    let started = performance.now();
    const report = await services.usage.importFile(csvPath, 'bench');
    console.log(`${EVENTS.toLocaleString('en-US')} events of one plan over 2026 imported in ${((performance.now() - started) / 1000).toFixed(1)} s (${report.rejectedByPlan.toLocaleString('en-US')} refused by the plan)`);

    const planRef = ledger.db.prepare('SELECT ref FROM plans LIMIT 1').pluck().get() as number;
    const checkpoint = ledger.db.prepare('SELECT at_ms, state FROM plan_checkpoints WHERE plan_ref = ? AND at_ms <= ? ORDER BY at_ms DESC LIMIT 1');
    const dayRows = ledger.db.prepare('SELECT seq, kind, credits, occurred_at FROM usage_events WHERE plan_ref = ? AND occurred_at >= ? AND occurred_at <= ? ORDER BY occurred_at, seq');
    const pick = prng(11);
    const ids = Array.from({ length: LOOKUPS }, () => `e${Math.floor(pick() * EVENTS)}`);
    const at = ledger.db.prepare('SELECT occurred_at FROM usage_events WHERE id = ?').pluck();
    const times = ids.map((id) => at.get(id) as number);
    const explain: number[] = [];
    const floor: number[] = [];
    const sources = new Set<string>();
    for (let round = 0; round < 2; round += 1) {
      ids.forEach((eventId, i) => {
        // Floor: the rows the replay must read, read and parsed by SQLite and JSON alone.
        let t = performance.now();
        const cp = checkpoint.get(planRef, times[i]) as { at_ms: number; state: string } | undefined;
        if (cp) JSON.parse(cp.state);
        dayRows.raw(true).all(planRef, cp?.at_ms ?? 0, times[i]);
        if (round === 1) floor.push(performance.now() - t);
        t = performance.now();
        const view = services.usageExplorer.explainHere({ scope: { kind: 'space', spaceId: 'SP-X' }, eventId })!;
        if (round === 1) explain.push(performance.now() - t);
        for (const tranche of view.explain?.paidBy ?? []) sources.add(tranche.source);
        if (view.explain?.accepted === false) sources.add('refused');
      });
    }
    started = performance.now();
    console.log(`paid from / refused among the lookups: ${[...sources].sort().join(', ')}`);
    console.log(
      `usage.explain, ${LOOKUPS} random events: median ${ms(median(explain))}  p99 ${ms(p99(explain))}  max ${ms(Math.max(...explain))}; ` +
        `floor (SQLite reading the checkpoint and the day's rows up to the event) median ${ms(median(floor))}, ratio ${(median(explain) / median(floor)).toFixed(1)}`,
    );
    console.log(`load (uptime): ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
    ledger.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
