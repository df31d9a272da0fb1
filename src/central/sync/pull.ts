import {
  compareCursors,
  formatCursor,
  parseCursor,
  type Cursor,
  type PullItem,
  type PullResponse,
} from '../../shared/sync';
import type { Principal } from '../auth';
import { decodePlanState } from '../store';
import {
  CHANNEL_COLUMNS,
  ENVIRONMENT_COLUMNS,
  HISTORY_COLUMNS,
  NOTIFICATION_COLUMNS,
  PLAN_COLUMNS,
  SPACE_COLUMNS,
  USAGE_SLOT_COLUMNS,
  channelRecord,
  environmentRecord,
  historyRecord,
  notificationRecord,
  planRecord,
  planStateRecord,
  spaceRecord,
  usageSlotRecord,
  type ChannelRow,
  type EnvironmentRow,
  type HistoryRow,
  type NotificationRow,
  type PlanRow,
  type SpaceRow,
  type UsageSlotRow,
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
 */
interface FeedSource {
  table: string;
  columns: string;
  toItem(row: Row, nowMs: number): PullItem;
}

const SOURCES: FeedSource[] = [
  { table: 'environments', columns: ENVIRONMENT_COLUMNS, toItem: (row) => ({ kind: 'environment', environment: environmentRecord(row as EnvironmentRow) }) },
  { table: 'spaces', columns: SPACE_COLUMNS, toItem: (row) => ({ kind: 'space', space: spaceRecord(row as SpaceRow) }) },
  { table: 'space_channels', columns: CHANNEL_COLUMNS, toItem: (row) => ({ kind: 'channel', channel: channelRecord(row as ChannelRow) }) },
  { table: 'plans', columns: PLAN_COLUMNS, toItem: (row, nowMs) => ({ kind: 'plan', plan: planRecord(row as PlanRow, nowMs) }) },
  { table: 'plan_versions', columns: HISTORY_COLUMNS, toItem: (row) => ({ kind: 'history', history: historyRecord(row as HistoryRow) }) },
  {
    table: 'plan_states',
    columns: 'plan_id, state::text AS state, (SELECT version FROM plans WHERE plans.id = plan_states.plan_id) AS version',
    toItem: (row, nowMs) => {
      const state = decodePlanState(row.state as string);
      return {
        kind: 'planState',
        planState: planStateRecord(row.plan_id as string, Number(row.version), state, Math.max(nowMs, state.clockMs)),
      };
    },
  },
  { table: 'usage_slots', columns: USAGE_SLOT_COLUMNS, toItem: (row) => ({ kind: 'usageSlot', usageSlot: usageSlotRecord(row as UsageSlotRow) }) },
  { table: 'notifications', columns: NOTIFICATION_COLUMNS, toItem: (row) => ({ kind: 'notification', notification: notificationRecord(row as NotificationRow) }) },
];

export interface PullRequest {
  principal: Principal;
  cursor: string;
  limit: number;
  nowMs: number;
}

interface Fetched {
  position: Cursor;
  item: PullItem;
}

export async function pullChanges(db: Database, request: PullRequest): Promise<PullResponse> {
  const from = parseCursor(request.cursor);
  if (!from) throw new Error('pullChanges needs a valid cursor (the route validates it)');
  const environments = request.principal.environments;

  const fetched = await db.transaction(
    async (tx: Queryable) => {
      const snapshot = await tx.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
      const xmin = snapshot.rows[0]!.xmin;
      const rows: Fetched[] = [];
      for (const source of SOURCES) {
        const result = await tx.query(
          `SELECT ${source.columns}, tx::text AS feed_tx, seq::text AS feed_seq FROM ${source.table}
            WHERE (tx, seq) > ($1::xid8, $2::bigint) AND tx < $3::xid8
              AND ($4::text[] IS NULL OR environment_id = ANY($4::text[]))
            ORDER BY tx, seq LIMIT $5`,
          [from.tx.toString(), from.seq.toString(), xmin, environments, request.limit + 1],
        );
        for (const row of result.rows) {
          rows.push({
            position: { tx: BigInt(row.feed_tx as string), seq: BigInt(row.feed_seq as string) },
            item: source.toItem(row, request.nowMs),
          });
        }
      }
      return rows;
    },
    { snapshot: true },
  );

  fetched.sort((a, b) => compareCursors(a.position, b.position));
  const page = fetched.slice(0, request.limit);
  const last = page.at(-1);
  return {
    items: page.map((f) => f.item),
    nextCursor: last ? formatCursor(last.position) : formatCursor(from),
    hasMore: fetched.length > request.limit,
  };
}
