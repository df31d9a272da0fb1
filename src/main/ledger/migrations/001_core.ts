import type { Migration } from './types';

/**
 * Version 1: the organisation (environments, spaces, channels), credit plans with every
 * version, the append-only credit history log, the outbox, sync state and notifications.
 */
export const migration001: Migration = {
  version: 1,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE environments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
        created_at INTEGER NOT NULL
      );

      CREATE TABLE spaces (
        id TEXT PRIMARY KEY,
        environment_id TEXT NOT NULL REFERENCES environments(id),
        name TEXT NOT NULL,
        am_name TEXT NOT NULL,
        am_email TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX spaces_by_environment ON spaces(environment_id, name);

      CREATE TABLE space_channels (
        space_id TEXT NOT NULL REFERENCES spaces(id),
        channel TEXT NOT NULL CHECK (channel IN ('SMS', 'WhatsApp', 'Email', 'Push', 'RCS')),
        bidirectional INTEGER NOT NULL CHECK (bidirectional IN (0, 1)),
        added_at INTEGER NOT NULL,
        PRIMARY KEY (space_id, channel)
      ) WITHOUT ROWID;

      -- The current row of each credit plan. ref is the compact key the usage tables use.
      CREATE TABLE plans (
        ref INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        space_id TEXT NOT NULL REFERENCES spaces(id),
        version INTEGER NOT NULL CHECK (version >= 1),
        config TEXT NOT NULL,
        deleted_at INTEGER,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE INDEX plans_by_space ON plans(space_id, ref);

      -- Every version of every plan: the configuration in force from 'at' on.
      CREATE TABLE plan_versions (
        plan_ref INTEGER NOT NULL REFERENCES plans(ref),
        version INTEGER NOT NULL CHECK (version >= 1),
        action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
        config TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (plan_ref, version)
      ) WITHOUT ROWID;

      -- The credit history log: one row per plan version, never changed once written.
      CREATE TABLE history_log (
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
        UNIQUE (plan_ref, version),
        FOREIGN KEY (plan_ref, version) REFERENCES plan_versions(plan_ref, version)
      );
      -- Keyset paging newest first on (at, seq): the rowid rides along in every index.
      CREATE INDEX history_by_time ON history_log(at);
      CREATE INDEX history_by_plan ON history_log(plan_id, at);
      CREATE INDEX history_by_space ON history_log(space_id, at);
      CREATE TRIGGER history_log_no_update BEFORE UPDATE ON history_log
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;
      CREATE TRIGGER history_log_no_delete BEFORE DELETE ON history_log
        BEGIN SELECT RAISE(ABORT, 'the credit history log is append-only'); END;

      -- Changes waiting for the central service, in the sync wire format (src/shared/sync).
      -- change_id is generated and stored before the first send, so a retried send is
      -- recognised; base_version is the plan version a plan change was made on (0: new plan).
      -- Changes of a demo environment are 'held': kept for the record, never sent.
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        change_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('plan.create', 'plan.edit', 'plan.delete', 'environment.upsert', 'space.upsert', 'channel.upsert')),
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
        CHECK ((kind LIKE 'plan.%') = (plan_ref IS NOT NULL AND version IS NOT NULL AND base_version IS NOT NULL)),
        UNIQUE (plan_ref, version),
        FOREIGN KEY (plan_ref, version) REFERENCES plan_versions(plan_ref, version)
      );
      CREATE INDEX outbox_by_status ON outbox(status, seq);

      CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        central_url TEXT,
        token TEXT,
        cursor TEXT,
        state TEXT NOT NULL DEFAULT 'offline' CHECK (state IN ('connected', 'offline', 'syncing')),
        last_sync_at INTEGER,
        last_error TEXT,
        pull_done INTEGER,
        pull_total INTEGER
      );
      INSERT INTO sync_state (id) VALUES (1);

      CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        plan_ref INTEGER NOT NULL REFERENCES plans(ref),
        plan_id TEXT NOT NULL,
        space_id TEXT NOT NULL,
        change_id TEXT REFERENCES outbox(change_id),
        kind TEXT NOT NULL CHECK (kind IN ('activated', 'updated', 'deleted')),
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        text_body TEXT NOT NULL,
        html_body TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        error TEXT
      );
      CREATE INDEX notifications_by_plan ON notifications(plan_id, created_at);
      CREATE INDEX notifications_by_space ON notifications(space_id, created_at);
      CREATE INDEX notifications_by_time ON notifications(created_at);
    `);
  },
};
