import type { Migration } from './types';

/**
 * Version 7: usage per space for the Usage screen — by channel, by identity and by campaign, at
 * three UTC sizes (15-minute slots, hours, days), whatever plan the traffic counted against
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

      -- dim 0: per channel (key = channel index); 1: per identity, 2: per campaign (key = usage_labels.ref;
      -- events without one have no row there). level 0: 15-minute slot, 1: hour, 2: UTC day; unit = floor(ms / size).
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

      WITH levels(level, size) AS (VALUES (0, 900000), (1, 3600000), (2, 86400000)),
      ev AS (
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
      )
      INSERT INTO space_usage (space_ref, dim, level, unit, key, mt_credits, mo_count, rejected_credits)
        SELECT k.space_ref, k.dim, l.level, k.occurred_at / l.size, k.key,
               sum(CASE WHEN k.kind & 1 = 0 THEN k.credits ELSE 0 END),
               sum(k.kind & 1),
               sum(CASE WHEN k.kind & 1 = 0 AND k.rejected THEN k.credits ELSE 0 END)
        FROM keyed k CROSS JOIN levels l
        GROUP BY k.space_ref, k.dim, l.level, k.occurred_at / l.size, k.key;

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

const SIZES = [900000, 3600000, 86400000] as const;
const LEVELS = '(SELECT 0 AS level, 900000 AS size UNION ALL SELECT 1, 3600000 UNION ALL SELECT 2, 86400000)';

/**
 * Trigger statements adding `sign` × the credits of the MT event `seq` to its rejected credits
 * (per channel, identity and campaign, at the three sizes). Written out here, not shared, so
 * that this migration stays what it was when released. No statement may meet a conflict: a
 * trigger's own conflict clauses (OR IGNORE, ON CONFLICT) give way to the outer statement's, and
 * the engine writes rejections with INSERT OR REPLACE — missing rows are inserted where they do
 * not exist, then updated.
 */
function spaceUsageRejectionSql(seq: string, sign: 1 | -1): string {
  const keys = `
    SELECT e.space_ref AS space_ref, 0 AS dim, l.level AS level, e.occurred_at / l.size AS unit, e.kind >> 1 AS key
    FROM usage_events e CROSS JOIN ${LEVELS} l WHERE e.seq = ${seq} AND (e.kind & 1) = 0
    UNION ALL
    SELECT e.space_ref, 1, l.level, e.occurred_at / l.size, x.ref
    FROM usage_events e JOIN usage_labels x ON x.dim = 1 AND x.name = e.identity CROSS JOIN ${LEVELS} l WHERE e.seq = ${seq} AND (e.kind & 1) = 0
    UNION ALL
    SELECT e.space_ref, 2, l.level, e.occurred_at / l.size, x.ref
    FROM usage_events e JOIN usage_labels x ON x.dim = 2 AND x.name = e.campaign CROSS JOIN ${LEVELS} l WHERE e.seq = ${seq} AND (e.kind & 1) = 0`;
  const label = (dim: 1 | 2, column: string): string => `
    INSERT INTO usage_labels (dim, name) SELECT ${dim}, e.${column} FROM usage_events e
      WHERE e.seq = ${seq} AND e.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM usage_labels x WHERE x.dim = ${dim} AND x.name = e.${column});`;
  return `${label(1, 'identity')}${label(2, 'campaign')}
    INSERT INTO space_usage (space_ref, dim, level, unit, key)
      SELECT k.space_ref, k.dim, k.level, k.unit, k.key FROM (${keys}) k
      WHERE NOT EXISTS (SELECT 1 FROM space_usage u WHERE u.space_ref = k.space_ref AND u.dim = k.dim AND u.level = k.level AND u.unit = k.unit AND u.key = k.key);
    ${updates(seq, sign)}`;
}

/** One UPDATE per dimension and size, each a seek on the primary key (a row-value IN would scan the table). */
function updates(seq: string, sign: 1 | -1): string {
  const keyOf = [
    `(SELECT kind >> 1 FROM usage_events WHERE seq = ${seq})`,
    `(SELECT x.ref FROM usage_events e JOIN usage_labels x ON x.dim = 1 AND x.name = e.identity WHERE e.seq = ${seq})`,
    `(SELECT x.ref FROM usage_events e JOIN usage_labels x ON x.dim = 2 AND x.name = e.campaign WHERE e.seq = ${seq})`,
  ];
  return keyOf
    .flatMap((key, dim) =>
      SIZES.map(
        (size, level) => `
    UPDATE space_usage SET rejected_credits = rejected_credits + ${sign} * (SELECT credits FROM usage_events WHERE seq = ${seq})
      WHERE space_ref = (SELECT space_ref FROM usage_events WHERE seq = ${seq} AND (kind & 1) = 0) AND dim = ${dim} AND level = ${level}
        AND unit = (SELECT occurred_at / ${size} FROM usage_events WHERE seq = ${seq}) AND key = ${key};`,
      ),
    )
    .join('');
}
