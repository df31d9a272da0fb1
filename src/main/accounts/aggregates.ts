import type Database from 'better-sqlite3';
import { CHANNELS, type Channel } from '../../shared/domain';
import { type Ledger, DAY_MS, HOUR_MS, SLOT_MS, channelSql, isMtSql } from '../ledger';

/**
 * Pre-aggregated usage per plan, channel and UTC slot at three sizes: 15 minutes (every zone's
 * local midnight falls on one), hours and days. A batch of events first adds up in memory and
 * is then written with one upsert per touched row.
 *
 * A window [from, to) is summed as P(to) − P(from), where P(x) counts everything from the
 * start of x's UTC day up to x, on top of whole days: whole days come from the day rows, the
 * part of a day before x from at most 23 hour rows and 3 slot rows, and only a boundary that is
 * not on a 15-minute mark reads raw events (the few of one slot). A year is ~366 day rows per
 * channel plus two partial days, whatever the zone.
 */

const CHANNEL_INDEX = new Map<string, number>(CHANNELS.map((c, i) => [c, i]));
/** Slots and days of instants from 1970 to ~2200 fit below 2^23; plan refs below 2^27. */
const SLOT_SPAN = 2 ** 23;

export function channelIndex(channel: Channel): number {
  return CHANNEL_INDEX.get(channel)!;
}

/** In-memory additions to the aggregates, keyed by (plan, slot, channel). */
export class AggregateDelta {
  /** key → [mt credits, mo count, rejected credits] */
  private readonly slots = new Map<number, [number, number, number]>();
  private readonly spaceDays = new Map<string, Map<number, [number, number]>>();

  add(planRef: number, channel: Channel, ms: number, mt: number, mo: number, rejected: number): void {
    const slot = Math.floor(ms / SLOT_MS);
    const key = (planRef * SLOT_SPAN + slot) * 8 + channelIndex(channel);
    const cell = this.slots.get(key);
    if (cell === undefined) this.slots.set(key, [mt, mo, rejected]);
    else {
      cell[0] += mt;
      cell[1] += mo;
      cell[2] += rejected;
    }
  }

  addSpace(spaceId: string, channel: Channel, ms: number, mt: number, mo: number): void {
    let days = this.spaceDays.get(spaceId);
    if (days === undefined) this.spaceDays.set(spaceId, (days = new Map()));
    const key = Math.floor(ms / DAY_MS) * 8 + channelIndex(channel);
    const cell = days.get(key);
    if (cell === undefined) days.set(key, [mt, mo]);
    else {
      cell[0] += mt;
      cell[1] += mo;
    }
  }

  get size(): number {
    return this.slots.size;
  }

  /** Write the additions (inside the caller's transaction) and forget them. */
  flush(ledger: Ledger): void {
    const hours = new Map<number, [number, number, number]>();
    const days = new Map<number, [number, number, number]>();
    const upsertSlot = ledger.stmt(UPSERT.slot);
    for (const [key, cell] of this.slots) {
      const ch = key % 8;
      const rest = (key - ch) / 8;
      const slot = rest % SLOT_SPAN;
      const planRef = (rest - slot) / SLOT_SPAN;
      upsertSlot.run(planRef, slot, CHANNELS[ch], cell[0], cell[1], cell[2]);
      const hourKey = (planRef * SLOT_SPAN + Math.floor(slot / 4)) * 8 + ch;
      const dayKey = (planRef * SLOT_SPAN + Math.floor(slot / 96)) * 8 + ch;
      accumulate(hours, hourKey, cell);
      accumulate(days, dayKey, cell);
    }
    writeLevel(ledger.stmt(UPSERT.hour), hours);
    writeLevel(ledger.stmt(UPSERT.day), days);
    const upsertSpace = ledger.stmt(UPSERT.spaceDay);
    for (const [spaceId, map] of this.spaceDays) {
      for (const [key, cell] of map) {
        const ch = key % 8;
        upsertSpace.run(spaceId, (key - ch) / 8, CHANNELS[ch], cell[0], cell[1]);
      }
    }
    this.slots.clear();
    this.spaceDays.clear();
  }
}

function accumulate(map: Map<number, [number, number, number]>, key: number, cell: [number, number, number]): void {
  const existing = map.get(key);
  if (existing === undefined) map.set(key, [cell[0], cell[1], cell[2]]);
  else {
    existing[0] += cell[0];
    existing[1] += cell[1];
    existing[2] += cell[2];
  }
}

function writeLevel(stmt: Database.Statement, map: Map<number, [number, number, number]>): void {
  for (const [key, cell] of map) {
    const ch = key % 8;
    const rest = (key - ch) / 8;
    const unit = rest % SLOT_SPAN;
    stmt.run((rest - unit) / SLOT_SPAN, unit, CHANNELS[ch], cell[0], cell[1], cell[2]);
  }
}

function upsert(table: string, unit: string): string {
  return `INSERT INTO ${table} (plan_ref, ${unit}, channel, mt_credits, mo_count, rejected_credits) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (plan_ref, ${unit}, channel) DO UPDATE SET
      mt_credits = mt_credits + excluded.mt_credits,
      mo_count = mo_count + excluded.mo_count,
      rejected_credits = rejected_credits + excluded.rejected_credits`;
}

const UPSERT = {
  slot: upsert('usage_slots', 'slot'),
  hour: upsert('usage_hours', 'hour'),
  day: upsert('usage_days', 'day'),
  spaceDay: `INSERT INTO space_usage_days (space_id, day, channel, mt_credits, mo_count) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (space_id, day, channel) DO UPDATE SET
      mt_credits = mt_credits + excluded.mt_credits, mo_count = mo_count + excluded.mo_count`,
};

/** Credits charged and MO messages per channel. */
export type ChannelTotals = Map<Channel, { used: number; mo: number }>;

function addInto(target: ChannelTotals, channel: Channel, used: number, mo: number, sign = 1): void {
  const cell = target.get(channel);
  if (cell === undefined) target.set(channel, { used: sign * used, mo: sign * mo });
  else {
    cell.used += sign * used;
    cell.mo += sign * mo;
  }
}

interface LevelRow {
  channel: Channel;
  used: number;
  mo: number;
}

// Summed by SQLite: a year of day rows comes back as one row per channel.
function levelRows(table: 'usage_slots' | 'usage_hours' | 'usage_days', unit: string): string {
  return `SELECT channel, sum(mt_credits - rejected_credits) AS used, sum(mo_count) AS mo
    FROM ${table} WHERE plan_ref = ? AND ${unit} >= ? AND ${unit} < ? GROUP BY channel`;
}

const SQL = {
  days: levelRows('usage_days', 'day'),
  hours: levelRows('usage_hours', 'hour'),
  slots: levelRows('usage_slots', 'slot'),
  raw: `SELECT ${channelSql('e.kind')} AS channel,
      sum(CASE WHEN ${isMtSql('e.kind')} AND r.event_seq IS NULL THEN e.credits ELSE 0 END) AS used,
      sum(NOT ${isMtSql('e.kind')}) AS mo
    FROM usage_events e LEFT JOIN usage_rejections r ON r.event_seq = e.seq
    WHERE e.plan_ref = ? AND e.occurred_at >= ? AND e.occurred_at < ? GROUP BY e.kind >> 1`,
  dayRows: `SELECT day, channel, mt_credits - rejected_credits AS used, mo_count AS mo
    FROM usage_days WHERE plan_ref = ? AND day >= ? AND day < ?`,
};

function addRows(ledger: Ledger, sql: string, target: ChannelTotals, sign: number, ...params: number[]): void {
  for (const row of ledger.stmt(sql).all(...params) as LevelRow[]) addInto(target, row.channel, row.used, row.mo, sign);
}

interface PartRequest {
  level: 'days' | 'hours' | 'slots' | 'raw';
  lo: number;
  hi: number;
  sign: number;
}

/**
 * The reads that give usage in [start of x's UTC day, x): forwards from the day's start, or
 * backwards from its end (the day row minus what follows x), whichever reads fewer rows. A
 * local midnight at 18:15 UTC (+05:45) reads 1 day, 5 hour and 3 slot rows per channel.
 */
function dayPrefixParts(x: number): PartRequest[] {
  const dayStart = Math.floor(x / DAY_MS) * DAY_MS;
  if (x === dayStart) return [];
  const dayEnd = dayStart + DAY_MS;
  const hourFloor = Math.floor(x / HOUR_MS) * HOUR_MS;
  const slotFloor = Math.floor(x / SLOT_MS) * SLOT_MS;
  const hourCeil = Math.ceil(x / HOUR_MS) * HOUR_MS;
  const slotCeil = Math.ceil(x / SLOT_MS) * SLOT_MS;
  const forwards = (hourFloor - dayStart) / HOUR_MS + (slotFloor - hourFloor) / SLOT_MS;
  const backwards = 1 + (dayEnd - hourCeil) / HOUR_MS + (hourCeil - slotCeil) / SLOT_MS;
  const parts: PartRequest[] = [];
  if (forwards <= backwards) {
    if (hourFloor > dayStart) parts.push({ level: 'hours', lo: dayStart / HOUR_MS, hi: hourFloor / HOUR_MS, sign: 1 });
    if (slotFloor > hourFloor) parts.push({ level: 'slots', lo: hourFloor / SLOT_MS, hi: slotFloor / SLOT_MS, sign: 1 });
    if (x > slotFloor) parts.push({ level: 'raw', lo: slotFloor, hi: x, sign: 1 });
  } else {
    parts.push({ level: 'days', lo: dayStart / DAY_MS, hi: dayStart / DAY_MS + 1, sign: 1 });
    if (dayEnd > hourCeil) parts.push({ level: 'hours', lo: hourCeil / HOUR_MS, hi: dayEnd / HOUR_MS, sign: -1 });
    if (hourCeil > slotCeil) parts.push({ level: 'slots', lo: slotCeil / SLOT_MS, hi: hourCeil / SLOT_MS, sign: -1 });
    if (slotCeil > x) parts.push({ level: 'raw', lo: x, hi: slotCeil, sign: -1 });
  }
  return parts;
}

function addDayPrefix(ledger: Ledger, planRef: number, x: number, target: ChannelTotals, sign: number): void {
  for (const part of dayPrefixParts(x)) addRows(ledger, SQL[part.level], target, sign * part.sign, planRef, part.lo, part.hi);
}

/**
 * Many ranges of one level in one statement: the ranges travel as JSON and each is a key-range
 * seek. Rows come back as arrays and are added up here (a GROUP BY would sort them first).
 */
function bulkSql(level: PartRequest['level']): string {
  const ranges = `WITH r(i, lo, hi) AS (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))`;
  if (level === 'raw') {
    return `${ranges}
      SELECT r.i, ${channelSql('e.kind')}, CASE WHEN ${isMtSql('e.kind')} AND x.event_seq IS NULL THEN e.credits ELSE 0 END, NOT ${isMtSql('e.kind')}
      FROM r CROSS JOIN usage_events e ON e.plan_ref = ? AND e.occurred_at >= r.lo AND e.occurred_at < r.hi
      LEFT JOIN usage_rejections x ON x.event_seq = e.seq`;
  }
  const [table, unit] = level === 'days' ? ['usage_days', 'day'] : level === 'hours' ? ['usage_hours', 'hour'] : ['usage_slots', 'slot'];
  return `${ranges}
    SELECT r.i, u.channel, u.mt_credits - u.rejected_credits, u.mo_count
    FROM r CROSS JOIN ${table} u ON u.plan_ref = ? AND u.${unit} >= r.lo AND u.${unit} < r.hi`;
}

/** Usage in [start of x's UTC day, x) for each x, in four statements whatever their number. */
function dayPrefixes(ledger: Ledger, planRef: number, xs: readonly number[]): ChannelTotals[] {
  const result: ChannelTotals[] = xs.map(() => new Map());
  const byLevel = new Map<PartRequest['level'], { ranges: [number, number, number][]; signs: number[] }>();
  xs.forEach((x, i) => {
    for (const part of dayPrefixParts(x)) {
      let level = byLevel.get(part.level);
      if (!level) byLevel.set(part.level, (level = { ranges: [], signs: [] }));
      level.ranges.push([i, part.lo, part.hi]);
      level.signs[i] = part.sign;
    }
  });
  for (const [level, { ranges, signs }] of byLevel) {
    const rows = ledger.stmt(bulkSql(level)).raw(true).all(JSON.stringify(ranges), planRef) as [number, Channel, number, number][];
    for (const [i, channel, used, mo] of rows) addInto(result[i]!, channel, used, mo, signs[i]!);
  }
  return result;
}

/** Usage of a plan per channel in [fromMs, toMs). */
export function usageInWindow(ledger: Ledger, planRef: number, fromMs: number, toMs: number): ChannelTotals {
  const totals: ChannelTotals = new Map();
  if (!(toMs > fromMs)) return totals;
  const fromDay = Math.floor(fromMs / DAY_MS);
  const toDay = Math.floor(toMs / DAY_MS);
  if (toDay > fromDay) addRows(ledger, SQL.days, totals, 1, planRef, fromDay, toDay);
  addDayPrefix(ledger, planRef, fromMs, totals, -1);
  addDayPrefix(ledger, planRef, toMs, totals, 1);
  return totals;
}

/**
 * Usage per channel in each of the consecutive windows [b0, b1), [b1, b2), … The day rows of
 * the whole span are read once; each boundary adds only its own partial day.
 */
export function usageInWindows(ledger: Ledger, planRef: number, boundaries: readonly number[]): ChannelTotals[] {
  if (boundaries.length < 2) return [];
  const firstDay = Math.floor(boundaries[0]! / DAY_MS);
  const lastDay = Math.floor(boundaries[boundaries.length - 1]! / DAY_MS);
  const perDay = new Map<number, ChannelTotals>();
  for (const row of ledger.stmt(SQL.dayRows).all(planRef, firstDay, lastDay) as (LevelRow & { day: number })[]) {
    let totals = perDay.get(row.day);
    if (!totals) perDay.set(row.day, (totals = new Map()));
    addInto(totals, row.channel, row.used, row.mo);
  }
  // Prefix sums over sorted days keep this linear in days + boundaries.
  const sortedDays = [...perDay.keys()].sort((a, b) => a - b);
  const partial = dayPrefixes(ledger, planRef, boundaries);
  const running: ChannelTotals = new Map();
  let nextDay = 0;
  const prefixes = boundaries.map((x, i) => {
    const day = Math.floor(x / DAY_MS);
    while (nextDay < sortedDays.length && sortedDays[nextDay]! < day) {
      for (const [channel, cell] of perDay.get(sortedDays[nextDay]!)!) addInto(running, channel, cell.used, cell.mo);
      nextDay += 1;
    }
    const totals: ChannelTotals = new Map();
    for (const [channel, cell] of running) totals.set(channel, { ...cell });
    for (const [channel, cell] of partial[i]!) addInto(totals, channel, cell.used, cell.mo);
    return totals;
  });
  const windows: ChannelTotals[] = [];
  for (let i = 0; i + 1 < prefixes.length; i += 1) {
    const window: ChannelTotals = new Map();
    for (const [channel, cell] of prefixes[i + 1]!) addInto(window, channel, cell.used, cell.mo);
    for (const [channel, cell] of prefixes[i]!) addInto(window, channel, cell.used, cell.mo, -1);
    windows.push(window);
  }
  return windows;
}

/** MT credits per day on a space's channels over the last `days` whole UTC days before `nowMs`. */
export function spaceDailyRate(ledger: Ledger, spaceId: string, channels: readonly Channel[] | 'all', nowMs: number, days = 14): number {
  const today = Math.floor(nowMs / DAY_MS);
  const rows = ledger
    .stmt('SELECT channel, sum(mt_credits) AS mt FROM space_usage_days WHERE space_id = ? AND day >= ? AND day < ? GROUP BY channel')
    .all(spaceId, today - days, today) as { channel: Channel; mt: number }[];
  let total = 0;
  for (const row of rows) if (channels === 'all' || channels.includes(row.channel)) total += row.mt;
  return total / days;
}
