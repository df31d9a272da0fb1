import { DAY_MS, HOUR_MS, SLOT_MS, type Ledger } from '../ledger';

/**
 * Usage per space (migration 7's `space_usage`) for the Usage screen, whatever plan the traffic
 * counted against: per channel at three UTC sizes — 15-minute slots, hours, days — and per
 * identity and per campaign by UTC hours, days and months (there can be hundreds of those: no
 * 15-minute rows for them, and months so that a year reads a dozen rows per key). An import adds
 * up each batch here in memory and writes one upsert per touched row (the plan aggregates' way);
 * rejected credits are kept by triggers on `usage_rejections`.
 *
 * Per channel, a window [from, to) whose ends are on 15-minute marks (every local midnight in use
 * is) is read as P(to) − P(from) on top of whole UTC days, P(x) being the part of x's UTC day
 * before x, read forwards (hours then slots) or backwards from the day row, whichever reads fewer
 * rows. Per identity or campaign, the same on top of whole UTC months, P(x) being the part of x's
 * month before x (days, then hours, then — for a boundary off the hour, as a +05:45 midnight is —
 * the raw events of less than an hour).
 */

export const DIM = { channel: 0, identity: 1, campaign: 2 } as const;
export type Dim = (typeof DIM)[keyof typeof DIM];

const LEVEL = { slot: 0, hour: 1, day: 2, month: 3 } as const;
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
  /** per dim (1 identity, 2 campaign): name → (space ref × SLOT_SPAN + hour) → cell */
  private readonly labels: [Map<string, Map<number, Cell>>, Map<string, Map<number, Cell>>] = [new Map(), new Map()];

  /** One event: `mt` its MT credits (0 for MO), `mo` 1 for an MO message. */
  add(spaceRef: number, channel: number, ms: number, mt: number, mo: number, identity: string | null | undefined, campaign: string | null | undefined): void {
    addCell(this.channels, (spaceRef * SLOT_SPAN + Math.floor(ms / SLOT_MS)) * 8 + channel, mt, mo);
    if (identity == null && campaign == null) return;
    const spaceHour = spaceRef * SLOT_SPAN + Math.floor(ms / HOUR_MS);
    if (identity != null) this.addLabel(0, identity, spaceHour, mt, mo);
    if (campaign != null) this.addLabel(1, campaign, spaceHour, mt, mo);
  }

  private addLabel(which: 0 | 1, name: string, spaceHour: number, mt: number, mo: number): void {
    const byName = this.labels[which];
    let hours = byName.get(name);
    if (hours === undefined) byName.set(name, (hours = new Map()));
    addCell(hours, spaceHour, mt, mo);
  }

  flush(ledger: Ledger): void {
    const upsert = ledger.stmt(UPSERT);
    // Cells of the finest level written as they are, and rolled up into the coarser ones.
    type Roll = (unit: number) => number;
    const write = (dim: Dim, levels: readonly (readonly [level: number, roll: Roll | null])[], cells: Iterable<[spaceUnit: number, key: number, cell: Cell]>): void => {
      const rolled = levels.map(() => new Map<number, Cell>());
      for (const [spaceUnit, key, cell] of cells) {
        const unit = spaceUnit % SLOT_SPAN;
        const spaceRef = (spaceUnit - unit) / SLOT_SPAN;
        levels.forEach(([level, roll], i) => {
          if (roll === null) upsert.run(spaceRef, dim, level, unit, key, cell[0], cell[1]);
          // Keys below 2^24 (labels, channels) and units below 2^23: one number per (space, unit, key).
          else addCell(rolled[i]!, (spaceRef * SLOT_SPAN + roll(unit)) * 2 ** 24 + key, cell[0], cell[1]);
        });
      }
      levels.forEach(([level, roll], i) => {
        if (roll === null) return;
        for (const [packed, cell] of rolled[i]!) {
          const key = packed % 2 ** 24;
          const spaceUnit = (packed - key) / 2 ** 24;
          const unit = spaceUnit % SLOT_SPAN;
          upsert.run((spaceUnit - unit) / SLOT_SPAN, dim, level, unit, key, cell[0], cell[1]);
        }
      });
    };
    write(
      DIM.channel,
      [[LEVEL.slot, null], [LEVEL.hour, (slot) => Math.floor(slot / 4)], [LEVEL.day, (slot) => Math.floor(slot / 96)]],
      (function* (channels) {
        for (const [packed, cell] of channels) {
          const channel = packed % 8;
          yield [(packed - channel) / 8, channel, cell] as [number, number, Cell];
        }
      })(this.channels),
    );
    const monthOfDay = new Map<number, number>();
    const monthOfHour = (hour: number): number => {
      const day = Math.floor(hour / 24);
      let month = monthOfDay.get(day);
      if (month === undefined) monthOfDay.set(day, (month = utcMonth(day * DAY_MS)));
      return month;
    };
    for (const [which, dim] of [[0, DIM.identity], [1, DIM.campaign]] as const) {
      const byName = this.labels[which];
      if (byName.size === 0) continue;
      const refs = labelRefs(ledger, dim, [...byName.keys()]);
      write(
        dim,
        [[LEVEL.hour, null], [LEVEL.day, (hour) => Math.floor(hour / 24)], [LEVEL.month, monthOfHour]],
        (function* () {
          for (const [name, hours] of byName) {
            const ref = refs.get(name)!;
            for (const [spaceHour, cell] of hours) yield [spaceHour, ref, cell] as [number, number, Cell];
          }
        })(),
      );
    }
    this.channels.clear();
    this.labels[0].clear();
    this.labels[1].clear();
  }
}

/** The UTC month of an instant, numbered from January 1970. */
export function utcMonth(ms: number): number {
  const date = new Date(ms);
  return (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
}

function monthStart(month: number): number {
  return Date.UTC(1970 + Math.floor(month / 12), month % 12, 1);
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
 * A space's usage per channel (dim 0) in each of the consecutive windows [b0, b1), [b1, b2), … Every
 * boundary must be on a 15-minute mark. Day rows of the whole span are read once; each boundary
 * adds only its own partial day (one statement per level for all of them).
 */
export function spaceUsageWindows(ledger: Ledger, spaceRef: number, dim: typeof DIM.channel, boundaries: readonly number[]): KeyedUsage[] {
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

interface LabelPart {
  level: number | 'raw';
  lo: number;
  hi: number;
  sign: number;
}

/** The reads giving a label's usage in [start of x's UTC day, x), by hours and, off the hour, raw events. */
function labelDayPrefixParts(x: number): LabelPart[] {
  const dayStart = Math.floor(x / DAY_MS) * DAY_MS;
  if (x === dayStart) return [];
  const dayEnd = dayStart + DAY_MS;
  const hourFloor = Math.floor(x / HOUR_MS) * HOUR_MS;
  const hourCeil = Math.ceil(x / HOUR_MS) * HOUR_MS;
  // Raw events of part of an hour cost about as much as a few hour rows.
  const forwards = (hourFloor - dayStart) / HOUR_MS + (x > hourFloor ? 4 : 0);
  const backwards = 1 + (dayEnd - hourCeil) / HOUR_MS + (hourCeil > x ? 4 : 0);
  const parts: LabelPart[] = [];
  if (forwards <= backwards) {
    if (hourFloor > dayStart) parts.push({ level: LEVEL.hour, lo: dayStart / HOUR_MS, hi: hourFloor / HOUR_MS, sign: 1 });
    if (x > hourFloor) parts.push({ level: 'raw', lo: hourFloor, hi: x, sign: 1 });
  } else {
    parts.push({ level: LEVEL.day, lo: dayStart / DAY_MS, hi: dayStart / DAY_MS + 1, sign: 1 });
    if (dayEnd > hourCeil) parts.push({ level: LEVEL.hour, lo: hourCeil / HOUR_MS, hi: dayEnd / HOUR_MS, sign: -1 });
    if (hourCeil > x) parts.push({ level: 'raw', lo: x, hi: hourCeil, sign: -1 });
  }
  return parts;
}

/** The reads giving a label's usage in [start of x's UTC month, x): its days forwards, or the month row less the days after. */
function labelMonthPrefixParts(x: number): LabelPart[] {
  const month = utcMonth(x);
  const firstDay = monthStart(month) / DAY_MS;
  const endDay = monthStart(month + 1) / DAY_MS;
  const day = Math.floor(x / DAY_MS);
  const parts: LabelPart[] =
    day - firstDay <= 1 + (endDay - day)
      ? day > firstDay
        ? [{ level: LEVEL.day, lo: firstDay, hi: day, sign: 1 }]
        : []
      : [
          { level: LEVEL.month, lo: month, hi: month + 1, sign: 1 },
          { level: LEVEL.day, lo: day, hi: endDay, sign: -1 },
        ];
  return [...parts, ...labelDayPrefixParts(x)];
}

const LABEL_SQL = {
  level: `SELECT key, sum(mt_credits), sum(mo_count), sum(rejected_credits) FROM space_usage
    WHERE space_ref = ? AND dim = ? AND level = ? AND unit >= ? AND unit < ? GROUP BY key`,
  // The events of less than an hour by the plan (or unattributed) index, each label looked up by
  // its name: CROSS JOIN keeps the events outer (the labels first would scan every event).
  raw: (column: 'identity' | 'campaign', attributed: boolean) => `
    SELECT x.ref, sum(CASE WHEN (e.kind & 1) = 0 THEN e.credits ELSE 0 END), sum(e.kind & 1),
           sum(CASE WHEN (e.kind & 1) = 0 AND r.event_seq IS NOT NULL THEN e.credits ELSE 0 END)
    FROM usage_events e CROSS JOIN usage_labels x ON x.dim = ? AND x.name = e.${column}
    LEFT JOIN usage_rejections r ON r.event_seq = e.seq
    WHERE ${attributed ? 'e.plan_ref = ?' : 'e.space_ref = ? AND e.plan_ref IS NULL'} AND e.occurred_at >= ? AND e.occurred_at < ?
    GROUP BY x.ref`,
};

/**
 * A space's usage per identity (dim 1) or campaign (dim 2) in [from, to), at any instants: whole
 * UTC months, then each end's part of its month. `planRefs`: every plan of the space (deleted
 * ones too), whose events the raw reads find by the plan index.
 */
export function spaceLabelTotals(ledger: Ledger, spaceRef: number, planRefs: readonly number[], dim: typeof DIM.identity | typeof DIM.campaign, from: number, to: number): KeyedUsage {
  const totals: KeyedUsage = new Map();
  if (!(to > from)) return totals;
  const parts: LabelPart[] = [];
  const fromMonth = utcMonth(from);
  const toMonth = utcMonth(to);
  if (toMonth > fromMonth) parts.push({ level: LEVEL.month, lo: fromMonth, hi: toMonth, sign: 1 });
  for (const part of labelMonthPrefixParts(from)) parts.push({ ...part, sign: -part.sign });
  parts.push(...labelMonthPrefixParts(to));
  const column = dim === DIM.identity ? 'identity' : 'campaign';
  for (const part of parts) {
    const rows: number[][] = [];
    if (part.level === 'raw') {
      for (const planRef of planRefs) rows.push(...(ledger.stmt(LABEL_SQL.raw(column, true)).raw(true).all(dim, planRef, part.lo, part.hi) as number[][]));
      rows.push(...(ledger.stmt(LABEL_SQL.raw(column, false)).raw(true).all(dim, spaceRef, part.lo, part.hi) as number[][]));
    } else {
      rows.push(...(ledger.stmt(LABEL_SQL.level).raw(true).all(spaceRef, dim, part.level, part.lo, part.hi) as number[][]));
    }
    for (const [key, mt, mo, rejected] of rows) addUsage(totals, key!, mt!, mo!, rejected!, part.sign);
  }
  return totals;
}
