import type { Migration } from './types';

/**
 * Version 10: credits given to plans (top-ups, charge-nows) sync with the central service.
 *
 * - The outbox's kinds gain `plan.top_up` and `plan.charge_now`: a change that names its plan
 *   (`plan_ref`) but no version of it (credits make none) and no base version (they never
 *   conflict with an edit; the central service applies them onto the version then in force).
 * - History entries of credits (`credits_added`, `charged_now`) take the sync states `local` (not
 *   yet accepted), `confirmed` (accepted, or pulled from another console) and `refused` (the
 *   central service refused them: kept here, on record, and said why). Entries written before
 *   this version stay `console_only`: they were never queued. A plan's live versions stay unique
 *   among its version entries only (a credit entry shares the number of the version it was given
 *   on).
 *
 * Both tables are rebuilt for their CHECKs; every row keeps its seq, every index and trigger is
 * made again as it was, and a credit entry's fields other than its sync state never change.
 */
export const migration010: Migration = {
  version: 10,
  name: 'credit_sync',
  up(db) {
    db.exec(`
      CREATE TABLE outbox_next (
        seq INTEGER PRIMARY KEY,
        change_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('plan.create', 'plan.edit', 'plan.delete', 'plan.top_up', 'plan.charge_now',
                                           'environment.upsert', 'space.upsert', 'channel.upsert')),
        plan_ref INTEGER,
        plan_id TEXT,
        version INTEGER,
        base_version INTEGER,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'accepted', 'rejected', 'held')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_attempt_at INTEGER,
        last_error TEXT,
        settled_at INTEGER,
        CHECK ((kind IN ('plan.create', 'plan.edit', 'plan.delete')) = (plan_ref IS NOT NULL AND version IS NOT NULL AND base_version IS NOT NULL)),
        CHECK (kind NOT IN ('plan.top_up', 'plan.charge_now') OR (plan_ref IS NOT NULL AND version IS NULL AND base_version IS NULL)),
        UNIQUE (plan_ref, version),
        FOREIGN KEY (plan_ref, version) REFERENCES plan_versions(plan_ref, version)
      );
      INSERT INTO outbox_next SELECT seq, change_id, kind, plan_ref, plan_id, version, base_version, payload, created_at, status,
        attempts, last_attempt_at, last_error, settled_at FROM outbox ORDER BY seq;
      DROP TABLE outbox;
      ALTER TABLE outbox_next RENAME TO outbox;
      CREATE INDEX outbox_by_status ON outbox(status, seq);

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
        sync TEXT NOT NULL DEFAULT 'local' CHECK (sync IN ('local', 'confirmed', 'conflicted', 'dropped', 'rebased', 'refused', 'console_only')),
        credit TEXT,
        CHECK ((action IN ('credits_added', 'charged_now')) = (credit IS NOT NULL)),
        CHECK (action NOT IN ('credits_added', 'charged_now') OR sync IN ('local', 'confirmed', 'refused', 'console_only')),
        CHECK (action IN ('credits_added', 'charged_now') OR sync NOT IN ('refused', 'console_only'))
      );
      INSERT INTO history_log_next (seq, plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync, credit)
        SELECT seq, plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync, credit FROM history_log ORDER BY seq;
      DROP TABLE history_log;
      ALTER TABLE history_log_next RENAME TO history_log;

      CREATE UNIQUE INDEX history_live_version ON history_log(plan_ref, version) WHERE sync IN ('local', 'confirmed') AND credit IS NULL;
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
      -- Credits given are a record whatever their sync state: only where they stand may change.
      CREATE TRIGGER history_log_credit_record BEFORE UPDATE OF version, action, actor, at, plan, changes, change_id, credit ON history_log
        WHEN OLD.credit IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;
    `);
  },
};
