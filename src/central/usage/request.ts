import { z } from 'zod';
import { CHANNELS, MAX_CREDITS, type Channel, type Direction } from '../../shared/domain';
import { parseInstant } from '../../shared/engine';
import { MAX_USAGE_BATCH, usageEventRequestSchema } from '../../shared/sync';
import type { UsageEventInput } from './authorize';

/**
 * Reading the usage events of a request. The hot path checks each event with plain code (a
 * batch of 10,000 events through zod and Temporal cost 14–26 µs an event); anything that code
 * does not accept as plainly valid goes through the zod schema below, which is the one source
 * of the 400's issues. The plain check accepts a subset of what the schema accepts, so the two
 * never disagree on a valid event.
 */

/** Instants the service accepts: 1970 to 2200, as the console's usage importer. */
export const MIN_INSTANT_MS = 0;
export const MAX_INSTANT_MS = Date.UTC(2200, 0, 1);
export const INSTANT_RANGE_MESSAGE = 'must be between 1970-01-01 and 2200-01-01';

export function instantInRange(ms: number): boolean {
  return ms >= MIN_INSTANT_MS && ms < MAX_INSTANT_MS;
}

/** PostgreSQL cannot store U+0000 in text: such ids and names are refused, not failed on. */
export const hasNul = (text: string): boolean => text.includes('\u0000');
export const NUL_MESSAGE = 'must not contain the character U+0000';

/** Who (identity) and which campaign an event is for: labels the Usage screen groups by. */
export const MAX_LABEL_LENGTH = 200;

const storableId = (schema: z.ZodString) => schema.refine((v) => !hasNul(v), NUL_MESSAGE);

/** The wire schema, narrowed to what the service can store exactly. */
export const centralUsageEventSchema = usageEventRequestSchema
  .extend({
    id: storableId(z.string().min(1, 'must not be empty').max(200, 'is too long')),
    spaceId: storableId(z.string().min(1, 'must not be empty').max(200, 'is too long')),
    // Without credits an event costs its channel's rate under the plan that decides it (SPEC §9.1).
    credits: z.number().int().min(1).max(MAX_CREDITS, `must be at most ${MAX_CREDITS}`).optional(),
    identity: storableId(z.string().max(MAX_LABEL_LENGTH, 'is too long')).optional(),
    campaign: storableId(z.string().max(MAX_LABEL_LENGTH, 'is too long')).optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    const ms = parseInstant(event.occurredAt);
    if (ms === null) ctx.addIssue({ code: 'custom', path: ['occurredAt'], message: 'is not a valid instant' });
    else if (!instantInRange(ms)) ctx.addIssue({ code: 'custom', path: ['occurredAt'], message: INSTANT_RANGE_MESSAGE });
  });

export const centralUsageBatchSchema = z
  .object({
    events: z
      .array(centralUsageEventSchema)
      .min(1, 'must hold at least one event')
      .max(MAX_USAGE_BATCH, `holds at most ${MAX_USAGE_BATCH} events`),
  })
  .strict();

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two decimal digits at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (what toISOString writes, and nearly every sender) read
 * character by character; undefined for any other shape, which the expression below reads.
 */
function utcInstant(text: string): number | null | undefined {
  const length = text.length;
  if (length < 20 || length > 30 || text.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let millis = 0;
  if (length === 21) return undefined;
  if (length > 20) {
    // A fraction of 1 to 9 digits after the point; its first three digits are the milliseconds.
    if (text.charCodeAt(19) !== 46 /* . */) return undefined;
    for (let i = 20; i < length - 1; i += 1) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      if (i < 23) millis += d * (i === 20 ? 100 : i === 21 ? 10 : 1);
    }
  }
  return composeInstant(century * 100 + yy, month, day, hour, minute, second, millis, 0);
}

function composeInstant(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number, offsetMinutes: number): number | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!)) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return ms > 0 ? ms : null;
}

/**
 * An ISO-8601 instant in epoch ms without Temporal, or null when the text is anything but a
 * plainly valid one (then the caller asks `parseInstant`, which has the last word).
 */
export function fastInstant(text: string): number | null {
  // The events of a batch mostly share their instant: the last answer is kept.
  if (text === lastInstant.text) return lastInstant.ms;
  const ms = readInstant(text);
  lastInstant.text = text;
  lastInstant.ms = ms;
  return ms;
}

const lastInstant: { text: string; ms: number | null } = { text: '', ms: null };

function readInstant(text: string): number | null {
  const utc = utcInstant(text);
  if (utc !== undefined) return utc;
  const m = INSTANT.exec(text);
  if (!m) return null;
  const second = m[6] === undefined ? 0 : +m[6];
  // Temporal rounds toward the past to the millisecond: for instants after 1970 that is truncation.
  const millis = m[7] === undefined ? 0 : +m[7].slice(0, 3).padEnd(3, '0');
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = +m[10]!;
    const om = +m[11]!;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return composeInstant(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, second, millis, offsetMinutes);
}

const CHANNEL_SET = new Set<string>(CHANNELS);
const EVENT_KEYS = new Set(['id', 'spaceId', 'channel', 'direction', 'credits', 'occurredAt', 'identity', 'campaign']);

function okText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max && !value.includes('\u0000');
}

/** An identity or campaign as stored: an empty text names nothing. */
function okLabel(value: unknown): value is string | undefined {
  return value === undefined || (typeof value === 'string' && value.length <= MAX_LABEL_LENGTH && !value.includes('\u0000'));
}

const label = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

/** One event by the plain check, or null to let the schema explain what is wrong. */
function plainEvent(value: unknown): UsageEventInput | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const e = value as Record<string, unknown>;
  for (const key in e) if (!EVENT_KEYS.has(key)) return null;
  const { id, spaceId, channel, occurredAt } = e;
  if (!okText(id, 200) || !okText(spaceId, 200) || typeof channel !== 'string' || !CHANNEL_SET.has(channel)) return null;
  const direction = e.direction === undefined ? 'MT' : e.direction;
  if (direction !== 'MT' && direction !== 'MO') return null;
  const credits = e.credits;
  if (credits !== undefined && (typeof credits !== 'number' || !Number.isInteger(credits) || credits < 1 || credits > MAX_CREDITS)) return null;
  const { identity, campaign } = e;
  if (!okLabel(identity) || !okLabel(campaign)) return null;
  if (typeof occurredAt !== 'string') return null;
  const occurredMs = fastInstant(occurredAt);
  if (occurredMs === null || !instantInRange(occurredMs)) return null;
  return { id, spaceId, channel: channel as Channel, direction: direction as Direction, credits, occurredMs, identity: label(identity), campaign: label(campaign) };
}

function fromSchema(event: z.output<typeof centralUsageEventSchema>): UsageEventInput {
  return {
    id: event.id,
    spaceId: event.spaceId,
    channel: event.channel,
    direction: event.direction,
    credits: event.credits,
    occurredMs: parseInstant(event.occurredAt)!,
    identity: label(event.identity),
    campaign: label(event.campaign),
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: z.ZodError };

export function readUsageEvent(body: unknown): Parsed<UsageEventInput> {
  const plain = plainEvent(body);
  if (plain) return { ok: true, value: plain };
  const parsed = centralUsageEventSchema.safeParse(body);
  return parsed.success ? { ok: true, value: fromSchema(parsed.data) } : { ok: false, error: parsed.error };
}

export function readUsageBatch(body: unknown): Parsed<UsageEventInput[]> {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const keys = Object.keys(b);
    if (keys.length === 1 && Array.isArray(b.events) && b.events.length >= 1 && b.events.length <= MAX_USAGE_BATCH) {
      const out: UsageEventInput[] = new Array(b.events.length);
      let all = true;
      for (let i = 0; i < b.events.length; i += 1) {
        const event = plainEvent(b.events[i]);
        if (!event) {
          all = false;
          break;
        }
        out[i] = event;
      }
      if (all) return { ok: true, value: out };
    }
  }
  const parsed = centralUsageBatchSchema.safeParse(body);
  return parsed.success ? { ok: true, value: parsed.data.events.map(fromSchema) } : { ok: false, error: parsed.error };
}
