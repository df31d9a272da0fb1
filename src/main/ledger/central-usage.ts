import { CHANNELS, type Channel } from '../../shared/domain';
import type { ChannelTotals } from './aggregates';
import type { Ledger } from './ledger';
import { SLOT_MS } from './time';

/**
 * Usage as the central service counted it, in a plan's details.
 *
 * A pull brings the central service's usage per plan, channel and 15-minute slot
 * (`central_usage_slots`); the console may also hold events of the same traffic, imported from
 * a file. The rule: **for each (plan, channel, slot) the central service has reported, its
 * counts replace the local ones; every other slot keeps the local counts.** The central
 * service decides every event the messaging platform sends and its buckets are what the
 * platform is held to, so its count wins where it has one; an event imported here as well is
 * never counted twice, and local traffic in slots the central service has not seen (an offline
 * console, a file never sent to it) still shows.
 *
 * - Central used credits are its accepted MT credits (`mt_credits`; rejected events are counted
 *   apart there), MO messages its accepted MO events.
 * - A slot counts for a window only when it lies wholly inside it. A window edge off a 15-minute
 *   mark (never a local midnight, which the screens use) leaves the slot it cuts with the local
 *   counts: the central service's count cannot be split inside a slot.
 * - Slots are matched by plan id; traffic the central service put under another plan (or none)
 *   does not change this plan's figures.
 *
 * The local figures come from the aggregates (`usageInWindow(s)`); this module gives, per
 * window, the difference the central slots make (central − local, slot by slot), which the
 * details service adds to them. Bucket states (`stateAt`) stay the local engine's.
 */

const IN_CHANNELS = CHANNELS.map((c) => `'${c}'`).join(', ');

/**
 * Central slots of a plan in [lo, hi) whose counts differ from the local slot's. The channel
 * list lets SQLite seek the primary key (space, plan, channel, slot) for each channel instead
 * of reading every slot the plan ever had.
 */
const DIFFERENCES = `
  SELECT c.channel, c.slot_ms,
         c.mt_credits - coalesce(u.mt_credits - u.rejected_credits, 0) AS used,
         c.mo_events - coalesce(u.mo_count, 0) AS mo
    FROM central_usage_slots c
    LEFT JOIN usage_slots u ON u.plan_ref = ? AND u.slot = c.slot_ms / ${SLOT_MS} AND u.channel = c.channel
   WHERE c.space_id = ? AND c.plan_key = ? AND c.channel IN (${IN_CHANNELS}) AND c.slot_ms >= ? AND c.slot_ms < ?
     AND (c.mt_credits != coalesce(u.mt_credits - u.rejected_credits, 0) OR c.mo_events != coalesce(u.mo_count, 0))`;

export interface CentralUsagePlan {
  ref: number;
  id: string;
  spaceId: string;
}

/**
 * What the central service's slots change in each of the consecutive windows [b0, b1),
 * [b1, b2), …: per channel, central minus local over the slots it reported wholly inside the
 * window. Empty maps when it reported nothing there.
 */
export function centralUsageCorrections(ledger: Ledger, plan: CentralUsagePlan, boundaries: readonly number[]): ChannelTotals[] {
  const windows: ChannelTotals[] = [];
  for (let i = 0; i + 1 < boundaries.length; i += 1) windows.push(new Map());
  if (windows.length === 0) return windows;
  const lo = boundaries[0]!;
  const hi = boundaries[boundaries.length - 1]!;
  const rows = ledger
    .stmt(DIFFERENCES)
    .raw(true)
    .all(plan.ref, plan.spaceId, plan.id, lo, hi) as [Channel, number, number, number][];
  for (const [channel, slotMs, used, mo] of rows) {
    // The window holding the slot's start: the last boundary at or before it.
    let a = 0;
    let b = boundaries.length - 1;
    while (b - a > 1) {
      const mid = (a + b) >> 1;
      if (boundaries[mid]! <= slotMs) a = mid;
      else b = mid;
    }
    if (slotMs + SLOT_MS > boundaries[a + 1]!) continue; // cut by the window's end
    const window = windows[a]!;
    const cell = window.get(channel);
    if (cell === undefined) window.set(channel, { used, mo });
    else {
      cell.used += used;
      cell.mo += mo;
    }
  }
  return windows;
}
