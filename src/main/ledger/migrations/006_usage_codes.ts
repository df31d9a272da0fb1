import { channelSql, directionSql, kindFromTextSql } from '../usage-codes';
import type { Migration } from './types';

/**
 * Version 6: raw usage events in whole numbers. The space becomes a number (`space_refs`,
 * filled by a trigger whenever a space is added, however it is added) and channel + direction
 * one `kind` (channel index × 2 + 1 for MO; see usage-codes.ts); the view usage_event_rows shows
 * them with names again. The table is rebuilt (SQLite
 * cannot change a column's type in place); every event keeps its seq, so the rejections that
 * refer to it stay valid.
 */
export const migration006: Migration = {
  version: 6,
  name: 'usage_codes',
  up(db) {
    db.exec(`
      CREATE TABLE space_refs (
        ref INTEGER PRIMARY KEY,
        space_id TEXT NOT NULL UNIQUE REFERENCES spaces(id)
      );
      INSERT INTO space_refs (space_id) SELECT id FROM spaces ORDER BY created_at, id;
      CREATE TRIGGER spaces_get_a_ref AFTER INSERT ON spaces
        BEGIN INSERT OR IGNORE INTO space_refs (space_id) VALUES (NEW.id); END;

      -- Events of spaces the ledger does not know (none should exist) would lose their space:
      -- give those spaces a ref too rather than drop a single event.
      INSERT OR IGNORE INTO space_refs (space_id)
        SELECT DISTINCT e.space_id FROM usage_events e WHERE NOT EXISTS (SELECT 1 FROM space_refs s WHERE s.space_id = e.space_id);

      CREATE TABLE usage_events_next (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        space_ref INTEGER NOT NULL,
        kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 9),
        credits INTEGER NOT NULL,
        occurred_at INTEGER NOT NULL,
        plan_ref INTEGER,
        identity TEXT,
        campaign TEXT,
        import_ref INTEGER
      );
      INSERT INTO usage_events_next (seq, id, space_ref, kind, credits, occurred_at, plan_ref, identity, campaign, import_ref)
        SELECT e.seq, e.id, s.ref, ${kindFromTextSql('e.channel', 'e.direction')}, e.credits, e.occurred_at, e.plan_ref, e.identity, e.campaign, e.import_ref
        FROM usage_events e JOIN space_refs s ON s.space_id = e.space_id
        ORDER BY e.seq;
      DROP TABLE usage_events;
      ALTER TABLE usage_events_next RENAME TO usage_events;
      CREATE INDEX usage_events_by_plan ON usage_events(plan_ref, occurred_at) WHERE plan_ref IS NOT NULL;
      CREATE INDEX usage_events_unattributed ON usage_events(space_ref, occurred_at) WHERE plan_ref IS NULL;

      -- The events as a person reads them (support staff with a SQLite shell, the tests); the
      -- console's own reads go to usage_events and its indexes directly.
      CREATE VIEW usage_event_rows AS
        SELECT e.seq, e.id, s.space_id, ${channelSql('e.kind')} AS channel, ${directionSql('e.kind')} AS direction, e.credits,
               e.occurred_at, e.plan_ref, e.identity, e.campaign, e.import_ref
        FROM usage_events e JOIN space_refs s ON s.ref = e.space_ref;
    `);
  },
};
