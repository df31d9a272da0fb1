import type { Migration } from './types';

/**
 * Version 11: the central service's usage per identity and per campaign of a space, by UTC
 * 15-minute slot (its `usageLabelSlot` pull items), for the Usage screen: for each slot the
 * central service has reported for a label, its counts replace the local ones
 * (sync/central-space-usage.ts). dim 1: identity, 2: campaign (as in `usage_labels`).
 */
export const migration011: Migration = {
  version: 11,
  name: 'central_usage_labels',
  up(db) {
    db.exec(`
      CREATE TABLE central_usage_label_slots (
        space_id TEXT NOT NULL,
        dim INTEGER NOT NULL CHECK (dim IN (1, 2)),
        slot_ms INTEGER NOT NULL,
        label TEXT NOT NULL,
        environment_id TEXT NOT NULL,
        mt_credits INTEGER NOT NULL,
        mt_events INTEGER NOT NULL,
        mo_events INTEGER NOT NULL,
        rejected_events INTEGER NOT NULL,
        rejected_credits INTEGER NOT NULL,
        PRIMARY KEY (space_id, dim, slot_ms, label)
      ) WITHOUT ROWID;
    `);
  },
};
