import { CHANNELS } from '../../shared/domain';
import { DIM, type KeyedUsage } from '../accounts';
import { type Ledger, SLOT_MS } from '../ledger';

/**
 * The central service's usage in the Usage screen (per space, whatever plan it counted against),
 * by the rule of plan details (central-usage.ts): **for each slot the central service has
 * reported, its counts replace the local ones; every other slot keeps the local counts.**
 *
 * - Channels: a slot is (space, channel, 15-minute slot), its central counts summed over the
 *   plans (and no plan) the central service put the traffic under (`central_usage_slots`); the
 *   local counts are the space's 15-minute rows of `space_usage`.
 * - Identities and campaigns: a slot is (space, identity or campaign, 15-minute slot)
 *   (`central_usage_label_slots`, pulled as `usageLabelSlot`); the local counts are the space's
 *   events with that label in that slot (a console that syncs holds few or none; one that also
 *   imports the same traffic reads those events, and counts them once).
 *
 * A slot counts only when it lies wholly inside the window (the screen's windows are local
 * days, whose midnights are on 15-minute marks in every zone). Cells are { mt, mo, rejected }
 * with used = mt − rejected, as the local aggregates: central mt = accepted + rejected credits.
 */

const CHANNEL_INDEX = `CASE c.channel ${CHANNELS.map((c, i) => `WHEN '${c}' THEN ${i}`).join(' ')} END`;

function add(target: Map<number, { mt: number; mo: number; rejected: number }>, key: number, mt: number, mo: number, rejected: number, sign: number): void {
  if (mt === 0 && mo === 0 && rejected === 0) return;
  const cell = target.get(key);
  if (cell === undefined) target.set(key, { mt: sign * mt, mo: sign * mo, rejected: sign * rejected });
  else {
    cell.mt += sign * mt;
    cell.mo += sign * mo;
    cell.rejected += sign * rejected;
  }
}

/** The window [b[i], b[i+1]) holding a slot wholly, or -1. */
function windowOfSlot(boundaries: readonly number[], slotMs: number): number {
  let a = 0;
  let b = boundaries.length - 1;
  if (slotMs < boundaries[0]! || slotMs + SLOT_MS > boundaries[b]!) return -1;
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (boundaries[mid]! <= slotMs) a = mid;
    else b = mid;
  }
  return slotMs + SLOT_MS <= boundaries[a + 1]! ? a : -1;
}

/**
 * Per window [b0, b1), [b1, b2), …: what the central service's channel slots change in a space's
 * usage per channel index (central − local over the slots it reported), to add to the local windows.
 */
export function centralSpaceChannelCorrections(ledger: Ledger, spaceId: string, spaceRef: number, boundaries: readonly number[]): KeyedUsage[] {
  const windows: KeyedUsage[] = boundaries.slice(1).map(() => new Map());
  if (windows.length === 0) return windows;
  const central = ledger
    .stmt(
      `SELECT c.slot_ms, ${CHANNEL_INDEX} AS ch, sum(c.mt_credits + c.rejected_credits), sum(c.mo_events), sum(c.rejected_credits)
         FROM central_usage_slots c WHERE c.space_id = ? AND c.slot_ms >= ? AND c.slot_ms < ? GROUP BY c.slot_ms, c.channel`,
    )
    .raw(true)
    .all(spaceId, boundaries[0]!, boundaries[boundaries.length - 1]!) as [number, number, number, number, number][];
  if (central.length === 0) return windows;
  const reported: [number, number][] = [];
  for (const [slotMs, ch, mt, mo, rejected] of central) {
    const i = windowOfSlot(boundaries, slotMs);
    if (i < 0) continue;
    add(windows[i]!, ch, mt, mo, rejected, 1);
    reported.push([slotMs / SLOT_MS, ch]);
  }
  // Minus the local counts of those same slots: one key seek each.
  const local = ledger
    .stmt(
      `SELECT u.unit, u.key, u.mt_credits, u.mo_count, u.rejected_credits
         FROM json_each(?) j CROSS JOIN space_usage u
           ON u.space_ref = ? AND u.dim = ${DIM.channel} AND u.level = 0 AND u.unit = j.value ->> 0 AND u.key = j.value ->> 1`,
    )
    .raw(true)
    .all(JSON.stringify(reported), spaceRef) as [number, number, number, number, number][];
  for (const [slot, ch, mt, mo, rejected] of local) add(windows[windowOfSlot(boundaries, slot * SLOT_MS)]!, ch, mt, mo, rejected, -1);
  return windows;
}

/** Usage per identity or campaign name. */
export type NamedUsage = Map<string, { mt: number; mo: number; rejected: number }>;

/**
 * What the central service's label slots change in a space's usage per identity (dim 1) or
 * campaign (dim 2) name over [from, to): central − local over the slots it reported wholly
 * inside. `planRefs`: every plan of the space (deleted ones too), whose events are found by the
 * plan index; traffic no plan covers is found by the space's.
 */
export function centralSpaceLabelCorrections(
  ledger: Ledger,
  spaceId: string,
  spaceRef: number,
  planRefs: readonly number[],
  dim: typeof DIM.identity | typeof DIM.campaign,
  from: number,
  to: number,
): NamedUsage {
  const corrections: NamedUsage = new Map();
  const lo = Math.ceil(from / SLOT_MS) * SLOT_MS;
  const hi = Math.floor(to / SLOT_MS) * SLOT_MS;
  if (!(hi > lo)) return corrections;
  const names: string[] = [];
  const keys = new Map<string, number>();
  const keyOf = (name: string): number => {
    let key = keys.get(name);
    if (key === undefined) {
      keys.set(name, (key = names.length));
      names.push(name);
    }
    return key;
  };
  const cells = new Map<number, { mt: number; mo: number; rejected: number }>();
  const central = ledger
    .stmt(
      `SELECT label, mt_credits + rejected_credits, mo_events, rejected_credits FROM central_usage_label_slots
        WHERE space_id = ? AND dim = ? AND slot_ms >= ? AND slot_ms < ?`,
    )
    .raw(true)
    .all(spaceId, dim, lo, hi) as [string, number, number, number][];
  if (central.length === 0) return corrections;
  for (const [label, mt, mo, rejected] of central) add(cells, keyOf(label), mt, mo, rejected, 1);
  const column = dim === DIM.identity ? 'identity' : 'campaign';
  // The local events of each reported slot with its label, from the slots (outer) into the events.
  const localSql = (attributed: boolean) => `
    SELECT c.label, sum(CASE WHEN (e.kind & 1) = 0 THEN e.credits ELSE 0 END), sum(e.kind & 1),
           sum(CASE WHEN (e.kind & 1) = 0 AND r.event_seq IS NOT NULL THEN e.credits ELSE 0 END)
      FROM central_usage_label_slots c
      CROSS JOIN usage_events e ON ${attributed ? 'e.plan_ref = ?' : 'e.space_ref = ? AND e.plan_ref IS NULL'}
           AND e.occurred_at >= c.slot_ms AND e.occurred_at < c.slot_ms + ${SLOT_MS} AND e.${column} = c.label
      LEFT JOIN usage_rejections r ON r.event_seq = e.seq
     WHERE c.space_id = ? AND c.dim = ? AND c.slot_ms >= ? AND c.slot_ms < ?
     GROUP BY c.label`;
  const rows: [string, number, number, number][] = [];
  for (const planRef of planRefs) rows.push(...(ledger.stmt(localSql(true)).raw(true).all(planRef, spaceId, dim, lo, hi) as [string, number, number, number][]));
  rows.push(...(ledger.stmt(localSql(false)).raw(true).all(spaceRef, spaceId, dim, lo, hi) as [string, number, number, number][]));
  for (const [label, mt, mo, rejected] of rows) add(cells, keyOf(label), mt, mo, rejected, -1);
  for (const [key, cell] of cells) corrections.set(names[key]!, cell);
  return corrections;
}
