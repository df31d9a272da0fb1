import type { Migration } from './types';

/**
 * Version 3: drafts kept for later review (never synced), and indexes for the history log's
 * actor and action filters so that their keyset pages stay as cheap as unfiltered ones.
 */
export const migration003: Migration = {
  version: 3,
  name: 'drafts_and_history_filters',
  up(db) {
    db.exec(`
      CREATE TABLE drafts (
        id TEXT PRIMARY KEY,
        space_id TEXT NOT NULL REFERENCES spaces(id),
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        author TEXT NOT NULL,
        saved_at INTEGER NOT NULL
      );
      CREATE INDEX drafts_by_space ON drafts(space_id, saved_at);
      CREATE INDEX history_by_actor ON history_log(actor, at);
      CREATE INDEX history_by_action ON history_log(action, at);
    `);
  },
};
