import type { Channel } from '../../shared/domain';
import type { ChannelTotals } from '../accounts';
import { type Ledger, SLOT_MS } from '../ledger';

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
 * details service adds to them. Bucket states follow the same rule (central-state.ts).
 */

/** One channel's central slots of a plan, by start, with running sums (index i: slots before i). */
interface ChannelSlots {
  starts: Float64Array;
  used: Float64Array;
  mo: Float64Array;
}

/**
 * A plan's central slots, read once and kept until a pull changes them: a window then costs two
 * binary searches per channel instead of reading every slot in it (a year is 35,040 slots per
 * channel). Only the sync client writes `central_usage_slots`, in this process, and it forgets
 * the plans a pull page touched (`forgetCentralUsage`).
 */
const caches = new WeakMap<Ledger, Map<string, Map<Channel, ChannelSlots>>>();
const key = (spaceId: string, planKey: string): string => `${spaceId}\n${planKey}`;

export function forgetCentralUsage(ledger: Ledger, keys: Iterable<string>): void {
  const cache = caches.get(ledger);
  if (cache === undefined) return;
  for (const k of keys) cache.delete(k);
}

/** The cache key of a pulled slot's plan (`plan_key`: the plan id, '' for none). */
export function centralUsageKey(spaceId: string, planId: string | null): string {
  return key(spaceId, planId ?? '');
}

function planSlots(ledger: Ledger, plan: CentralUsagePlan): Map<Channel, ChannelSlots> {
  let cache = caches.get(ledger);
  if (cache === undefined) caches.set(ledger, (cache = new Map()));
  const k = key(plan.spaceId, plan.id);
  const cached = cache.get(k);
  if (cached !== undefined) return cached;
  // Primary-key order (space, plan, channel, slot): sorted as read.
  const rows = ledger
    .stmt('SELECT channel, slot_ms, mt_credits, mo_events FROM central_usage_slots WHERE space_id = ? AND plan_key = ?')
    .raw(true)
    .all(plan.spaceId, plan.id) as [Channel, number, number, number][];
  const byChannel = new Map<Channel, ChannelSlots>();
  let i = 0;
  while (i < rows.length) {
    const channel = rows[i]![0];
    let j = i;
    while (j < rows.length && rows[j]![0] === channel) j += 1;
    const n = j - i;
    const series: ChannelSlots = { starts: new Float64Array(n), used: new Float64Array(n + 1), mo: new Float64Array(n + 1) };
    for (let r = 0; r < n; r += 1) {
      const [, slotMs, used, mo] = rows[i + r]!;
      series.starts[r] = slotMs;
      series.used[r + 1] = series.used[r]! + used;
      series.mo[r + 1] = series.mo[r]! + mo;
    }
    byChannel.set(channel, series);
    i = j;
  }
  cache.set(k, byChannel);
  return byChannel;
}

/** Index of the first start at or after `ms`. */
function lowerBound(starts: Float64Array, ms: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The window [boundaries[i], boundaries[i+1]) holding `ms`, which lies in [first, last). */
function windowOf(boundaries: readonly number[], ms: number): number {
  let a = 0;
  let b = boundaries.length - 1;
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (boundaries[mid]! <= ms) a = mid;
    else b = mid;
  }
  return a;
}

/**
 * Local slots of a plan that the central service also reported, in a range of slot numbers:
 * read from the local side (primary key plan, slot, channel), each checked against the central
 * primary key. A console that syncs has few or no local slots, so this reads little; one that
 * also imports the same traffic reads its own slots in the window.
 */
const LOCAL_REPORTED = `
  SELECT u.channel, u.slot, u.mt_credits - u.rejected_credits AS used, u.mo_count AS mo
    FROM usage_slots u
   WHERE u.plan_ref = ? AND u.slot >= ? AND u.slot < ?
     AND EXISTS (SELECT 1 FROM central_usage_slots c
                  WHERE c.space_id = ? AND c.plan_key = ? AND c.channel = u.channel AND c.slot_ms = u.slot * ${SLOT_MS})`;

export interface CentralUsagePlan {
  ref: number;
  id: string;
  spaceId: string;
}

function addTo(window: ChannelTotals, channel: Channel, used: number, mo: number): void {
  if (used === 0 && mo === 0) return;
  const cell = window.get(channel);
  if (cell === undefined) window.set(channel, { used, mo });
  else {
    cell.used += used;
    cell.mo += mo;
  }
}

/**
 * What the central service's slots change in each of the consecutive windows [b0, b1),
 * [b1, b2), …: per channel, its counts minus the local ones over the slots it reported wholly
 * inside the window. Empty maps when it reported nothing there.
 */
export function centralUsageCorrections(ledger: Ledger, plan: CentralUsagePlan, boundaries: readonly number[]): ChannelTotals[] {
  const windows: ChannelTotals[] = [];
  for (let i = 0; i + 1 < boundaries.length; i += 1) windows.push(new Map());
  if (windows.length === 0) return windows;
  const central = planSlots(ledger, plan);
  if (central.size === 0) return windows; // a plan the central service has no usage of: nothing to read

  // The central counts: a slot is wholly inside [a, b) when it starts in [a, b − 15 min].
  for (const [channel, series] of central) {
    let from = lowerBound(series.starts, boundaries[0]!);
    for (let i = 0; i < windows.length; i += 1) {
      const end = boundaries[i + 1]!;
      const to = lowerBound(series.starts, end - SLOT_MS + 1);
      if (to > from) addTo(windows[i]!, channel, series.used[to]! - series.used[from]!, series.mo[to]! - series.mo[from]!);
      // The next window starts at this one's end: a slot cut by the edge belongs to neither.
      from = lowerBound(series.starts, end);
    }
  }

  // Minus the local counts of those same slots.
  const first = Math.ceil(boundaries[0]! / SLOT_MS);
  const last = Math.floor(boundaries[boundaries.length - 1]! / SLOT_MS); // slots before it end by the last boundary
  if (last <= first) return windows;
  const rows = ledger
    .stmt(LOCAL_REPORTED)
    .raw(true)
    .all(plan.ref, first, last, plan.spaceId, plan.id) as [Channel, number, number, number][];
  for (const [channel, slot, used, mo] of rows) {
    const slotMs = slot * SLOT_MS;
    const i = windowOf(boundaries, slotMs);
    if (slotMs + SLOT_MS > boundaries[i + 1]!) continue; // cut by the window's end: kept local
    addTo(windows[i]!, channel, -used, -mo);
  }
  return windows;
}
