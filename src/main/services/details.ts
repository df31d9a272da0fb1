import { Temporal } from 'temporal-polyfill';
import { CHANNELS, allocationOf, bucketNames, type Channel } from '../../shared/domain';
import { snapshotAt } from '../../shared/engine';
import type { BucketTopUpsView, PlanStateView, UsageSeries, UsedByChannel } from '../../shared/api';
import { centralBucketsAt, centralUsageCorrections } from '../sync';
import { getSpace, iso, type Ledger, type PlanRow } from '../ledger';
import { currentAttribution, stateAt, usageInWindow, usageInWindows, type ChannelTotals } from '../accounts';
import { ApiFailure } from '../../shared/api';
import { LocalMidnights } from './local-days';
import type { PlansService } from './plans';

/**
 * What the plan details screen shows: every bucket now (or at an instant), credits used per
 * channel in a window, and usage over time grouped by the plan's local days, weeks or months.
 * Windows are UTC instants; the screens compute local-day boundaries in the plan's zone.
 * Used credits and the series count the central service's usage where a pull brought it: its
 * count of a 15-minute slot replaces the local one (sync/central-usage.ts has the rule); the
 * bucket state is the central service's where a pull brought one for the plan's current version
 * (sync/central-state.ts), so the two agree.
 */

const MAX_POINTS = 1500;

export class DetailsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
    private readonly plans: PlansService,
  ) {}

  /**
   * The buckets at `atMs` (now when absent): the central service's reported state where it
   * applies, with the local usage it has not counted (sync/central-state.ts has the rule),
   * otherwise the local engine's.
   */
  state(planId: string, atMs?: number): PlanStateView {
    const plan = this.plans.row(planId);
    const at = atMs ?? this.clock();
    const central = centralBucketsAt(this.ledger, plan, at, atMs === undefined);
    if (central !== null) {
      const localUnreported: Partial<Record<Channel | 'ALL', number>> = {};
      for (const b of central.buckets) localUnreported[b.bucket] = b.localUnreported;
      // The lots of add-on credits are this console's record (given here or pulled): the engine's.
      const lots = central.buckets.some((b) => b.topUps !== undefined) ? this.lotsAt(plan, at) : null;
      return {
        at: iso(at),
        deleted: false,
        period: { index: central.period.index, start: iso(central.period.startMs), end: central.period.endMs === null ? null : iso(central.period.endMs) },
        buckets: central.buckets.map((b) => ({
          bucket: b.bucket,
          allocation: allocationOf(plan.config, b.bucket),
          allocated: b.allocated,
          used: b.used,
          remaining: b.remaining,
          carriedIn: b.carriedIn,
          overage: { added: b.overage.added, at: b.overage.at === null ? null : iso(Date.parse(b.overage.at)) },
          ...(b.topUps !== undefined ? { topUps: { ...b.topUps, lots: lots?.get(b.bucket) ?? [] } } : {}),
          // SPEC §9.4 / §9.5 as the central service reported them (sync/central-state.ts).
          ...(b.daily && { daily: b.daily }),
          ...(b.metered && { metered: { credits: b.metered.credits, at: b.metered.at === null ? null : iso(Date.parse(b.metered.at)), charge: b.metered.charge } }),
        })),
        source: { kind: 'central', at: iso(central.at), version: central.version, localUnreported },
      };
    }
    const timeline = currentAttribution(this.ledger).timeline(plan.ref)!;
    const snapshot = snapshotAt(stateAt(this.ledger, timeline, at), at);
    return {
      at: iso(at),
      deleted: snapshot.deleted,
      period: snapshot.period && {
        index: snapshot.period.index,
        start: iso(snapshot.period.startMs),
        end: snapshot.period.endMs === null || !Number.isFinite(snapshot.period.endMs) ? null : iso(snapshot.period.endMs),
      },
      buckets: Object.entries(snapshot.buckets).map(([bucket, b]) => ({
        bucket: bucket as Channel | 'ALL',
        allocation: b.allocation,
        allocated: b.allocated,
        used: b.used,
        remaining: b.remaining,
        carriedIn: b.carriedIn,
        overage: { added: b.overage.added, at: b.overage.atMs === null ? null : iso(b.overage.atMs) },
        // Add-on credits (SPEC §9.2): available in the bucket = remaining + topUps.remaining.
        ...(b.topUps && {
          topUps: {
            available: b.topUps.available,
            used: b.topUps.used,
            remaining: b.topUps.remaining,
            lots: b.topUps.lots.map((lot) => ({ id: lot.id, credits: lot.credits, left: lot.left, expires: lot.expires, addedAt: iso(lot.addedAtMs) })),
          },
        }),
        ...(b.daily ? { daily: { limit: b.daily.limit, used: b.daily.used } } : {}),
        ...(b.metered ? { metered: { credits: b.metered.credits, at: b.metered.atMs === null ? null : iso(b.metered.atMs), charge: b.metered.charge } } : {}),
      })),
      source: { kind: 'local' },
    };
  }

  /** The usable lots of add-on credits per bucket at `at`, as the local engine holds them. */
  private lotsAt(plan: PlanRow, at: number): Map<string, BucketTopUpsView['lots']> {
    const timeline = currentAttribution(this.ledger).timeline(plan.ref)!;
    const snapshot = snapshotAt(stateAt(this.ledger, timeline, at), at);
    return new Map(
      Object.entries(snapshot.buckets).map(([bucket, b]) => [
        bucket,
        (b.topUps?.lots ?? []).map((lot) => ({ id: lot.id, credits: lot.credits, left: lot.left, expires: lot.expires, addedAt: iso(lot.addedAtMs) })),
      ]),
    );
  }

  /** The channels a plan's usage table lists: the space's (all channels) or the plan's. */
  private channelsOf(planId: string): { ref: number; id: string; spaceId: string; channels: Channel[]; timeZone: string } {
    const plan = this.plans.row(planId);
    const config = plan.config;
    const space = getSpace(this.ledger, plan.spaceId)!;
    const channels =
      config.limit === 'all_channels' ? space.channels.map((c) => c.channel) : (bucketNames(config) as Channel[]);
    return { ref: plan.ref, id: plan.id, spaceId: plan.spaceId, channels, timeZone: config.activation.timeZone };
  }

  /**
   * Usage in the windows between consecutive boundaries, from the local aggregates (`windows`),
   * with the central service's slots in place of the local ones.
   */
  private withCentral(plan: { ref: number; id: string; spaceId: string }, boundaries: readonly number[], windows: ChannelTotals[]): ChannelTotals[] {
    const corrections = centralUsageCorrections(this.ledger, plan, boundaries);
    corrections.forEach((correction, i) => {
      const window = windows[i]!;
      for (const [channel, delta] of correction) {
        const cell = window.get(channel);
        if (cell === undefined) window.set(channel, { ...delta });
        else {
          cell.used += delta.used;
          cell.mo += delta.mo;
        }
      }
    });
    return windows;
  }

  usedByChannel(planId: string, fromMs: number, toMs: number): UsedByChannel {
    if (!(toMs > fromMs)) throw new ApiFailure('validation', 'The time range must end after it starts.');
    const plan = this.channelsOf(planId);
    const { channels } = plan;
    const totals = this.withCentral(plan, [fromMs, toMs], [usageInWindow(this.ledger, plan.ref, fromMs, toMs)])[0]!;
    const listed = CHANNELS.filter((c) => channels.includes(c) || (totals.get(c)?.used ?? 0) !== 0 || (totals.get(c)?.mo ?? 0) !== 0);
    const rows = listed.map((channel) => ({ channel, used: totals.get(channel)?.used ?? 0, moMessages: totals.get(channel)?.mo ?? 0 }));
    return { from: iso(fromMs), to: iso(toMs), rows, grandTotal: rows.reduce((sum, r) => sum + r.used, 0) };
  }

  usageSeries(planId: string, fromMs: number, toMs: number, groupBy: 'day' | 'week' | 'month'): UsageSeries {
    if (!(toMs > fromMs)) throw new ApiFailure('validation', 'The time range must end after it starts.');
    const plan = this.channelsOf(planId);
    const { timeZone } = plan;
    // Group starts: local midnights in the plan's zone (weeks start on Monday).
    let date = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone).toPlainDate();
    if (groupBy === 'week') date = date.subtract({ days: date.dayOfWeek - 1 });
    if (groupBy === 'month') date = date.with({ day: 1 });
    const step = groupBy === 'day' ? { days: 1 } : groupBy === 'week' ? { weeks: 1 } : { months: 1 };
    const starts: { date: string; ms: number }[] = [];
    const midnights = new LocalMidnights(timeZone);
    for (;;) {
      const ms = midnights.of(date);
      if (ms >= toMs) break;
      starts.push({ date: date.toString(), ms });
      if (starts.length > MAX_POINTS) {
        throw new ApiFailure('validation', `That range has more than ${MAX_POINTS} ${groupBy}s; group by a longer period or shorten the range.`);
      }
      date = date.add(step);
    }
    const boundaries = starts.map((s, i) => (i === 0 ? Math.max(s.ms, fromMs) : s.ms));
    boundaries.push(toMs);
    const windows = this.withCentral(plan, boundaries, usageInWindows(this.ledger, plan.ref, boundaries));
    return {
      groupBy,
      timeZone,
      points: starts.map((s, i) => {
        const byChannel: Partial<Record<Channel, number>> = {};
        let total = 0;
        for (const [channel, cell] of windows[i] ?? []) {
          if (cell.used === 0) continue;
          byChannel[channel] = cell.used;
          total += cell.used;
        }
        return { start: s.date, byChannel, total };
      }),
    };
  }
}
