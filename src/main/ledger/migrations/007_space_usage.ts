import type { Migration } from './types';

/**
 * Version 7: usage per space for the Usage screen — by channel (UTC 15-minute slots, hours, days)
 * and by identity and by campaign (UTC hours, days, months), whatever plan the traffic counted against
 * (traffic no plan covers included). Identities and campaigns are numbered in `usage_labels`.
 * Rejected credits follow `usage_rejections` through triggers, so every path that decides or
 * re-decides an event (import, settle, re-attribution) keeps them right without knowing of them.
 * Filled from the raw events already in the ledger.
 */
export const migration007: Migration = {
  version: 7,
  name: 'space_usage',
  up(db) {
    db.exec(`
      CREATE TABLE usage_labels (
        ref INTEGER PRIMARY KEY,
        dim INTEGER NOT NULL CHECK (dim IN (1, 2)),
        name TEXT NOT NULL,
        UNIQUE (dim, name)
      );

      -- dim 0: per channel (key = channel index; level 0: 15-minute slot, 1: hour, 2: UTC day);
      -- dim 1: per identity, 2: per campaign (key = usage_labels.ref; events without one have no row;
      -- level 1: hour, 2: UTC day, 3: UTC month = (year - 1970) * 12 + month - 1). unit = floor(ms / size).
      -- used = mt_credits - rejected_credits; mo_count: MO messages (free).
      CREATE TABLE space_usage (
        space_ref INTEGER NOT NULL,
        dim INTEGER NOT NULL,
        level INTEGER NOT NULL,
        unit INTEGER NOT NULL,
        key INTEGER NOT NULL,
        mt_credits INTEGER NOT NULL DEFAULT 0,
        mo_count INTEGER NOT NULL DEFAULT 0,
        rejected_credits INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (space_ref, dim, level, unit, key)
      ) WITHOUT ROWID;

      INSERT OR IGNORE INTO usage_labels (dim, name) SELECT DISTINCT 1, identity FROM usage_events WHERE identity IS NOT NULL;
      INSERT OR IGNORE INTO usage_labels (dim, name) SELECT DISTINCT 2, campaign FROM usage_events WHERE campaign IS NOT NULL;

      WITH ev AS (
        SELECT e.space_ref, e.kind, e.credits, e.occurred_at, r.event_seq IS NOT NULL AS rejected,
               i.ref AS identity_ref, c.ref AS campaign_ref
        FROM usage_events e
        LEFT JOIN usage_rejections r ON r.event_seq = e.seq
        LEFT JOIN usage_labels i ON i.dim = 1 AND i.name = e.identity
        LEFT JOIN usage_labels c ON c.dim = 2 AND c.name = e.campaign
      ),
      keyed AS (
        SELECT space_ref, 0 AS dim, kind >> 1 AS key, kind, credits, occurred_at, rejected FROM ev
        UNION ALL SELECT space_ref, 1, identity_ref, kind, credits, occurred_at, rejected FROM ev WHERE identity_ref IS NOT NULL
        UNION ALL SELECT space_ref, 2, campaign_ref, kind, credits, occurred_at, rejected FROM ev WHERE campaign_ref IS NOT NULL
      ),
      units AS (
        SELECT k.space_ref, k.dim, l.level, ${UNIT('l.level', 'k.occurred_at')} AS unit, k.key, k.kind, k.credits, k.rejected
        FROM keyed k JOIN ${LEVELS} l ON l.dim = k.dim
      )
      INSERT INTO space_usage (space_ref, dim, level, unit, key, mt_credits, mo_count, rejected_credits)
        SELECT space_ref, dim, level, unit, key,
               sum(CASE WHEN kind & 1 = 0 THEN credits ELSE 0 END),
               sum(kind & 1),
               sum(CASE WHEN kind & 1 = 0 AND rejected THEN credits ELSE 0 END)
        FROM units
        GROUP BY space_ref, dim, level, unit, key;

      -- A rejection re-decided with another reason is written with INSERT OR REPLACE: the BEFORE
      -- trigger takes the old one out (REPLACE fires no DELETE trigger without recursive triggers).
      CREATE TRIGGER usage_rejections_replace_space_usage BEFORE INSERT ON usage_rejections
        WHEN EXISTS (SELECT 1 FROM usage_rejections WHERE event_seq = NEW.event_seq)
        BEGIN ${spaceUsageRejectionSql('NEW.event_seq', -1)} END;
      CREATE TRIGGER usage_rejections_add_space_usage AFTER INSERT ON usage_rejections
        BEGIN ${spaceUsageRejectionSql('NEW.event_seq', 1)} END;
      CREATE TRIGGER usage_rejections_remove_space_usage AFTER DELETE ON usage_rejections
        BEGIN ${spaceUsageRejectionSql('OLD.event_seq', -1)} END;
    `);
  },
};

/** The levels of each dimension. */
const LEVELS = '(SELECT 0 AS dim, 0 AS level UNION ALL SELECT 0, 1 UNION ALL SELECT 0, 2 UNION ALL SELECT 1, 1 UNION ALL SELECT 1, 2 UNION ALL SELECT 1, 3 UNION ALL SELECT 2, 1 UNION ALL SELECT 2, 2 UNION ALL SELECT 2, 3)';

/** SQL of the unit of instant `ms` at `level` (a column or a constant). */
function UNIT(level: string, ms: string): string {
  return `CASE ${level} WHEN 0 THEN ${ms} / 900000 WHEN 1 THEN ${ms} / 3600000 WHEN 2 THEN ${ms} / 86400000
    ELSE (CAST(strftime('%Y', ${ms} / 1000, 'unixepoch') AS INTEGER) - 1970) * 12 + CAST(strftime('%m', ${ms} / 1000, 'unixepoch') AS INTEGER) - 1 END`;
}

/**
 * Trigger statements adding `sign` × the credits of the MT event `seq` to its rejected credits
 * (per channel, identity and campaign, at each level). Written out here, not shared, so that this
 * migration stays what it was when released. No statement may meet a conflict: a trigger's own
 * conflict clauses (OR IGNORE, ON CONFLICT) give way to the outer statement's, and the engine
 * writes rejections with INSERT OR REPLACE — missing rows are inserted where they do not exist,
 * then updated, each UPDATE a seek on the primary key (a row-value IN would scan the table).
 */
function spaceUsageRejectionSql(seq: string, sign: 1 | -1): string {
  const keyOf = [
    `(SELECT kind >> 1 FROM usage_events WHERE seq = ${seq})`,
    `(SELECT x.ref FROM usage_events e JOIN usage_labels x ON x.dim = 1 AND x.name = e.identity WHERE e.seq = ${seq})`,
    `(SELECT x.ref FROM usage_events e JOIN usage_labels x ON x.dim = 2 AND x.name = e.campaign WHERE e.seq = ${seq})`,
  ];
  const levelsOf = [[0, 1, 2], [1, 2, 3], [1, 2, 3]];
  const label = (dim: 1 | 2, column: string): string => `
    INSERT INTO usage_labels (dim, name) SELECT ${dim}, e.${column} FROM usage_events e
      WHERE e.seq = ${seq} AND e.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM usage_labels x WHERE x.dim = ${dim} AND x.name = e.${column});`;
  const cell = (dim: number, level: number): string => {
    const spaceRef = `(SELECT space_ref FROM usage_events WHERE seq = ${seq} AND (kind & 1) = 0)`;
    const unit = `(SELECT ${UNIT(String(level), 'occurred_at')} FROM usage_events WHERE seq = ${seq})`;
    return `
    INSERT INTO space_usage (space_ref, dim, level, unit, key)
      SELECT ${spaceRef}, ${dim}, ${level}, ${unit}, ${keyOf[dim]}
      WHERE ${spaceRef} IS NOT NULL AND ${keyOf[dim]} IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM space_usage WHERE space_ref = ${spaceRef} AND dim = ${dim} AND level = ${level} AND unit = ${unit} AND key = ${keyOf[dim]});
    UPDATE space_usage SET rejected_credits = rejected_credits + ${sign} * (SELECT credits FROM usage_events WHERE seq = ${seq})
      WHERE space_ref = ${spaceRef} AND dim = ${dim} AND level = ${level} AND unit = ${unit} AND key = ${keyOf[dim]};`;
  };
  return `${label(1, 'identity')}${label(2, 'campaign')}${levelsOf.flatMap((levels, dim) => levels.map((level) => cell(dim, level))).join('')}`;
}
