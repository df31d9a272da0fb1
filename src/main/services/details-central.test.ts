import { afterEach, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../shared/domain';
import type { PullItem, UsageSlotRecord } from '../../shared/sync';
import { applyPullPage, SyncService } from '../sync';
import { csv, makeWorld, type World } from './testing';

/**
 * Plan details with usage the central service counted (pulled into `central_usage_slots`) and
 * usage imported here: per (plan, channel, 15-minute slot) the central count replaces the local
 * one, other slots keep theirs; on a real ledger file, through the pull's own apply path.
 */

let w: World;
afterEach(() => w?.cleanup());

const allChannels: PlanConfig = {
  limit: 'all_channels',
  credits: 1_000_000,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'UTC' },
};

const at = (iso: string): number => Date.parse(iso);

function slot(planId: string | null, channel: UsageSlotRecord['channel'], slotStart: string, mtCredits: number, moEvents = 0): PullItem {
  return {
    kind: 'usageSlot',
    usageSlot: { spaceId: 'SP-RETAIL', environmentId: 'ENV-PROD', planId, channel, slotStart, mtCredits, mtEvents: mtCredits, moEvents, rejectedEvents: 0, rejectedCredits: 0 },
  };
}

function pull(world: World, items: PullItem[]): void {
  applyPullPage(world.services.ledger, { items, nextCursor: '1.1' }, { now: world.clock(), newId: SyncService.newConflictId });
}

describe('plan details with the central service’s usage', () => {
  it('replaces the local count of every slot the central service reported, keeps the others, and never counts an event twice', async () => {
    w = makeWorld('2026-03-01T00:00:00Z');
    const plan = w.services.plans.create(w.spaceId, allChannels, 'ana');
    await w.services.usage.importText(
      'local.csv',
      csv([
        'e1,SP-RETAIL,SMS,MT,5,2026-02-10T10:02:00Z', // slot 10:00, also counted centrally
        'e2,SP-RETAIL,SMS,MT,3,2026-02-10T10:10:00Z', // slot 10:00
        'e3,SP-RETAIL,SMS,MT,4,2026-02-10T11:00:00Z', // slot 11:00, local only
        'e4,SP-RETAIL,SMS,MO,1,2026-02-10T11:01:00Z',
      ]),
      'ana',
    );
    const window = [at('2026-02-10T00:00:00Z'), at('2026-02-12T00:00:00Z')] as const;
    expect(w.services.details.usedByChannel(plan.id, ...window).rows.find((r) => r.channel === 'SMS')).toEqual({ channel: 'SMS', used: 12, moMessages: 1 });

    pull(w, [
      slot(plan.id, 'SMS', '2026-02-10T10:00:00Z', 9), // one event more than the console saw
      slot(plan.id, 'WhatsApp', '2026-02-11T00:00:00Z', 20, 2), // traffic the console never imported
      slot(plan.id, 'SMS', '2026-03-05T00:00:00Z', 1_000), // outside the window
      slot(null, 'SMS', '2026-02-10T12:00:00Z', 50), // no plan
      slot('CP-ELSEWHERE', 'SMS', '2026-02-10T13:00:00Z', 70), // another plan of the space
    ]);

    const used = w.services.details.usedByChannel(plan.id, ...window);
    expect(used.rows).toEqual([
      { channel: 'SMS', used: 9 + 4, moMessages: 1 },
      { channel: 'WhatsApp', used: 20, moMessages: 2 },
      { channel: 'Email', used: 0, moMessages: 0 },
    ]);
    expect(used.grandTotal).toBe(33);

    // A window edge inside the 10:00 slot: that slot cannot be split, so it keeps the local
    // events after the edge (3 credits); the rest is as above.
    const cut = w.services.details.usedByChannel(plan.id, at('2026-02-10T10:07:00Z'), window[1]);
    expect(cut.rows.slice(0, 2).map((r) => r.used)).toEqual([3 + 4, 20]);
    // And an end inside it: the local events before the edge (5 credits).
    expect(w.services.details.usedByChannel(plan.id, window[0], at('2026-02-10T10:07:00Z')).rows[0]).toMatchObject({ channel: 'SMS', used: 5 });
    expect(w.services.details.usedByChannel(plan.id, window[0], at('2026-02-10T10:15:00Z')).rows[0]).toMatchObject({ channel: 'SMS', used: 9 });

    const series = w.services.details.usageSeries(plan.id, at('2026-02-09T00:00:00Z'), at('2026-02-13T00:00:00Z'), 'day');
    expect(series.points.map((p) => [p.start, p.byChannel, p.total])).toEqual([
      ['2026-02-09', {}, 0],
      ['2026-02-10', { SMS: 13 }, 13],
      ['2026-02-11', { WhatsApp: 20 }, 20],
      ['2026-02-12', {}, 0],
    ]);
    const month = w.services.details.usageSeries(plan.id, at('2026-02-01T00:00:00Z'), at('2026-04-01T00:00:00Z'), 'month');
    expect(month.points.map((p) => p.total)).toEqual([33, 1_000]);

    // A later pull brings the slot's new count: it replaces the earlier one, not adds to it.
    pull(w, [slot(plan.id, 'SMS', '2026-02-10T10:00:00Z', 11)]);
    expect(w.services.details.usedByChannel(plan.id, ...window).rows[0]).toMatchObject({ channel: 'SMS', used: 11 + 4 });

    // The file keeps all of it across a reopen.
    const reopened = w.reopen();
    expect(reopened.details.usedByChannel(plan.id, ...window).grandTotal).toBe(35);
  });

  it('counts a central slot equal to the local one once', async () => {
    w = makeWorld('2026-03-01T00:00:00Z');
    const plan = w.services.plans.create(w.spaceId, allChannels, 'ana');
    await w.services.usage.importText('same.csv', csv(['s1,SP-RETAIL,Email,MT,7,2026-02-20T08:30:00Z', 's2,SP-RETAIL,Email,MO,1,2026-02-20T08:31:00Z']), 'ana');
    pull(w, [slot(plan.id, 'Email', '2026-02-20T08:30:00Z', 7, 1)]);
    const used = w.services.details.usedByChannel(plan.id, at('2026-02-01T00:00:00Z'), at('2026-03-01T00:00:00Z'));
    expect(used.rows.find((r) => r.channel === 'Email')).toEqual({ channel: 'Email', used: 7, moMessages: 1 });
    expect(used.grandTotal).toBe(7);
  });
});
