import {
  compareCursors,
  formatCursor,
  parseCursor,
  type Cursor,
  type PullItem,
  type PullResponse,
} from '../../shared/sync';
import type { Principal } from '../auth';
import { overlayCounters } from '../usage/counters';
import { decodePlanState } from '../store';
import {
  CHANNEL_COLUMNS,
  ENVIRONMENT_COLUMNS,
  HISTORY_COLUMNS,
  NOTIFICATION_COLUMNS,
  PLAN_COLUMNS,
  PLAN_CREDIT_COLUMNS,
  SPACE_COLUMNS,
  channelRecord,
  environmentRecord,
  historyRecord,
  notificationRecord,
  planCreditRecord,
  planRecord,
  planStateRecord,
  spaceRecord,
  type ChannelRow,
  type EnvironmentRow,
  type HistoryRow,
  type NotificationRow,
  type PlanCreditRow,
  type PlanRow,
  type SpaceRow,
} from '../records';
import type { Database, Queryable, Row } from '../store';

/**
 * Pull: every record written after a cursor, in (transaction, sequence) order, in pages.
 *
 * A plain sequence number is not enough as a cursor when writers run concurrently: a
 * transaction may take number 10, commit after another one took 11, and a reader that already
 * moved past 11 would never see 10. So each row also carries the id of the transaction that
 * wrote it, and a pull hands out only rows of transactions older than the oldest transaction
 * still running (the snapshot's xmin). Any transaction that commits later has an id at or above
 * that xmin, so it sorts after every row already handed out.
 *
 * Usage slots are nearly all of a large pull (a plan's 15-minute slots per channel), so
 * PostgreSQL writes their items as JSON text itself: a row then comes back as two text fields
 * (feed position and item) instead of twelve, is never turned into an object on this side, and
 * goes into the response body as it is. Converting each row in JavaScript (twelve fields decoded,
 * an ISO instant formatted, the object serialized again) cost most of a large pull on the
 * embedded database, where the row decoding runs on this thread. Records whose item depends on
 * the service's clock or the engine (plans, plan states) are still built here.
 */
type FeedSource = (
  | { table: string; columns: string; toItem(row: Row, nowMs: number): PullItem }
  /** `json`: an SQL expression giving the whole item as JSON text, exactly as `toItem` would. */
  | { table: string; json: string }
) & {
  /**
   * Add-on credits: `all` — the source is only for clients that read them (`credits=1`); a
   * condition — its rows that are not for them.
   */
  credits?: 'all' | string;
  /** Usage per identity and campaign: only for clients that ask (`labels=1`). */
  labels?: true;
};

/**
 * An instant in milliseconds as `isoSecond` writes it (SPEC §8: to the second, with Z), for
 * instants in years 1 to 9999 — slot starts of usage events always are.
 */
export function sqlIsoSecond(msColumn: string): string {
  return `to_char(to_timestamp(floor(${msColumn} / 1000.0)::double precision) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
}

/**
 * A usage slot as `usageSlotRecord` makes it (records.ts; the test compares the two). Written by
 * concatenation rather than json_build_object, which costs half as much again on the embedded
 * database; every text goes through to_json, which quotes and escapes it.
 */
export const USAGE_SLOT_ITEM_JSON = `'{"kind":"usageSlot","usageSlot":{"spaceId":' || to_json(space_id)::text
  || ',"environmentId":' || to_json(environment_id)::text
  || ',"planId":' || coalesce(to_json(NULLIF(plan_key, ''))::text, 'null')
  || ',"channel":' || to_json(channel)::text
  || ',"slotStart":"' || ${sqlIsoSecond('slot_ms')}
  || '","mtCredits":' || mt_credits || ',"mtEvents":' || mt_events || ',"moEvents":' || mo_events
  || ',"rejectedEvents":' || rejected_events || ',"rejectedCredits":' || rejected_credits || '}}'`;

/** A label slot as `usageLabelSlotRecord` makes it (records.ts), written by PostgreSQL as the slots are. */
export const USAGE_LABEL_SLOT_ITEM_JSON = `'{"kind":"usageLabelSlot","usageLabelSlot":{"spaceId":' || to_json(space_id)::text
  || ',"environmentId":' || to_json(environment_id)::text
  || ',"dim":' || to_json(dim)::text
  || ',"label":' || to_json(label)::text
  || ',"slotStart":"' || ${sqlIsoSecond('slot_ms')}
  || '","mtCredits":' || mt_credits || ',"mtEvents":' || mt_events || ',"moEvents":' || mo_events
  || ',"rejectedEvents":' || rejected_events || ',"rejectedCredits":' || rejected_credits || '}}'`;

const PLAN_STATE_COLUMNS = `plan_id, state::text AS state, (SELECT version FROM plans WHERE plans.id = plan_states.plan_id) AS version,
  (SELECT json_agg(json_build_object('bucket', c.bucket, 'used', c.used, 'clock_ms', c.clock_ms, 'fast_events', c.fast_events))
     FROM usage_counters c WHERE c.plan_id = plan_states.plan_id) AS counters`;

function planStateItem(row: Row, nowMs: number): PullItem {
  const state = overlayCounters(decodePlanState(row.state as string), row.counters as Parameters<typeof overlayCounters>[1]);
  return { kind: 'planState', planState: planStateRecord(row.plan_id as string, Number(row.version), state, Math.max(nowMs, state.clockMs)) };
}

const SOURCES: FeedSource[] = [
  { table: 'environments', columns: ENVIRONMENT_COLUMNS, toItem: (row) => ({ kind: 'environment', environment: environmentRecord(row as EnvironmentRow) }) },
  { table: 'spaces', columns: SPACE_COLUMNS, toItem: (row) => ({ kind: 'space', space: spaceRecord(row as SpaceRow) }) },
  { table: 'space_channels', columns: CHANNEL_COLUMNS, toItem: (row) => ({ kind: 'channel', channel: channelRecord(row as ChannelRow) }) },
  { table: 'plans', columns: PLAN_COLUMNS, toItem: (row, nowMs) => ({ kind: 'plan', plan: planRecord(row as PlanRow, nowMs) }) },
  { table: 'plan_versions', columns: HISTORY_COLUMNS, toItem: (row) => ({ kind: 'history', history: historyRecord(row as HistoryRow) }) },
  { table: 'plan_states', columns: PLAN_STATE_COLUMNS, toItem: planStateItem },
  // Usage the fast path charged moves the counters, not the state row: the plan's buckets again.
  {
    table: `(SELECT c.tx, c.seq, c.environment_id, s.plan_id, s.state FROM usage_counters c JOIN plan_states s ON s.plan_id = c.plan_id) AS charged_counters`,
    columns: PLAN_STATE_COLUMNS.replaceAll('plan_states.', 'charged_counters.'),
    toItem: planStateItem,
  },
  { table: 'usage_slots', json: USAGE_SLOT_ITEM_JSON },
  { table: 'usage_label_slots', json: USAGE_LABEL_SLOT_ITEM_JSON, labels: true },
  {
    table: 'notifications',
    columns: NOTIFICATION_COLUMNS,
    toItem: (row) => ({ kind: 'notification', notification: notificationRecord(row as NotificationRow) }),
    credits: "kind = 'credits_added'",
  },
  { table: 'plan_credits', columns: PLAN_CREDIT_COLUMNS, toItem: (row) => ({ kind: 'credit', credit: planCreditRecord(row as PlanCreditRow) }), credits: 'all' },
];

export interface PullRequest {
  principal: Principal;
  cursor: string;
  limit: number;
  nowMs: number;
  /** Also count the records after the page (`remaining`), for a progress bar. */
  count?: boolean;
  /** The client reads add-on credits (`credit` items, "Credits Added" e-mails). */
  credits?: boolean;
  /** Also hand out usage per identity and campaign (`usageLabelSlot`). */
  labels?: boolean;
}

interface Fetched {
  position: Cursor;
  /** The item as JSON text. */
  json: string;
}

/** The rows a principal may pull after `from`, under the snapshot's xmin. */
const FEED_WHERE = `(tx, seq) > ($1::xid8, $2::bigint) AND tx < $3::xid8 AND ($4::text[] IS NULL OR environment_id = ANY($4::text[]))`;

/**
 * One page of the feed as the body of the HTTP answer (JSON text of a `PullResponse`): the
 * items are JSON already, so the page is put together as text rather than parsed and written
 * again.
 */
export async function pullChangesBody(db: Database, request: PullRequest): Promise<string> {
  const from = parseCursor(request.cursor);
  if (!from) throw new Error('pullChangesBody needs a valid cursor (the route validates it)');
  const environments = request.principal.environments;

  const { fetched, total } = await db.transaction(
    async (tx: Queryable) => {
      const snapshot = await tx.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
      const xmin = snapshot.rows[0]!.xmin;
      const params = [from.tx.toString(), from.seq.toString(), xmin, environments];
      const rows: Fetched[] = [];
      let total = 0;
      for (const source of SOURCES) {
        if (source.labels === true && request.labels !== true) continue;
        if (source.credits === 'all' && request.credits !== true) continue;
        const where = source.credits !== undefined && source.credits !== 'all' && request.credits !== true ? `${FEED_WHERE} AND NOT (${source.credits})` : FEED_WHERE;
        if ('json' in source) {
          // The whole page as one text value, a line per row ("tx.seq item"): one field to decode
          // instead of thousands of rows (a third less time on the embedded database). A line
          // break never occurs inside an item: to_json escapes it in texts, and nothing else
          // in an item is text.
          const result = await tx.query<{ page: string | null }>(
            `SELECT string_agg(feed || ' ' || item, E'\\n' ORDER BY tx, seq) AS page FROM (
               SELECT tx, seq, tx::text || '.' || seq::text AS feed, ${source.json} AS item FROM ${source.table}
                WHERE ${where} ORDER BY tx, seq LIMIT $5) AS rows`,
            [...params, request.limit + 1],
          );
          const page = result.rows[0]?.page ?? null;
          if (page !== null) {
            for (const line of page.split('\n')) {
              const space = line.indexOf(' ');
              rows.push({ position: parseCursor(line.slice(0, space))!, json: line.slice(space + 1) });
            }
          }
        } else {
          const result = await tx.query(
            `SELECT ${source.columns}, tx::text || '.' || seq::text AS feed FROM ${source.table}
              WHERE ${where} ORDER BY tx, seq LIMIT $5`,
            [...params, request.limit + 1],
          );
          for (const row of result.rows) {
            rows.push({ position: parseCursor(row.feed as string)!, json: JSON.stringify(source.toItem(row, request.nowMs)) });
          }
        }
        if (request.count) {
          const counted = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${source.table} WHERE ${where}`, params);
          total += Number(counted.rows[0]!.n);
        }
      }
      return { fetched: rows, total };
    },
    { snapshot: true },
  );

  fetched.sort((a, b) => compareCursors(a.position, b.position));
  const page = fetched.length > request.limit ? fetched.slice(0, request.limit) : fetched;
  const last = page.at(-1);
  const response: Omit<PullResponse, 'items'> = {
    nextCursor: last ? formatCursor(last.position) : formatCursor(from),
    hasMore: fetched.length > request.limit,
    ...(request.count ? { remaining: Math.max(0, total - page.length) } : {}),
  };
  const head = JSON.stringify(response);
  return `{"items":[${page.map((f) => f.json).join(',')}],${head.slice(1)}`;
}
