import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel, type PlanConfig, type PlanPatch, type Renew } from '../../shared/domain';
import { applyDelete, applyEdit, cloneState, createPlanState, recordUsage, snapshotAt, type PlanState } from '../../shared/engine';
import { csv, makeWorld, type World } from './testing';

/**
 * The ledger against the engine alone: random plans, edits, deletions, and usage imported in
 * random order (much of it older than what the ledger already applied) must end exactly as
 * the engine applying every version and event once, in time order. Checked: which plan each
 * event counts against, every decision, bucket states now and at past instants, and used
 * credits over random windows against a brute-force sum.
 */

let w: World;
afterEach(() => w?.cleanup());

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZONES = ['UTC', 'Europe/Madrid', 'Asia/Kathmandu', 'America/Mexico_City', 'Australia/Lord_Howe'];
const RENEWS: (Renew | null)[] = [null, 'weekly', 'monthly'];
const SPACE_CHANNELS: Channel[] = ['SMS', 'WhatsApp', 'Email'];

function randomConfig(r: () => number, channels: Channel[], startMs: number, spanMs: number): PlanConfig {
  const renew = RENEWS[Math.floor(r() * RENEWS.length)]!;
  const date = new Date(startMs + Math.floor(r() * spanMs)).toISOString().slice(0, 10);
  const terms = {
    renew,
    rollover: renew !== null && r() < 0.5,
    overage: r() < 0.4,
    activation: { date, timeZone: ZONES[Math.floor(r() * ZONES.length)]! },
  };
  if (r() < 0.4) return { limit: 'all_channels', credits: 50 + Math.floor(r() * 400), ...terms };
  const credits: Partial<Record<Channel, number>> = {};
  for (const ch of channels) if (r() < 0.6 || Object.keys(credits).length === 0) credits[ch] = 20 + Math.floor(r() * 200);
  return { limit: 'channel_specific', credits, ...terms };
}

interface Version {
  at: number;
  action: string;
  config: PlanConfig;
}

/** The engine alone: each plan's versions and the events it claims, in time order. */
function oracle(plans: { id: string; versions: Version[] }[], events: { id: string; seq: number; channel: Channel; direction: 'MT' | 'MO'; credits: number; t: number }[], untilMs: number) {
  const states = plans.map((p) => ({ id: p.id, state: createPlanState(p.versions[0]!.config), next: 1, versions: p.versions }));
  const applyVersionsUpTo = (s: (typeof states)[number], t: number): void => {
    while (s.next < s.versions.length && s.versions[s.next]!.at <= t) {
      const v = s.versions[s.next++]!;
      if (v.action === 'deleted') applyDelete(s.state, v.at);
      else applyEdit(s.state, v.config as PlanPatch, v.at);
    }
  };
  const owner = new Map<string, string | null>();
  const rejected = new Set<string>();
  const sorted = [...events].sort((a, b) => a.t - b.t || a.seq - b.seq);
  for (const e of sorted) {
    let claimed: string | null = null;
    for (const s of states) {
      applyVersionsUpTo(s, e.t);
      const snap = snapshotAt(s.state, Math.max(e.t, s.state.clockMs));
      const name = s.state.config.limit === 'all_channels' ? 'ALL' : e.channel;
      if (!snap.deleted && snap.period !== null && snap.buckets[name as Channel] !== undefined) {
        const d = recordUsage(s.state, { id: e.id, channel: e.channel, credits: e.credits, direction: e.direction }, e.t);
        if (!d.accepted) rejected.add(e.id);
        claimed = s.id;
        break;
      }
    }
    owner.set(e.id, claimed);
  }
  for (const s of states) applyVersionsUpTo(s, untilMs);
  return { owner, rejected, states: new Map(states.map((s) => [s.id, s.state] as [string, PlanState])) };
}

function stateAtOracle(plan: { versions: Version[] }, claimed: { id: string; seq: number; channel: Channel; direction: 'MT' | 'MO'; credits: number; t: number }[], at: number) {
  const state = createPlanState(plan.versions[0]!.config);
  const items = [
    ...plan.versions.slice(1).map((v) => ({ t: v.at, order: 0, seq: 0, v, e: null })),
    ...claimed.map((e) => ({ t: e.t, order: 1, seq: e.seq, v: null, e })),
  ]
    .filter((i) => i.t <= at)
    .sort((a, b) => a.t - b.t || a.order - b.order || a.seq - b.seq);
  for (const item of items) {
    if (item.v) {
      if (item.v.action === 'deleted') applyDelete(state, item.v.at);
      else applyEdit(state, item.v.config as PlanPatch, item.v.at);
    } else if (item.e) recordUsage(state, { id: item.e.id, channel: item.e.channel, credits: item.e.credits, direction: item.e.direction }, item.e.t);
  }
  return snapshotAt(state, at);
}

const stats = { plans: 0, versions: 0, events: 0, rejected: 0, unattributed: 0, replays: 0 };

async function runSeed(seed: number): Promise<void> {
  const r = rng(seed);
  const start = Date.parse('2026-01-01T00:00:00Z');
  w = makeWorld('2026-01-05T00:00:00Z', SPACE_CHANNELS.map((channel) => ({ channel, bidirectional: true })));
  const { services, clock } = w;
  let n = 0;
  let planId: string | null = null;
  let version = 0;
  for (let step = 0; step < 14; step += 1) {
    clock.advance(Math.floor(r() * 9 * 86_400_000));
    const roll = r();
    if (planId === null && roll < 0.5) {
      try {
        const plan = services.plans.create(w.spaceId, randomConfig(r, SPACE_CHANNELS, start, clock() - start + 20 * 86_400_000), 'ana');
        planId = plan.id;
        version = plan.version;
      } catch {
        /* coexistence with nothing live cannot fail; an invalid random config can */
      }
    } else if (planId !== null && roll < 0.3) {
      const patch: PlanPatch = r() < 0.5 ? { credits: randomConfig(r, SPACE_CHANNELS, start, 1).credits, limit: undefined } : randomConfig(r, SPACE_CHANNELS, start, clock() - start);
      if ('limit' in patch && patch.limit === undefined) {
        const current = services.plans.get(planId).config;
        patch.limit = current.limit;
        patch.credits = current.limit === 'all_channels' ? 77 + Math.floor(r() * 300) : { SMS: 10 + Math.floor(r() * 100), Email: 50 };
      }
      try {
        version = services.plans.edit(planId, version, patch, 'bob').version;
      } catch {
        /* an edit that changes nothing is refused */
      }
    } else if (planId !== null && roll < 0.4) {
      services.plans.delete(planId, version, 'ana');
      planId = null;
    } else {
      const rows: string[] = [];
      const count = 20 + Math.floor(r() * 80);
      for (let i = 0; i < count; i += 1) {
        const t = start + Math.floor(r() * (clock() - start));
        const ch = SPACE_CHANNELS[Math.floor(r() * SPACE_CHANNELS.length)]!;
        const id = r() < 0.05 && n > 0 ? `e${Math.floor(r() * n)}` : `e${n++}`;
        rows.push(`${id},SP-RETAIL,${ch},${r() < 0.15 ? 'MO' : 'MT'},${1 + Math.floor(r() * 25)},${new Date(t).toISOString()}`);
      }
      await services.usage.importText('batch.csv', csv(rows), 'ana');
    }
  }
  const now = clock();
  const db = w.t.ledger.db;
  const plans = (db.prepare('SELECT ref, id FROM plans ORDER BY ref').all() as { ref: number; id: string }[]).map((p) => ({
    id: p.id,
    versions: (db.prepare('SELECT at, action, config FROM plan_versions WHERE plan_ref = ? ORDER BY version').all(p.ref) as { at: number; action: string; config: string }[]).map(
      (v) => ({ at: v.at, action: v.action, config: JSON.parse(v.config) as PlanConfig }),
    ),
  }));
  const events = db.prepare('SELECT e.id, e.seq, e.channel, e.direction, e.credits, e.occurred_at AS t, p.id AS plan, r.reason FROM usage_event_rows e LEFT JOIN plans p ON p.ref = e.plan_ref LEFT JOIN usage_rejections r ON r.event_seq = e.seq').all() as {
    id: string;
    seq: number;
    channel: Channel;
    direction: 'MT' | 'MO';
    credits: number;
    t: number;
    plan: string | null;
    reason: string | null;
  }[];
  const expected = oracle(plans, events, now);
  const where = `seed ${seed}`;
  for (const e of events) {
    expect(e.plan, `${where}: plan of ${e.id}`).toBe(expected.owner.get(e.id));
    expect(e.reason !== null, `${where}: decision of ${e.id}`).toBe(expected.rejected.has(e.id));
  }
  for (const plan of plans) {
    const claimed = events.filter((e) => e.plan === plan.id);
    const state = services.details.state(plan.id);
    const snap = snapshotAt(cloneState(expected.states.get(plan.id)!), now);
    expect(state.deleted, where).toBe(snap.deleted);
    expect(state.period?.index ?? null, where).toBe(snap.period?.index ?? null);
    for (const b of state.buckets) {
      const o = snap.buckets[b.bucket]!;
      expect({ bucket: b.bucket, used: b.used, remaining: b.remaining, carriedIn: b.carriedIn, overage: b.overage.added }, where).toEqual({
        bucket: b.bucket,
        used: o.used,
        remaining: o.remaining,
        carriedIn: o.carriedIn,
        overage: o.overage.added,
      });
    }
    for (let q = 0; q < 4; q += 1) {
      const at = start + Math.floor(r() * (now - start));
      const past = services.details.state(plan.id, at);
      const o = stateAtOracle(plan, claimed, at);
      expect(past.buckets.map((b) => [b.bucket, b.used, b.remaining]), `${where}: state at ${new Date(at).toISOString()}`).toEqual(
        Object.entries(o.buckets).map(([k, b]) => [k, b!.used, b!.remaining]),
      );
      // Used credits per channel over a window vs the events themselves.
      const a = start + Math.floor(r() * (now - start));
      const z = a + Math.floor(r() * (now - a)) + 1;
      const aligned = r() < 0.5;
      const from = aligned ? Math.floor(a / 900_000) * 900_000 : a;
      const to = aligned ? Math.ceil(z / 900_000) * 900_000 : z;
      const used = services.details.usedByChannel(plan.id, from, to);
      for (const ch of CHANNELS) {
        const brute = claimed
          .filter((e) => e.channel === ch && e.t >= from && e.t < to && e.direction === 'MT' && e.reason === null)
          .reduce((s, e) => s + e.credits, 0);
        expect(used.rows.find((row) => row.channel === ch)?.used ?? 0, `${where}: ${ch} used in window`).toBe(brute);
      }
    }
    const series = services.details.usageSeries(plan.id, start, now, 'week');
    const total = claimed.filter((e) => e.direction === 'MT' && e.reason === null && e.t >= start && e.t < now).reduce((s, e) => s + e.credits, 0);
    expect(series.points.reduce((s, p) => s + p.total, 0), `${where}: series total`).toBe(total);
  }
  stats.plans += plans.length;
  stats.versions += plans.reduce((s, p) => s + p.versions.length, 0);
  stats.events += events.length;
  stats.rejected += events.filter((e) => e.reason !== null).length;
  stats.unattributed += events.filter((e) => e.plan === null).length;
  stats.replays += (db.prepare('SELECT count(*) AS n FROM plan_checkpoints').get() as { n: number }).n;
  // Every plan version has exactly one history row and one outbox row.
  const orphans = db
    .prepare(
      `SELECT v.plan_ref, v.version, (SELECT count(*) FROM history_log h WHERE h.plan_ref = v.plan_ref AND h.version = v.version) AS h,
              (SELECT count(*) FROM outbox o WHERE o.plan_ref = v.plan_ref AND o.version = v.version) AS o
       FROM plan_versions v WHERE h != 1 OR o != 1`,
    )
    .all();
  expect(orphans).toEqual([]);
  w.cleanup();
}

describe('the ledger agrees with the engine', () => {
  it('on random plans, edits, deletions and out-of-order usage', async () => {
    for (let seed = 1; seed <= 30; seed += 1) await runSeed(seed);
    // The runs must have exercised what they claim to.
    expect(stats.plans).toBeGreaterThan(30);
    expect(stats.versions).toBeGreaterThan(stats.plans * 1.5);
    expect(stats.rejected).toBeGreaterThan(100);
    expect(stats.unattributed).toBeGreaterThan(100);
    console.log('oracle runs:', stats);
  });
});
