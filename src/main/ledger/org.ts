import type { Channel } from '../../shared/domain';
import type { Ledger } from './ledger';

/** Environments, spaces (with their Account Manager) and the channels of each space. */

export interface EnvironmentRow {
  id: string;
  name: string;
  demo: boolean;
  createdAt: number;
}

export interface SpaceChannelRow {
  channel: Channel;
  bidirectional: boolean;
  addedAt: number;
}

export interface SpaceRow {
  id: string;
  environmentId: string;
  environmentName: string;
  demo: boolean;
  name: string;
  accountManager: { name: string; email: string };
  createdAt: number;
  channels: SpaceChannelRow[];
}

interface RawEnvironment {
  id: string;
  name: string;
  demo: number;
  created_at: number;
}

interface RawSpace {
  id: string;
  environment_id: string;
  environment_name: string;
  demo: number;
  name: string;
  am_name: string;
  am_email: string;
  created_at: number;
}

interface RawChannel {
  space_id: string;
  channel: Channel;
  bidirectional: number;
  added_at: number;
}

const toEnvironment = (r: RawEnvironment): EnvironmentRow => ({ id: r.id, name: r.name, demo: r.demo === 1, createdAt: r.created_at });

export function insertEnvironment(ledger: Ledger, env: EnvironmentRow): void {
  ledger
    .stmt('INSERT INTO environments (id, name, demo, created_at) VALUES (?, ?, ?, ?)')
    .run(env.id, env.name, env.demo ? 1 : 0, env.createdAt);
}

export function listEnvironments(ledger: Ledger): EnvironmentRow[] {
  return (ledger.stmt('SELECT * FROM environments ORDER BY demo, name, id').all() as RawEnvironment[]).map(toEnvironment);
}

export function getEnvironment(ledger: Ledger, id: string): EnvironmentRow | null {
  const row = ledger.stmt('SELECT * FROM environments WHERE id = ?').get(id) as RawEnvironment | undefined;
  return row ? toEnvironment(row) : null;
}

export function insertSpace(
  ledger: Ledger,
  space: { id: string; environmentId: string; name: string; accountManager: { name: string; email: string }; createdAt: number },
): void {
  ledger
    .stmt('INSERT INTO spaces (id, environment_id, name, am_name, am_email, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(space.id, space.environmentId, space.name, space.accountManager.name, space.accountManager.email, space.createdAt);
}

export function insertSpaceChannel(ledger: Ledger, spaceId: string, channel: SpaceChannelRow): boolean {
  const info = ledger
    .stmt('INSERT OR IGNORE INTO space_channels (space_id, channel, bidirectional, added_at) VALUES (?, ?, ?, ?)')
    .run(spaceId, channel.channel, channel.bidirectional ? 1 : 0, channel.addedAt);
  return info.changes === 1;
}

const SPACE_SELECT = `SELECT s.*, e.name AS environment_name, e.demo AS demo
  FROM spaces s JOIN environments e ON e.id = s.environment_id`;

function channelsOf(ledger: Ledger, spaceIds: string[]): Map<string, SpaceChannelRow[]> {
  const result = new Map<string, SpaceChannelRow[]>();
  for (const id of spaceIds) result.set(id, []);
  const order = ['SMS', 'WhatsApp', 'Email', 'Push', 'RCS'];
  const stmt = ledger.stmt('SELECT * FROM space_channels WHERE space_id = ?');
  for (const id of spaceIds) {
    const rows = (stmt.all(id) as RawChannel[]).sort((a, b) => order.indexOf(a.channel) - order.indexOf(b.channel));
    result.set(
      id,
      rows.map((r) => ({ channel: r.channel, bidirectional: r.bidirectional === 1, addedAt: r.added_at })),
    );
  }
  return result;
}

function toSpace(r: RawSpace, channels: SpaceChannelRow[]): SpaceRow {
  return {
    id: r.id,
    environmentId: r.environment_id,
    environmentName: r.environment_name,
    demo: r.demo === 1,
    name: r.name,
    accountManager: { name: r.am_name, email: r.am_email },
    createdAt: r.created_at,
    channels,
  };
}

export function getSpace(ledger: Ledger, id: string): SpaceRow | null {
  const row = ledger.stmt(`${SPACE_SELECT} WHERE s.id = ?`).get(id) as RawSpace | undefined;
  if (!row) return null;
  return toSpace(row, channelsOf(ledger, [id]).get(id) ?? []);
}

export function listSpaces(ledger: Ledger, environmentId?: string): SpaceRow[] {
  const rows = (
    environmentId === undefined
      ? ledger.stmt(`${SPACE_SELECT} ORDER BY s.name, s.id`).all()
      : ledger.stmt(`${SPACE_SELECT} WHERE s.environment_id = ? ORDER BY s.name, s.id`).all(environmentId)
  ) as RawSpace[];
  const channels = channelsOf(
    ledger,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toSpace(r, channels.get(r.id) ?? []));
}

/** Every space's channel set, for validating usage rows (space id → channels). */
export function spaceChannelIndex(ledger: Ledger): Map<string, Set<Channel>> {
  const index = new Map<string, Set<Channel>>();
  for (const row of ledger.stmt('SELECT id FROM spaces').all() as { id: string }[]) index.set(row.id, new Set());
  for (const row of ledger.stmt('SELECT space_id, channel FROM space_channels').all() as RawChannel[]) {
    index.get(row.space_id)?.add(row.channel);
  }
  return index;
}
