import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/domain';
import { tempLedger, testClock, type TempLedger } from '../ledger/testing';
import { seedDemo, DEMO_ENVIRONMENT_NAME } from './demo';
import { createServices } from './index';

let t: TempLedger;
afterEach(() => t?.cleanup());

describe('demo environment', () => {
  it('creates spaces with all five channels, plans of both kinds, history, and months of usage, marked as demo', async () => {
    t = tempLedger();
    const clock = testClock('2026-05-20T15:30:00Z');
    const services = createServices({ ledger: t.ledger, clock });
    const started = performance.now();
    const summary = await seedDemo(services, clock);
    const elapsed = performance.now() - started;
    expect(summary).not.toBeNull();
    expect(summary!.events).toBeGreaterThan(100_000);
    // A first start waits for this; it stays a few seconds even on a busy machine.
    expect(elapsed).toBeLessThan(45_000);
    const [env] = services.org.listEnvironments();
    expect(env).toMatchObject({ demo: true, name: DEMO_ENVIRONMENT_NAME });
    const spaces = services.org.listSpaces(env!.id);
    expect(spaces.length).toBeGreaterThanOrEqual(3);
    expect(spaces.every((s) => s.demo && s.name.endsWith('(demo)'))).toBe(true);
    expect(new Set(spaces.flatMap((s) => s.channels.map((c) => c.channel)))).toEqual(new Set(CHANNELS));
    expect(spaces.some((s) => s.uncoveredChannels.length > 0)).toBe(true);
    // Demo e-mails are marked as such: demo data is never synced, so they are never sent.
    const mails = services.notifications.list({});
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.every((m) => m.demo && m.status === 'queued')).toBe(true);
    const plans = spaces.flatMap((s) => services.plans.list(s.id));
    expect(new Set(plans.map((p) => p.config.limit))).toEqual(new Set(['all_channels', 'channel_specific']));
    expect(plans.every((p) => p.status === 'active')).toBe(true);
    for (const plan of plans) {
      const state = services.details.state(plan.id);
      expect(state.buckets.some((b) => b.used > 0)).toBe(true);
    }
    const actions = services.history.list({}, null, 100).entries.map((e) => e.action);
    expect(new Set(actions)).toEqual(new Set(['created', 'updated', 'deleted']));
    // Demo changes are kept but never sent to the central service.
    expect(services.sync.status().pendingChanges).toBe(0);
    expect(services.sync.toSend()).toEqual([]);
    expect(await seedDemo(services, clock)).toBeNull();
  });
});
