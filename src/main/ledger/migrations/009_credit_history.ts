import type { Migration } from './types';

/**
 * Version 9: credits given to a plan (top-ups and charge-nows, migration 8) are recorded in the
 * credit history log and tell the space's Account Manager ("Credits Added"), like plan changes.
 *
 * - The log's actions gain `credits_added` and `charged_now`; such an entry carries the plan
 *   version the credits were given on and, in `credit`, what was given (credits per bucket,
 *   expiry, price, billing week) as JSON. Its sync state is `console_only`: top-ups do not sync
 *   yet, and every sync statement works on `local`, `confirmed` and `conflicted` entries, so these
 *   never meet them — nor the uniqueness of a plan's live versions (they share a version number
 *   with the plan's own entry). An entry never changes: the update trigger lets only `local` and
 *   `conflicted` entries be settled.
 * - The e-mails' kinds gain `credits_added`.
 *
 * SQLite cannot change a CHECK in place, so both tables are rebuilt; every row keeps its seq or
 * id (keyset cursors stay valid) and every index and trigger is made again as it was.
 */
export const migration009: Migration = {
  version: 9,
  name: 'credit_history',
  up(db) {
    db.exec(`
      CREATE TABLE history_log_next (
        seq INTEGER PRIMARY KEY,
        plan_ref INTEGER NOT NULL,
        plan_id TEXT NOT NULL,
        space_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted', 'credits_added', 'charged_now')),
        actor TEXT NOT NULL,
        at INTEGER NOT NULL,
        plan TEXT NOT NULL,
        changes TEXT NOT NULL,
        change_id TEXT,
        sync TEXT NOT NULL DEFAULT 'local' CHECK (sync IN ('local', 'confirmed', 'conflicted', 'dropped', 'rebased', 'console_only')),
        credit TEXT,
        CHECK ((action IN ('credits_added', 'charged_now')) = (credit IS NOT NULL)),
        CHECK ((action IN ('credits_added', 'charged_now')) = (sync = 'console_only'))
      );
      INSERT INTO history_log_next (seq, plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync)
        SELECT seq, plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync FROM history_log ORDER BY seq;
      DROP TABLE history_log;
      ALTER TABLE history_log_next RENAME TO history_log;

      CREATE UNIQUE INDEX history_live_version ON history_log(plan_ref, version) WHERE sync IN ('local', 'confirmed');
      CREATE INDEX history_by_change ON history_log(change_id) WHERE change_id IS NOT NULL;
      CREATE INDEX history_by_time ON history_log(at);
      CREATE INDEX history_by_plan ON history_log(plan_id, at);
      CREATE INDEX history_by_space ON history_log(space_id, at);
      CREATE INDEX history_by_actor ON history_log(actor, at);
      CREATE INDEX history_by_action ON history_log(action, at);
      CREATE INDEX history_by_space_action ON history_log(space_id, action, at);
      CREATE INDEX history_by_space_actor ON history_log(space_id, actor, at);
      CREATE INDEX history_by_plan_action ON history_log(plan_id, action, at);
      CREATE INDEX history_by_plan_actor ON history_log(plan_id, actor, at);
      CREATE TRIGGER history_log_no_delete BEFORE DELETE ON history_log
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;
      CREATE TRIGGER history_log_no_update BEFORE UPDATE ON history_log WHEN OLD.sync NOT IN ('local', 'conflicted')
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;
      CREATE TRIGGER history_log_same_plan BEFORE UPDATE OF seq, plan_ref, plan_id, space_id ON history_log
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;

      CREATE TABLE notifications_next (
        id TEXT PRIMARY KEY,
        plan_ref INTEGER NOT NULL REFERENCES plans(ref),
        plan_id TEXT NOT NULL,
        space_id TEXT NOT NULL,
        change_id TEXT REFERENCES outbox(change_id),
        kind TEXT NOT NULL CHECK (kind IN ('activated', 'updated', 'deleted', 'credits_added')),
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        text_body TEXT NOT NULL,
        html_body TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        error TEXT
      );
      -- rowid too: the e-mails of one instant are listed in the order they were written.
      INSERT INTO notifications_next (rowid, id, plan_ref, plan_id, space_id, change_id, kind, recipient, subject, text_body, html_body, status, created_at, updated_at, error)
        SELECT rowid, id, plan_ref, plan_id, space_id, change_id, kind, recipient, subject, text_body, html_body, status, created_at, updated_at, error
        FROM notifications ORDER BY rowid;
      DROP TABLE notifications;
      ALTER TABLE notifications_next RENAME TO notifications;
      CREATE INDEX notifications_by_plan ON notifications(plan_id, created_at);
      CREATE INDEX notifications_by_space ON notifications(space_id, created_at);
      CREATE INDEX notifications_by_time ON notifications(created_at);
    `);
  },
};
