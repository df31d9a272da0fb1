import type { Ledger } from './ledger';
import { DAY_MS, HOUR_MS, SLOT_MS } from './time';

/**
 * Usage per space (migration 7's `space_usage`) for the Usage screen: per channel, per identity
 * and per campaign, at three UTC sizes — 15-minute slots, hours, days — whatever plan the
 * traffic counted against. An import adds up each batch here in memory and writes one upsert
 * per touched row (the plan aggregates' way); rejected credits are kept by triggers on
 * `usage_rejections`.
 *
 * A window [from, to) whose ends are on 15-minute marks (every local midnight in use is) is read
 * as P(to) − P(from) on top of whole UTC days, P(x) being the part of x's UTC day before x, read
 * forwards (hours then slots) or backwards from the day row, whichever reads fewer rows. A year
 * reads ~366 day rows per key plus two partial days.
 */

export const DIM = { channel: 0, identity: 1, campaign: 2 } as const;
export type Dim = (typeof DIM)[keyof typeof DIM];

const LEVEL = { slot: 0, hour: 1, day: 2 } as const;
/** Slots from 1970 to ~2200 fit below 2^23; space refs below 2^27. */
const SLOT_SPAN = 2 ** 23;

type Cell = [mt: number, mo: number];

function addCell(map: Map<number, Cell>, key: number, mt: number, mo: number): void {
  const cell = map.get(key);
  if (cell === undefined) map.set(key, [mt, mo]);
  else {
    cell[0] += mt;
    cell[1] += mo;
  }
}

const UPSERT = `INSERT INTO space_usage (space_ref, dim, level, unit, key, mt_credits, mo_count) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (space_ref, dim, level, unit, key) DO UPDATE SET
    mt_credits = mt_credits + excluded.mt_credits, mo_count = mo_count + excluded.mo_count`;

/** In-memory additions to `space_usage`, written by `flush` inside the batch's transaction. */
export class SpaceUsageDelta {
  /** (space ref × SLOT_SPAN + slot) × 8 + channel index → cell */
  private readonly channels = new Map<number, Cell>();
  /** per dim (1 identity, 2 campaign): name → (space ref × SLOT_SPAN + slot) → cell */
  private readonly labels: [Map<string, Map<number, Cell>>, Map<string, Map<number, Cell>>] = [new Map(), new Map()];

  /** One event: `mt` its MT credits (0 for MO), `mo` 1 for an MO message. */
  add(spaceRef: number, channel: number, ms: number, mt: number, mo: number, identity: string | null | undefined, campaign: string | null | undefined): void {
    const spaceSlot = spaceRef * SLOT_SPAN + Math.floor(ms / SLOT_MS);
    addCell(this.channels, spaceSlot * 8 + channel, mt, mo);
    if (identity != null) this.addLabel(0, identity, spaceSlot, mt, mo);
    if (campaign != null) this.addLabel(1, campaign, spaceSlot, mt, mo);
  }

  private addLabel(which: 0 | 1, name: string, spaceSlot: number, mt: number, mo: number): void {
    const byName = this.labels[which];
    let slots = byName.get(name);
    if (slots === undefined) byName.set(name, (slots = new Map()));
    addCell(slots, spaceSlot, mt, mo);
  }

  flush(ledger: Ledger): void {
    const upsert = ledger.stmt(UPSERT);
    // (space, slot, key) cells rolled up into hours and days as they are written.
    const write = (dim: Dim, cells: Iterable<[spaceSlot: number, key: number, cell: Cell]>): void => {
      const hours = new Map<number, Cell>();
      const days = new Map<number, Cell>();
      for (const [spaceSlot, key, cell] of cells) {
        const slot = spaceSlot % SLOT_SPAN;
        const spaceRef = (spaceSlot - slot) / SLOT_SPAN;
        upsert.run(spaceRef, dim, LEVEL.slot, slot, key, cell[0], cell[1]);
        // Keys below 2^24 (labels, channels) and units below 2^23: one number per (space, unit, key).
        addCell(hours, ((spaceRef * SLOT_SPAN + Math.floor(slot / 4)) * 2 ** 24 + key), cell[0], cell[1]);
        addCell(days, ((spaceRef * SLOT_SPAN + Math.floor(slot / 96)) * 2 ** 24 + key), cell[0], cell[1]);
      }
      for (const [level, map] of [[LEVEL.hour, hours], [LEVEL.day, days]] as const) {
        for (const [packed, cell] of map) {
          const key = packed % 2 ** 24;
          const spaceUnit = (packed - key) / 2 ** 24;
          const unit = spaceUnit % SLOT_SPAN;
          upsert.run((spaceUnit - unit) / SLOT_SPAN, dim, level, unit, key, cell[0], cell[1]);
        }
      }
    };
    write(DIM.channel, (function* (channels) {
      for (const [packed, cell] of channels) {
        const channel = packed % 8;
        yield [(packed - channel) / 8, channel, cell] as [number, number, Cell];
      }
    })(this.channels));
    for (const [which, dim] of [[0, DIM.identity], [1, DIM.campaign]] as const) {
      const byName = this.labels[which];
      if (byName.size === 0) continue;
      const refs = labelRefs(ledger, dim, [...byName.keys()]);
      write(dim, (function* () {
        for (const [name, slots] of byName) {
          const ref = refs.get(name)!;
          for (const [spaceSlot, cell] of slots) yield [spaceSlot, ref, cell] as [number, number, Cell];
        }
      })());
    }
    this.channels.clear();
    this.labels[0].clear();
    this.labels[1].clear();
  }
}

/**
 * The numbers of identity or campaign names, adding the new ones. Looked up per batch, never
 * cached across transactions: a rolled-back batch would leave a cache naming refs that are gone.
 */
export function labelRefs(ledger: Ledger, dim: Dim, names: readonly string[]): Map<string, number> {
  const add = ledger.stmt('INSERT OR IGNORE INTO usage_labels (dim, name) VALUES (?, ?)');
  const find = ledger.stmt('SELECT ref FROM usage_labels WHERE dim = ? AND name = ?').pluck();
  const refs = new Map<string, number>();
  for (const name of names) {
    let ref = find.get(dim, name) as number | undefined;
    if (ref === undefined) ref = Number(add.run(dim, name).lastInsertRowid);
    refs.set(name, ref);
  }
  return refs;
}

/** Names of label refs (identity or campaign). */
export function labelNames(ledger: Ledger, refs: Iterable<number>): Map<number, string> {
  const find = ledger.stmt('SELECT name FROM usage_labels WHERE ref = ?').pluck();
  const names = new Map<number, string>();
  for (const ref of refs) {
    const name = find.get(ref) as string | undefined;
    if (name !== undefined) names.set(ref, name);
  }
  return names;
}

/** Usage per key (channel index, or identity / campaign ref). used = mt − rejected. */
export interface UsageCell {
  mt: number;
  mo: number;
  rejected: number;
}
export type KeyedUsage = Map<number, UsageCell>;

function addUsage(target: KeyedUsage, key: number, mt: number, mo: number, rejected: number, sign: number): void {
  const cell = target.get(key);
  if (cell === undefined) target.set(key, { mt: sign * mt, mo: sign * mo, rejected: sign * rejected });
  else {
    cell.mt += sign * mt;
    cell.mo += sign * mo;
    cell.rejected += sign * rejected;
  }
}

interface Part {
  level: number;
  lo: number;
  hi: number;
  sign: number;
}

/** The reads giving usage in [start of x's UTC day, x), for x on a 15-minute mark. */
function dayPrefixParts(x: number): Part[] {
  const dayStart = Math.floor(x / DAY_MS) * DAY_MS;
  if (x === dayStart) return [];
  const dayEnd = dayStart + DAY_MS;
  const hourFloor = Math.floor(x / HOUR_MS) * HOUR_MS;
  const hourCeil = Math.ceil(x / HOUR_MS) * HOUR_MS;
  const forwards = (hourFloor - dayStart) / HOUR_MS + (x - hourFloor) / SLOT_MS;
  const backwards = 1 + (dayEnd - hourCeil) / HOUR_MS + (hourCeil - x) / SLOT_MS;
  const parts: Part[] = [];
  if (forwards <= backwards) {
    if (hourFloor > dayStart) parts.push({ level: LEVEL.hour, lo: dayStart / HOUR_MS, hi: hourFloor / HOUR_MS, sign: 1 });
    if (x > hourFloor) parts.push({ level: LEVEL.slot, lo: hourFloor / SLOT_MS, hi: x / SLOT_MS, sign: 1 });
  } else {
    parts.push({ level: LEVEL.day, lo: dayStart / DAY_MS, hi: dayStart / DAY_MS + 1, sign: 1 });
    if (dayEnd > hourCeil) parts.push({ level: LEVEL.hour, lo: hourCeil / HOUR_MS, hi: dayEnd / HOUR_MS, sign: -1 });
    if (hourCeil > x) parts.push({ level: LEVEL.slot, lo: x / SLOT_MS, hi: hourCeil / SLOT_MS, sign: -1 });
  }
  return parts;
}

const SQL = {
  daysSummed: `SELECT key, sum(mt_credits), sum(mo_count), sum(rejected_credits) FROM space_usage
    WHERE space_ref = ? AND dim = ? AND level = 2 AND unit >= ? AND unit < ? GROUP BY key`,
  dayRows: `SELECT unit, key, mt_credits, mo_count, rejected_credits FROM space_usage
    WHERE space_ref = ? AND dim = ? AND level = 2 AND unit >= ? AND unit < ?`,
  // Many ranges of one level in one statement: each range is a key-range seek.
  ranges: `WITH r(i, lo, hi) AS (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))
    SELECT r.i, u.key, u.mt_credits, u.mo_count, u.rejected_credits
    FROM r CROSS JOIN space_usage u ON u.space_ref = ? AND u.dim = ? AND u.level = ? AND u.unit >= r.lo AND u.unit < r.hi`,
};

/**
 * A space's usage per key in each of the consecutive windows [b0, b1), [b1, b2), … Every
 * boundary must be on a 15-minute mark. Day rows of the whole span are read once; each boundary
 * adds only its own partial day (one statement per level for all of them).
 */
export function spaceUsageWindows(ledger: Ledger, spaceRef: number, dim: Dim, boundaries: readonly number[]): KeyedUsage[] {
  for (let i = 0; i < boundaries.length; i += 1) {
    const b = boundaries[i]!;
    if (!Number.isSafeInteger(b) || b % SLOT_MS !== 0) throw new RangeError(`usage windows start and end on 15-minute marks (${new Date(b).toISOString()} is not)`);
    if (i > 0 && b < boundaries[i - 1]!) throw new RangeError('usage window boundaries must ascend');
  }
  if (boundaries.length < 2) return [];
  const windows: KeyedUsage[] = boundaries.slice(1).map(() => new Map());
  const days = boundaries.map((b) => Math.floor(b / DAY_MS));
  const firstDay = days[0]!;
  const lastDay = days[days.length - 1]!;
  if (lastDay > firstDay) {
    if (windows.length === 1) {
      for (const [key, mt, mo, rejected] of ledger.stmt(SQL.daysSummed).raw(true).all(spaceRef, dim, firstDay, lastDay) as number[][]) {
        addUsage(windows[0]!, key!, mt!, mo!, rejected!, 1);
      }
    } else {
      // Day d lies in window i when days[i] ≤ d < days[i + 1]; rows come in day order.
      let i = 0;
      for (const [unit, key, mt, mo, rejected] of ledger.stmt(SQL.dayRows).raw(true).all(spaceRef, dim, firstDay, lastDay) as number[][]) {
        while (days[i + 1]! <= unit!) i += 1;
        addUsage(windows[i]!, key!, mt!, mo!, rejected!, 1);
      }
    }
  }
  // Partial days: boundary j's prefix adds to window j − 1 and takes from window j.
  const byLevel = new Map<number, { ranges: [number, number, number][]; signs: Map<number, number> }>();
  boundaries.forEach((x, j) => {
    for (const part of dayPrefixParts(x)) {
      let level = byLevel.get(part.level);
      if (!level) byLevel.set(part.level, (level = { ranges: [], signs: new Map() }));
      level.ranges.push([j, part.lo, part.hi]);
      level.signs.set(j, part.sign);
    }
  });
  for (const [level, { ranges, signs }] of byLevel) {
    const rows = ledger.stmt(SQL.ranges).raw(true).all(JSON.stringify(ranges), spaceRef, dim, level) as number[][];
    for (const [j, key, mt, mo, rejected] of rows) {
      const sign = signs.get(j!)!;
      if (j! > 0) addUsage(windows[j! - 1]!, key!, mt!, mo!, rejected!, sign);
      if (j! < windows.length) addUsage(windows[j!]!, key!, mt!, mo!, rejected!, -sign);
    }
  }
  return windows;
}
