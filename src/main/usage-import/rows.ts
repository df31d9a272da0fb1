import { CHANNELS, MAX_CREDITS, type Channel, type Direction } from '../../shared/domain';

/**
 * Reading usage rows (SPEC §1) from CSV or JSON Lines, one line at a time, and checking each
 * field. A bad row is reported with its line number and a reason a person can act on.
 */

export interface UsageRow {
  line: number;
  /** Set once the row is written (the event's insertion order). */
  seq?: number;
  id: string;
  spaceId: string;
  channel: Channel;
  direction: Direction;
  /** As the row states them; CREDITS_NOT_STATED when it does not (the writer applies the plan's rate). */
  credits: number;
  t: number;
  identity: string | null;
  campaign: string | null;
}

export interface RowContext {
  /** space id → its channels */
  spaces: ReadonlyMap<string, ReadonlySet<Channel>>;
  /** Usage cannot come from the future: rows later than this are refused. */
  nowMs: number;
}

export type RowResult = UsageRow | { line: number; reason: string };

/**
 * A row without credits: it costs its channel's rate under the plan it counts against (SPEC
 * §9.1), which only the writer knows, so the row carries this (never a valid amount) until then.
 */
export const CREDITS_NOT_STATED = 0;

const CHANNEL_EXACT = new Map<string, Channel>(CHANNELS.map((c) => [c, c]));
const CHANNEL_BY_LOWER = new Map<string, Channel>(CHANNELS.map((c) => [c.toLowerCase(), c]));
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The aggregates key instants from 1970 to 2200. */
const MIN_MS = 0;
const MAX_MS = Date.UTC(2200, 0, 1);

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i += 1) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The shape nearly every file uses, "2026-01-10T09:00:00Z" or with milliseconds
 * "2026-01-10T09:00:00.250Z", read without a regular expression (and, for a CSV row, in place
 * in the file's text: the `n` characters from `from`); anything else goes the long way.
 */
function parseCommonInstant(text: string, from = 0, n = text.length): number | null | undefined {
  if ((n !== 20 && n !== 24) || text.charCodeAt(from + n - 1) !== 90 /* Z */) return undefined;
  if (
    text.charCodeAt(from + 4) !== 45 /* - */ ||
    text.charCodeAt(from + 7) !== 45 ||
    text.charCodeAt(from + 10) !== 84 /* T */ ||
    text.charCodeAt(from + 13) !== 58 /* : */ ||
    text.charCodeAt(from + 16) !== 58
  ) {
    return undefined;
  }
  if (n === 24 && text.charCodeAt(from + 19) !== 46 /* . */) return undefined;
  const year = digits(text, from, 4);
  const month = digits(text, from + 5, 2);
  const day = digits(text, from + 8, 2);
  const hour = digits(text, from + 11, 2);
  const minute = digits(text, from + 14, 2);
  const second = digits(text, from + 17, 2);
  const milli = n === 24 ? digits(text, from + 20, 3) : 0;
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || milli < 0) return undefined;
  return checkedUtc(year, month, day, hour, minute, second, milli, 0);
}

/** The last date read and its midnight (Date.UTC): the rows of a file mostly share their date with the row before. */
let cachedDate = -1;
let cachedMidnight = 0;

function checkedUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, milli: number, offsetMs: number): number | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return null;
  const date = (year * 100 + month) * 100 + day;
  if (date !== cachedDate) {
    cachedMidnight = Date.UTC(year, month - 1, day);
    cachedDate = date;
  }
  // Exactly Date.UTC(year, month - 1, day, hour, minute, second, milli) for the ranges checked above.
  return cachedMidnight + ((hour * 60 + minute) * 60 + second) * 1000 + milli - offsetMs;
}

/** An ISO-8601 instant with Z or an offset, to the millisecond; null when it is not one. */
export function parseIsoInstant(text: string): number | null {
  const common = parseCommonInstant(text);
  if (common !== undefined) return common;
  const m = ISO.exec(text);
  if (m === null) return null;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = m[6] === undefined ? 0 : +m[6];
  const fraction = m[7] === undefined ? 0 : Math.floor(+`0.${m[7]}` * 1000);
  let offsetMs = 0;
  const zone = m[8]!;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = +zone.slice(1, 3);
    const om = +zone.slice(4, 6);
    if (oh > 23 || om > 59) return null;
    offsetMs = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return checkedUtc(year, month, day, hour, minute, second, fraction, offsetMs);
}

const CREDITS_REASON = `credits: must be a whole number from 1 to ${MAX_CREDITS}`;

function checkRow(
  line: number,
  id: string,
  spaceId: string,
  channelText: string,
  directionText: string,
  creditsValue: string | number | undefined,
  occurredAt: string,
  identity: string | null,
  campaign: string | null,
  ctx: RowContext,
): RowResult {
  if (id.length === 0) return { line, reason: 'id: is missing (every event needs its id, the idempotency key)' };
  if (id.length > 200) return { line, reason: 'id: is longer than 200 characters' };
  if (spaceId.length === 0) return { line, reason: 'spaceId: is missing' };
  const spaceChannels = ctx.spaces.get(spaceId);
  if (spaceChannels === undefined) return { line, reason: `spaceId: no space "${clip(spaceId)}" in this ledger` };
  const channel = CHANNEL_EXACT.get(channelText) ?? CHANNEL_BY_LOWER.get(channelText.toLowerCase());
  if (channel === undefined) return { line, reason: `channel: "${clip(channelText)}" is not a channel (${CHANNELS.join(', ')})` };
  if (!spaceChannels.has(channel)) return { line, reason: `channel: space ${spaceId} has no ${channel} channel; add it to the space first` };
  let direction: Direction;
  if (directionText === '' || directionText === 'MT' || directionText === 'mt') direction = 'MT';
  else if (directionText === 'MO' || directionText === 'mo') direction = 'MO';
  else return { line, reason: `direction: "${clip(directionText)}" must be MT or MO` };
  let credits: number;
  if (creditsValue === undefined || creditsValue === '') credits = CREDITS_NOT_STATED;
  else {
    if (typeof creditsValue === 'number') credits = creditsValue;
    else {
      credits = creditsValue.length <= 16 ? digits(creditsValue, 0, creditsValue.length) : -1;
      if (credits < 0) return { line, reason: CREDITS_REASON };
    }
    if (!Number.isInteger(credits) || credits < 1 || credits > MAX_CREDITS) return { line, reason: CREDITS_REASON };
  }
  if (occurredAt.length === 0) return { line, reason: 'occurredAt: is missing' };
  const t = parseIsoInstant(occurredAt);
  if (t === null) return { line, reason: `occurredAt: "${clip(occurredAt)}" is not an ISO-8601 instant such as 2026-01-10T09:00:00Z` };
  if (t < MIN_MS || t >= MAX_MS) return { line, reason: 'occurredAt: must be between 1970 and 2200' };
  if (t > ctx.nowMs) return { line, reason: `occurredAt: ${occurredAt} is later than now (${new Date(ctx.nowMs).toISOString()}); usage cannot come from the future` };
  return { line, id, spaceId, channel, direction, credits, t, identity, campaign };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

// ---- CSV -------------------------------------------------------------------------------------

const CSV_COLUMNS = ['id', 'spaceid', 'channel', 'direction', 'credits', 'occurredat', 'identity', 'campaign'] as const;
const REQUIRED_COLUMNS = ['id', 'spaceId', 'channel', 'occurredAt'];

export interface CsvHeader {
  count: number;
  index: Record<(typeof CSV_COLUMNS)[number], number>;
}

/** The header row: required columns id, spaceId, channel, occurredAt; direction, credits, identity, campaign optional. */
export function parseCsvHeader(line: string): CsvHeader | { error: string } {
  const names = splitCsv(line).map((n) => n.trim().toLowerCase());
  const index = Object.fromEntries(CSV_COLUMNS.map((c) => [c, names.indexOf(c)])) as CsvHeader['index'];
  const missing = REQUIRED_COLUMNS.filter((c) => index[c.toLowerCase() as keyof CsvHeader['index']] === -1);
  if (missing.length > 0) {
    return {
      error: `the CSV header lacks ${missing.join(', ')}; expected id,spaceId,channel,direction,credits,occurredAt[,identity,campaign]`,
    };
  }
  const seen = new Set<string>();
  for (const name of names) {
    if ((CSV_COLUMNS as readonly string[]).includes(name) && seen.has(name)) return { error: `the CSV header names ${name} twice` };
    seen.add(name);
  }
  return { count: names.length, index };
}

/** Split one CSV record (RFC 4180 quoting; the record may span lines). */
export function splitCsv(record: string): string[] {
  if (record.indexOf('"') === -1) return record.split(',');
  const fields: string[] = [];
  let i = 0;
  const n = record.length;
  for (;;) {
    if (record[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const q = record.indexOf('"', i);
        if (q === -1) {
          value += record.slice(i);
          i = n;
          break;
        }
        value += record.slice(i, q);
        if (record[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const comma = record.indexOf(',', i);
      // Anything between the closing quote and the comma is kept, as spreadsheets do.
      value += comma === -1 ? record.slice(i) : record.slice(i, comma);
      fields.push(value);
      if (comma === -1) return fields;
      i = comma + 1;
    } else {
      const comma = record.indexOf(',', i);
      if (comma === -1) {
        fields.push(record.slice(i));
        return fields;
      }
      fields.push(record.slice(i, comma));
      i = comma + 1;
    }
  }
}

function cell(fields: string[], index: number): string {
  if (index < 0) return '';
  const value = fields[index];
  return value === undefined ? '' : trimmed(value);
}

/** trim() allocates a new string even when there is nothing to trim; most cells have nothing. */
function trimmed(value: string): string {
  const n = value.length;
  if (n === 0) return value;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  return first > 32 && last > 32 ? value : value.trim();
}

export function parseCsvRow(record: string, line: number, header: CsvHeader, ctx: RowContext): RowResult {
  const fields = splitCsv(record);
  if (fields.length !== header.count) {
    return { line, reason: `expected ${header.count} fields as in the header, found ${fields.length}` };
  }
  const ix = header.index;
  const identity = cell(fields, ix.identity);
  const campaign = cell(fields, ix.campaign);
  return checkRow(
    line,
    cell(fields, ix.id),
    cell(fields, ix.spaceid),
    cell(fields, ix.channel),
    cell(fields, ix.direction),
    cell(fields, ix.credits),
    cell(fields, ix.occurredat),
    identity === '' ? null : identity,
    campaign === '' ? null : campaign,
    ctx,
  );
}

/** true when the field [from, to) is not empty and has no space or control character at either end (`trimmed` would keep it as it is). */
function plain(text: string, from: number, to: number): boolean {
  return to > from && text.charCodeAt(from) > 32 && text.charCodeAt(to - 1) > 32;
}

/** The channel named exactly by [from, to), without slicing it out. */
function channelAt(text: string, from: number, to: number): Channel | undefined {
  for (const channel of CHANNELS) if (channel.length === to - from && text.startsWith(channel, from)) return channel;
  return undefined;
}

/**
 * The common CSV row read in place in the file's text: fields found by their commas, numbers
 * and the instant read from their digits, only the id, the space and any identity or campaign
 * sliced out, no row object built. At hundreds of thousands of rows a second, splitting each
 * line into strings and checking those cost most of the parser's time.
 *
 * It only vouches for rows it knows to be good: quotes, spaces around a field, a lower-case
 * channel, an instant with an offset, and every bad row give null, and the caller takes the
 * general path (parseCsvRow), which decides those exactly as before. A row it accepts, the
 * general path accepts with the same values.
 */
export class CsvRowReader {
  private readonly header: CsvHeader;
  private readonly ctx: RowContext;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Reused row after row: valid until the next `read`. */
  private readonly row: UsageRow = { line: 0, id: '', spaceId: '', channel: CHANNELS[0], direction: 'MT', credits: 1, t: 0, identity: null, campaign: null };

  constructor(header: CsvHeader, ctx: RowContext) {
    this.header = header;
    this.ctx = ctx;
    this.starts = new Int32Array(header.count);
    this.ends = new Int32Array(header.count);
  }

  /** The record [start, end) of `text` as a good row, or null when the general path must decide it. */
  read(text: string, start: number, end: number, line: number): UsageRow | null {
    const { starts, ends } = this;
    const last = this.header.count - 1;
    let field = 0;
    let from = start;
    for (let i = start; i < end; i += 1) {
      const c = text.charCodeAt(i);
      if (c === 44 /* , */) {
        if (field === last) return null;
        starts[field] = from;
        ends[field] = i;
        field += 1;
        from = i + 1;
      } else if (c === 34 /* " */) return null;
    }
    if (field !== last) return null;
    starts[field] = from;
    ends[field] = end;

    const ix = this.header.index;
    const idFrom = starts[ix.id]!;
    const idTo = ends[ix.id]!;
    if (!plain(text, idFrom, idTo) || idTo - idFrom > 200) return null;
    const spaceFrom = starts[ix.spaceid]!;
    const spaceTo = ends[ix.spaceid]!;
    if (!plain(text, spaceFrom, spaceTo)) return null;
    const spaceId = text.slice(spaceFrom, spaceTo);
    const channels = this.ctx.spaces.get(spaceId);
    if (channels === undefined) return null;
    const channel = channelAt(text, starts[ix.channel]!, ends[ix.channel]!);
    if (channel === undefined || !channels.has(channel)) return null;

    let direction: Direction = 'MT';
    if (ix.direction >= 0) {
      const at = starts[ix.direction]!;
      const length = ends[ix.direction]! - at;
      if (length === 2) {
        const a = text.charCodeAt(at);
        const b = text.charCodeAt(at + 1);
        if ((a === 77 && b === 79) || (a === 109 && b === 111)) direction = 'MO';
        else if (!((a === 77 && b === 84) || (a === 109 && b === 116))) return null;
      } else if (length !== 0) return null;
    }
    let credits = CREDITS_NOT_STATED;
    if (ix.credits >= 0) {
      const at = starts[ix.credits]!;
      const length = ends[ix.credits]! - at;
      if (length > 0) {
        credits = length <= 16 ? digits(text, at, length) : -1;
        if (credits < 1 || credits > MAX_CREDITS) return null;
      }
    }
    const timeFrom = starts[ix.occurredat]!;
    const t = parseCommonInstant(text, timeFrom, ends[ix.occurredat]! - timeFrom);
    if (t === undefined || t === null || t < MIN_MS || t >= MAX_MS || t > this.ctx.nowMs) return null;
    const identity = this.optional(text, ix.identity);
    const campaign = this.optional(text, ix.campaign);
    if (identity === undefined || campaign === undefined) return null;

    const row = this.row;
    row.line = line;
    row.id = text.slice(idFrom, idTo);
    row.spaceId = spaceId;
    row.channel = channel;
    row.direction = direction;
    row.credits = credits;
    row.t = t;
    row.identity = identity;
    row.campaign = campaign;
    return row;
  }

  /** An optional text column: null when absent or empty, undefined when the general path must trim it. */
  private optional(text: string, index: number): string | null | undefined {
    if (index < 0) return null;
    const from = this.starts[index]!;
    const to = this.ends[index]!;
    if (to === from) return null;
    return plain(text, from, to) ? text.slice(from, to) : undefined;
  }
}

// ---- JSON Lines ---------------------------------------------------------------------------------

export function parseJsonRow(text: string, line: number, ctx: RowContext): RowResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, reason: 'not valid JSON (each line must be one usage event object)' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, reason: 'must be a JSON object with id, spaceId, channel, direction, credits, occurredAt' };
  }
  const o = value as Record<string, unknown>;
  for (const key of ['id', 'spaceId', 'channel', 'occurredAt'] as const) {
    if (typeof o[key] !== 'string') return { line, reason: `${key}: ${o[key] === undefined ? 'is missing' : 'must be a string'}` };
  }
  if (o.direction !== undefined && typeof o.direction !== 'string') return { line, reason: 'direction: must be "MT" or "MO"' };
  if (o.credits !== undefined && typeof o.credits !== 'number') return { line, reason: CREDITS_REASON };
  for (const key of ['identity', 'campaign'] as const) {
    if (o[key] !== undefined && o[key] !== null && typeof o[key] !== 'string') return { line, reason: `${key}: must be a string` };
  }
  return checkRow(
    line,
    o.id as string,
    o.spaceId as string,
    o.channel as string,
    (o.direction as string | undefined) ?? '',
    o.credits as number | undefined,
    o.occurredAt as string,
    (o.identity as string | undefined) ?? null,
    (o.campaign as string | undefined) ?? null,
    ctx,
  );
}

/** An event given directly (the API), checked like a file row. */
export function checkEvent(
  event: { id: string; spaceId: string; channel: string; direction?: string; credits?: number; occurredAt: string; identity?: string; campaign?: string },
  line: number,
  ctx: RowContext,
): RowResult {
  return checkRow(
    line,
    event.id,
    event.spaceId,
    event.channel,
    event.direction ?? '',
    event.credits,
    event.occurredAt,
    event.identity ?? null,
    event.campaign ?? null,
    ctx,
  );
}

// ---- Lines --------------------------------------------------------------------------------------

/** Receives one record: the characters [start, end) of `text`, the first on line `line`. */
export type RecordSink = (text: string, start: number, end: number, line: number) => void;

/** Receives a record that cannot be one: a line too long to be a usage row, a quote never closed. */
export type BadRecordSink = (line: number, reason: string) => void;

/**
 * How far a record may run. A usage row is a few hundred characters; a file with a stray quote
 * or without line breaks must not be read as one enormous record (a quote on line 4 once
 * swallowed the 99,997 lines after it, and a line of 512 MB broke the reader itself).
 */
export interface RecordLimits {
  /** The longest record, in characters; a longer line is a bad row and is not kept in memory. */
  maxRecordChars: number;
  /** The most lines one CSV record may span (line breaks inside a quoted field). */
  maxQuotedLines: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = { maxRecordChars: 1 << 20, maxQuotedLines: 100 };

export interface LineSplitterOptions {
  /** Lines of the file another reader took (this one starts after them, past any BOM). */
  linesBefore?: number;
  limits?: RecordLimits;
  /** Told of bad records; without it they are dropped silently (tests of the cutting alone). */
  onBad?: BadRecordSink;
}

/**
 * Whether a CSV line ends inside a quoted field, reading it as splitCsv reads records: a quote
 * opens a quoted field only at a field's start (elsewhere it is a character like any other), a
 * doubled quote inside one is a quote. `inQuote`: the line continues a quoted field.
 */
export function endsInQuote(text: string, start: number, end: number, inQuote: boolean): boolean {
  let quoted = inQuote;
  let fieldStart = !inQuote;
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34 /* " */) {
        if (i + 1 < end && text.charCodeAt(i + 1) === 34) i += 1;
        else quoted = false;
      }
    } else if (c === 44 /* , */) fieldStart = true;
    else {
      if (c === 34 && fieldStart) quoted = true;
      fieldStart = false;
    }
  }
  return quoted;
}

/**
 * Cuts text chunks into records with their first line number. For CSV a record that ends inside
 * a quoted field continues on the next line (a quoted field holding a line break), up to
 * `maxQuotedLines` lines: a quote left open longer is reported as a bad row ("unterminated
 * quote from line N") and the lines after it are read again as records of their own. A line
 * longer than `maxRecordChars` is reported and skipped without being kept. Records are handed
 * over as ranges of the chunk's text, not sliced out: the CSV reader reads most of them in place.
 */
export class LineSplitter {
  private rest = '';
  private line: number;
  /** A CSV record whose quoted field spans lines: its lines so far, kept apart to read again if it never closes. */
  private pending: { lines: string[]; first: number; chars: number } | null = null;
  /** The line being skipped for its length (its characters are not kept). */
  private skipping = false;
  private first: boolean;
  private readonly csv: boolean;
  private readonly limits: RecordLimits;
  private readonly onBad: BadRecordSink;

  constructor(csv: boolean, options: LineSplitterOptions = {}) {
    this.csv = csv;
    this.line = options.linesBefore ?? 0;
    this.first = this.line === 0;
    this.limits = options.limits ?? DEFAULT_RECORD_LIMITS;
    this.onBad = options.onBad ?? (() => undefined);
  }

  /** Lines read so far, counting those before this splitter's start. */
  get linesRead(): number {
    return this.line;
  }

  /** Whether a record has begun and not ended (a quoted field holding a line break). */
  get inRecord(): boolean {
    return this.pending !== null;
  }

  push(chunk: string, emit: RecordSink): void {
    let from = 0;
    if (this.first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) from = 1;
      this.first = false;
    }
    if (this.skipping) {
      const nl = chunk.indexOf('\n', from);
      if (nl === -1) return;
      this.tooLong(emit);
      from = nl + 1;
    }
    // The line cut at the last chunk's end is completed on its own: the chunk itself is then
    // read as it came, a flat string (rest + chunk would be a concatenation, flattened by a
    // copy of the whole chunk and slower to read character by character).
    if (this.rest.length > 0) {
      const nl = chunk.indexOf('\n', from);
      if (nl === -1) {
        if (this.rest.length + chunk.length - from > this.limits.maxRecordChars) this.startSkipping();
        else this.rest += from === 0 ? chunk : chunk.slice(from);
        return;
      }
      if (this.rest.length + nl - from > this.limits.maxRecordChars) {
        this.rest = '';
        this.tooLong(emit);
      } else {
        const joined = this.rest + chunk.slice(from, nl + 1);
        this.rest = '';
        this.lines(joined, 0, emit);
      }
      from = nl + 1;
    }
    this.rest = this.lines(chunk, from, emit);
    if (this.rest.length > this.limits.maxRecordChars) this.startSkipping();
  }

  end(emit: RecordSink): void {
    if (this.skipping) this.tooLong(emit);
    if (this.rest.length > 0) {
      const text = this.rest.endsWith('\r') ? this.rest.slice(0, -1) : this.rest;
      this.rest = '';
      this.line += 1;
      this.take(text, 0, text.length, this.line, this.csv && text.indexOf('"') !== -1, emit);
    }
    // Reading the lines of an unclosed record again may leave another one open: until none is.
    while (this.pending !== null) this.unterminated('the file ends before the closing quote', emit);
  }

  private startSkipping(): void {
    this.rest = '';
    this.skipping = true;
  }

  /** The line being skipped has ended: it is one bad row. */
  private tooLong(emit: RecordSink): void {
    this.skipping = false;
    this.line += 1;
    // A quoted field still open cannot hold a line this long: it was never closed.
    if (this.pending !== null) this.unterminated(`no closing quote within ${this.limits.maxRecordChars.toLocaleString('en-US')} characters`, emit);
    this.onBad(this.line, `the line is longer than ${this.limits.maxRecordChars.toLocaleString('en-US')} characters, too long for a usage row; it was skipped`);
  }

  /** The whole lines of `text` from `start` on; returns what follows the last line break. */
  private lines(text: string, start: number, emit: RecordSink): string {
    // The first quote at or after `start` (-1: none left): a text without quotes is searched once.
    let quote = this.csv ? text.indexOf('"', start) : -1;
    const max = this.limits.maxRecordChars;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const quoted = quote !== -1 && quote < end;
      if (end - start > max) this.tooLong(emit);
      else {
        this.line += 1;
        this.take(text, start, end, this.line, quoted, emit);
      }
      start = nl + 1;
      if (quoted) quote = text.indexOf('"', start);
    }
    return text.slice(start);
  }

  /** Line `line`, [start, end) of `text`; `quoted`: it holds a quote (CSV only). */
  private take(text: string, start: number, end: number, line: number, quoted: boolean, emit: RecordSink): void {
    const pending = this.pending;
    if (pending === null) {
      if (!quoted || !endsInQuote(text, start, end, false)) {
        emit(text, start, end, line);
        return;
      }
      this.pending = { lines: [text.slice(start, end)], first: line, chars: end - start };
      return;
    }
    const lineText = text.slice(start, end);
    pending.lines.push(lineText);
    pending.chars += lineText.length + 1;
    if (quoted && !endsInQuote(lineText, 0, lineText.length, true)) {
      this.pending = null;
      const record = pending.lines.join('\n');
      emit(record, 0, record.length, pending.first);
      return;
    }
    if (pending.lines.length > this.limits.maxQuotedLines) this.unterminated(`no closing quote within ${this.limits.maxQuotedLines} lines`, emit);
    else if (pending.chars > this.limits.maxRecordChars) this.unterminated(`no closing quote within ${this.limits.maxRecordChars.toLocaleString('en-US')} characters`, emit);
  }

  /** The open record's quote never closed: report its first line, and read the lines after it again, each on its own. */
  private unterminated(why: string, emit: RecordSink): void {
    const { lines, first } = this.pending!;
    this.pending = null;
    this.onBad(first, `unterminated quote from line ${first}: ${why}; the lines after it were read as rows of their own`);
    for (let i = 1; i < lines.length; i += 1) {
      const text = lines[i]!;
      this.take(text, 0, text.length, first + i, text.indexOf('"') !== -1, emit);
    }
  }
}
