import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import type { PlanStateRecord, PullItem, UsageSlotRecord } from '../../shared/sync';
import { applyPullPage, SyncService } from '../sync';
import { csv, makeWorld, type World } from './testing';

/**
 * The bucket state at the top of plan details for a plan the central service counts: its
 * reported state (pulled into `central_plan_states`) for the plan's current version, plus the
 * local usage in slots it has not reported, so that the buckets' used credits equal the usage
 * table's; the local engine's state wherever the central one does not apply. On a real ledger
 * file, through the pull's own apply path.
 */

let w: World;
afterEach(() => w?.cleanup());

const at = (iso: string): number => Date.parse(iso);

const allChannels: PlanConfig = {
  limit: 'all_channels',
  credits: 1_000,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'UTC' },
};

const channelSpecific: PlanConfig = {
  limit: 'channel_specific',
  credits: { SMS: 500, WhatsApp: 300 },
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'UTC' },
};

const march = { index: 2, start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' };
const bucket = (allocated: number, used: number) => ({ allocated, used, remaining: allocated - used, carriedIn: 0, overage: { added: 0, at: null } });

function slot(planId: string, channel: UsageSlotRecord['channel'], slotStart: string, mtCredits: number): PullItem {
  return {
    kind: 'usageSlot',
    usageSlot: { spaceId: 'SP-RETAIL', environmentId: 'ENV-PROD', planId, channel, slotStart, mtCredits, mtEvents: mtCredits, moEvents: 0, rejectedEvents: 0, rejectedCredits: 0 },
  };
}

function planState(record: PlanStateRecord): PullItem {
  return { kind: 'planState', planState: record };
}

function pull(world: World, items: PullItem[]): void {
  applyPullPage(world.services.ledger, { items, nextCursor: '1.1' }, { now: world.clock(), newId: SyncService.newConflictId });
}

describe('plan details: the bucket state the central service reported', () => {
  it('shows the central buckets as of their instant, plus local usage in slots the central service has not reported', async () => {
    w = makeWorld('2026-03-10T12:00:00Z');
    const plan = w.services.plans.create(w.spaceId, allChannels, 'ana');
    await w.services.usage.importText(
      'local.csv',
      csv([
        'e1,SP-RETAIL,SMS,MT,5,2026-03-05T10:03:00Z', // in a slot the central service reported: its count stands
        'e2,SP-RETAIL,SMS,MT,7,2026-03-08T09:00:00Z', // a slot it has not reported: added
        'e3,SP-RETAIL,Email,MT,4,2026-02-20T08:00:00Z', // the previous period: not this period's
        'e4,SP-RETAIL,SMS,MO,1,2026-03-08T09:01:00Z', // MO: free
      ]),
      'ana',
    );
    // Before any pull: the local engine.
    expect(w.services.details.state(plan.id)).toMatchObject({ source: { kind: 'local' }, buckets: [{ bucket: 'ALL', used: 12, remaining: 988 }] });

    pull(w, [
      slot(plan.id, 'SMS', '2026-03-05T10:00:00Z', 200),
      slot(plan.id, 'WhatsApp', '2026-03-06T00:00:00Z', 100),
      slot(plan.id, 'SMS', '2026-02-10T00:00:00Z', 50),
      planState({ planId: plan.id, version: 1, at: '2026-03-10T11:00:00Z', period: march, buckets: { ALL: bucket(1_000, 300) } }),
    ]);
    const state = w.services.details.state(plan.id);
    expect(state.source).toEqual({ kind: 'central', at: '2026-03-10T11:00:00.000Z', version: 1, localUnreported: { ALL: 7 } });
    expect(state.period).toEqual({ index: 2, start: '2026-03-01T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z' });
    expect(state.buckets).toEqual([
      { bucket: 'ALL', allocation: 1_000, allocated: 1_000, used: 307, remaining: 693, carriedIn: 0, overage: { added: 0, at: null } },
    ]);
    // The same figure as the usage table over the period so far: no event counted twice.
    expect(w.services.details.usedByChannel(plan.id, at(march.start), w.clock()).grandTotal).toBe(307);

    // Local usage after the central instant in an unreported slot adds too; a later import into
    // a reported slot does not.
    await w.services.usage.importText('more.csv', csv(['e5,SP-RETAIL,Email,MT,3,2026-03-10T11:30:00Z', 'e6,SP-RETAIL,WhatsApp,MT,2,2026-03-06T00:05:00Z']), 'ana');
    expect(w.services.details.state(plan.id).buckets[0]).toMatchObject({ used: 310, remaining: 690 });
    expect(w.services.details.usedByChannel(plan.id, at(march.start), w.clock()).grandTotal).toBe(310);

    // An instant before the central one: the local engine's state then.
    expect(w.services.details.state(plan.id, at('2026-03-09T00:00:00Z'))).toMatchObject({ source: { kind: 'local' }, buckets: [{ used: 5 + 7 + 2 }] });
    // The file keeps it across a reopen.
    expect(w.reopen().details.state(plan.id)).toMatchObject({ source: { kind: 'central' }, buckets: [{ used: 310 }] });

    // Once the period has ended, the central state no longer describes it.
    w.clock.set('2026-04-01T00:00:00Z');
    expect(w.services.details.state(plan.id).source).toEqual({ kind: 'local' });
  });

  it("keeps the local engine's state while a local edit is not yet the central version", async () => {
    w = makeWorld('2026-03-10T12:00:00Z');
    const plan = w.services.plans.create(w.spaceId, allChannels, 'ana');
    pull(w, [planState({ planId: plan.id, version: 1, at: '2026-03-10T11:00:00Z', period: march, buckets: { ALL: bucket(1_000, 300) } })]);
    expect(w.services.details.state(plan.id).buckets[0]).toMatchObject({ used: 300 });
    w.services.plans.edit(plan.id, 1, { credits: 2_000 }, 'ana');
    expect(w.services.details.state(plan.id)).toMatchObject({ source: { kind: 'local' }, buckets: [{ allocated: 2_000, used: 0 }] });
    // The central service accepts it: its state for version 2 applies again.
    pull(w, [planState({ planId: plan.id, version: 2, at: '2026-03-10T12:00:00Z', period: march, buckets: { ALL: bucket(2_000, 300) } })]);
    expect(w.services.details.state(plan.id)).toMatchObject({ source: { kind: 'central', version: 2 }, buckets: [{ allocated: 2_000, used: 300, remaining: 1_700 }] });
  });

  it('adds local usage per channel bucket, never below 0 remaining', async () => {
    w = makeWorld('2026-03-10T12:00:00Z');
    const plan = w.services.plans.create(w.spaceId, channelSpecific, 'ana');
    await w.services.usage.importText(
      'local.csv',
      csv(['c1,SP-RETAIL,SMS,MT,20,2026-03-02T08:00:00Z', 'c2,SP-RETAIL,WhatsApp,MT,280,2026-03-02T08:00:00Z', 'c3,SP-RETAIL,Email,MT,9,2026-03-02T08:00:00Z']),
      'ana',
    );
    pull(w, [
      slot(plan.id, 'SMS', '2026-03-03T00:00:00Z', 100),
      slot(plan.id, 'WhatsApp', '2026-03-03T00:00:00Z', 50),
      planState({ planId: plan.id, version: 1, at: '2026-03-10T11:00:00Z', period: march, buckets: { SMS: bucket(500, 100), WhatsApp: bucket(300, 50) } }),
    ]);
    const state = w.services.details.state(plan.id);
    // Email is no bucket of this plan (its local event was rejected): nothing to add.
    expect(state.source).toEqual({ kind: 'central', at: '2026-03-10T11:00:00.000Z', version: 1, localUnreported: { SMS: 20, WhatsApp: 280 } });
    expect(state.buckets.map((b) => [b.bucket, b.used, b.remaining])).toEqual([
      ['SMS', 120, 380],
      ['WhatsApp', 330, 0],
    ]);
  });
});
