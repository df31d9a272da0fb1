import type { Migration } from './types';

/**
 * Version 5: indexes for the history filters as the Credits tab sends them. The screen always
 * names its space, and may add a plan, an action or a person (and a date range, which every
 * index serves through its trailing `at`). An index on the space alone made SQLite walk every
 * entry of the space to find, say, its deletions — all of them when there are none — so each
 * filter gets an index that starts with the space or the plan and ends with `at`, and a filtered
 * page seeks straight to its newest matching entry like an unfiltered one does.
 */
export const migration005: Migration = {
  version: 5,
  name: 'history_filter_indexes',
  up(db) {
    db.exec(`
      CREATE INDEX history_by_space_action ON history_log(space_id, action, at);
      CREATE INDEX history_by_space_actor ON history_log(space_id, actor, at);
      CREATE INDEX history_by_plan_action ON history_log(plan_id, action, at);
      CREATE INDEX history_by_plan_actor ON history_log(plan_id, actor, at);
    `);
  },
};
