import type { Migration } from './types';

/**
 * Version 4: what the network sync client needs.
 *
 * - The credit history log learns where each entry stands with the central service: `local`
 *   (made here, not confirmed yet), `confirmed` (the central service's version), `conflicted`
 *   (set aside: the central service had moved on), `dropped` (the admin kept the central
 *   version) or `rebased` (the admin applied it again on top of the central version). The log
 *   stays append-only: no entry is ever deleted, and an entry changes only while it is local or
 *   conflicted — once, when the central service settles it. Two entries may therefore share a
 *   plan version (mine set aside, and the central one), so the uniqueness of (plan, version)
 *   holds for the live entries only. The table is rebuilt for that (SQLite cannot drop a
 *   constraint in place); every row keeps its seq, so keyset cursors stay valid.
 * - Conflicts: a plan's local changes that the central service could not take, kept whole
 *   (every outbox payload, and my resulting plan) until the admin decides.
 * - What a pull brings that the local tables do not hold: usage per 15-minute slot as the
 *   central service counted it, and each plan's bucket state there.
 */
export const migration004: Migration = {
  version: 4,
  name: 'sync',
  up(db) {
    db.exec(`
      CREATE TABLE history_log_next (
        seq INTEGER PRIMARY KEY,
        plan_ref INTEGER NOT NULL,
        plan_id TEXT NOT NULL,
        space_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
        actor TEXT NOT NULL,
        at INTEGER NOT NULL,
        plan TEXT NOT NULL,
        changes TEXT NOT NULL,
        change_id TEXT,
        sync TEXT NOT NULL DEFAULT 'local' CHECK (sync IN ('local', 'confirmed', 'conflicted', 'dropped', 'rebased'))
      );
      INSERT INTO history_log_next (seq, plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync)
        SELECT h.seq, h.plan_ref, h.plan_id, h.space_id, h.version, h.action, h.actor, h.at, h.plan, h.changes, o.change_id,
               CASE WHEN o.status = 'accepted' THEN 'confirmed' ELSE 'local' END
        FROM history_log h LEFT JOIN outbox o ON o.plan_ref = h.plan_ref AND o.version = h.version;
      DROP TABLE history_log;
      ALTER TABLE history_log_next RENAME TO history_log;

      CREATE UNIQUE INDEX history_live_version ON history_log(plan_ref, version) WHERE sync IN ('local', 'confirmed');
      CREATE INDEX history_by_change ON history_log(change_id) WHERE change_id IS NOT NULL;
      CREATE INDEX history_by_time ON history_log(at);
      CREATE INDEX history_by_plan ON history_log(plan_id, at);
      CREATE INDEX history_by_space ON history_log(space_id, at);
      CREATE INDEX history_by_actor ON history_log(actor, at);
      CREATE INDEX history_by_action ON history_log(action, at);
      CREATE TRIGGER history_log_no_delete BEFORE DELETE ON history_log
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;
      CREATE TRIGGER history_log_no_update BEFORE UPDATE ON history_log WHEN OLD.sync NOT IN ('local', 'conflicted')
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;
      CREATE TRIGGER history_log_same_plan BEFORE UPDATE OF seq, plan_ref, plan_id, space_id ON history_log
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;

      CREATE TABLE sync_conflicts (
        id TEXT PRIMARY KEY,
        plan_ref INTEGER NOT NULL REFERENCES plans(ref),
        plan_id TEXT NOT NULL,
        space_id TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('outdated', 'rejected')),
        message TEXT NOT NULL,
        -- The central version my changes were made on (0: a plan created here).
        base_version INTEGER NOT NULL,
        -- My plan after my changes: {config, deleted, actor, at}.
        mine TEXT NOT NULL,
        -- Every outbox change set aside, in the wire format, oldest first.
        changes TEXT NOT NULL,
        detected_at INTEGER NOT NULL,
        resolved_at INTEGER,
        resolution TEXT CHECK (resolution IN ('central', 'mine')),
        resolved_by TEXT,
        rebased_change_id TEXT,
        CHECK ((resolved_at IS NULL) = (resolution IS NULL))
      );
      CREATE UNIQUE INDEX sync_conflicts_open ON sync_conflicts(plan_id) WHERE resolved_at IS NULL;
      CREATE INDEX sync_conflicts_by_time ON sync_conflicts(detected_at);

      CREATE TABLE central_usage_slots (
        space_id TEXT NOT NULL,
        plan_key TEXT NOT NULL,
        channel TEXT NOT NULL,
        slot_ms INTEGER NOT NULL,
        environment_id TEXT NOT NULL,
        mt_credits INTEGER NOT NULL,
        mt_events INTEGER NOT NULL,
        mo_events INTEGER NOT NULL,
        rejected_events INTEGER NOT NULL,
        rejected_credits INTEGER NOT NULL,
        PRIMARY KEY (space_id, plan_key, channel, slot_ms)
      ) WITHOUT ROWID;

      CREATE TABLE central_plan_states (
        plan_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL
      );
    `);
  },
};
