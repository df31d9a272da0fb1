import type { Migration } from './types';

/**
 * Version 2: usage. Raw events (idempotent by id), the rejections the engine decided,
 * pre-aggregated usage per plan, channel and 15-minute / hour / day UTC slot, each plan's
 * engine state with daily checkpoints, and the record of every import.
 */
export const migration002: Migration = {
  version: 2,
  name: 'usage',
  up(db) {
    db.exec(`
      CREATE TABLE imports (
        ref INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('csv', 'jsonl', 'api')),
        actor TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
        rows_read INTEGER NOT NULL DEFAULT 0,
        inserted INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        bad_rows INTEGER NOT NULL DEFAULT 0,
        bad_row_sample TEXT,
        error TEXT
      );

      -- One delivered message. seq orders events that share an instant (insertion order).
      -- plan_ref is the plan the event counts against (NULL: no plan covered it).
      CREATE TABLE usage_events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        space_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        direction TEXT NOT NULL,
        credits INTEGER NOT NULL,
        occurred_at INTEGER NOT NULL,
        plan_ref INTEGER,
        identity TEXT,
        campaign TEXT,
        import_ref INTEGER
      );
      CREATE INDEX usage_events_by_plan ON usage_events(plan_ref, occurred_at) WHERE plan_ref IS NOT NULL;
      CREATE INDEX usage_events_unattributed ON usage_events(space_id, occurred_at) WHERE plan_ref IS NULL;

      -- Events the engine rejected (the rest of a plan's MT events were charged).
      CREATE TABLE usage_rejections (
        event_seq INTEGER PRIMARY KEY REFERENCES usage_events(seq),
        plan_ref INTEGER NOT NULL,
        reason TEXT NOT NULL,
        decided_at INTEGER NOT NULL
      );
      CREATE INDEX usage_rejections_by_plan ON usage_rejections(plan_ref, event_seq);

      -- Aggregates per plan, slot and channel. used = mt_credits - rejected_credits.
      -- slot: floor(ms / 15 min); hour: floor(ms / 1 h); day: floor(ms / 1 UTC day).
      CREATE TABLE usage_slots (
        plan_ref INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        channel TEXT NOT NULL,
        mt_credits INTEGER NOT NULL DEFAULT 0,
        mo_count INTEGER NOT NULL DEFAULT 0,
        rejected_credits INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (plan_ref, slot, channel)
      ) WITHOUT ROWID;
      CREATE TABLE usage_hours (
        plan_ref INTEGER NOT NULL,
        hour INTEGER NOT NULL,
        channel TEXT NOT NULL,
        mt_credits INTEGER NOT NULL DEFAULT 0,
        mo_count INTEGER NOT NULL DEFAULT 0,
        rejected_credits INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (plan_ref, hour, channel)
      ) WITHOUT ROWID;
      CREATE TABLE usage_days (
        plan_ref INTEGER NOT NULL,
        day INTEGER NOT NULL,
        channel TEXT NOT NULL,
        mt_credits INTEGER NOT NULL DEFAULT 0,
        mo_count INTEGER NOT NULL DEFAULT 0,
        rejected_credits INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (plan_ref, day, channel)
      ) WITHOUT ROWID;
      -- All traffic of a space per UTC day, covered or not (rates for previews).
      CREATE TABLE space_usage_days (
        space_id TEXT NOT NULL,
        day INTEGER NOT NULL,
        channel TEXT NOT NULL,
        mt_credits INTEGER NOT NULL DEFAULT 0,
        mo_count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (space_id, day, channel)
      ) WITHOUT ROWID;

      -- The engine's PlanState after everything applied so far. dirty_from: events older than
      -- the state's clock arrived; the state and the rejections after that instant are replayed.
      CREATE TABLE plan_accounts (
        plan_ref INTEGER PRIMARY KEY REFERENCES plans(ref),
        state TEXT NOT NULL,
        dirty_from INTEGER
      );
      -- The state before any event or version at or after at_ms (a UTC day start).
      CREATE TABLE plan_checkpoints (
        plan_ref INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (plan_ref, at_ms)
      ) WITHOUT ROWID;
    `);
  },
};
