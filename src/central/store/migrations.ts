import type { Database } from './database';

/**
 * Numbered migrations, applied in order, each once, all in one transaction under an advisory
 * lock so that several instances starting together on one database do not race. A migration
 * is never edited once released: a change of schema is a new number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every table whose rows a pull hands out carries the writing transaction and a sequence number. */
const FEED_TABLES = [
  'environments',
  'spaces',
  'space_channels',
  'plans',
  'plan_versions',
  'plan_states',
  'usage_slots',
  'notifications',
] as const;

const feedTriggers = FEED_TABLES.map(
  (table) => `
CREATE TRIGGER ${table}_feed_stamp BEFORE INSERT OR UPDATE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION feed_stamp();
CREATE INDEX ${table}_feed ON ${table} (tx, seq);`,
).join('\n');

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'plans, history, usage, tokens, sync changes, e-mail outbox',
    sql: `
CREATE SEQUENCE feed_seq;

-- Stamps a row with its writing transaction and the next feed number: a pull reads rows in
-- (tx, seq) order, and only those of transactions older than every transaction still running.
CREATE FUNCTION feed_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.tx := pg_current_xact_id();
  NEW.seq := nextval('feed_seq');
  RETURN NEW;
END
$$;

CREATE TABLE environments (
  id text PRIMARY KEY,
  environment_id text NOT NULL,
  name text NOT NULL,
  updated_ms bigint NOT NULL,
  tx xid8 NOT NULL,
  seq bigint NOT NULL
);

CREATE TABLE spaces (
  id text PRIMARY KEY,
  environment_id text NOT NULL REFERENCES environments (id),
  name text NOT NULL,
  am_name text NOT NULL,
  am_email text NOT NULL,
  updated_ms bigint NOT NULL,
  tx xid8 NOT NULL,
  seq bigint NOT NULL
);

CREATE TABLE space_channels (
  space_id text NOT NULL REFERENCES spaces (id),
  channel text NOT NULL,
  environment_id text NOT NULL,
  bidirectional boolean NOT NULL,
  added_ms bigint NOT NULL,
  tx xid8 NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (space_id, channel)
);

CREATE TABLE plans (
  id text PRIMARY KEY,
  space_id text NOT NULL REFERENCES spaces (id),
  environment_id text NOT NULL,
  version integer NOT NULL,
  -- json, not jsonb: the channels keep the order the admin gave them (display order).
  config json NOT NULL,
  activates_ms bigint NOT NULL,
  created_ms bigint NOT NULL,
  created_by text NOT NULL,
  updated_ms bigint NOT NULL,
  updated_by text NOT NULL,
  deleted_ms bigint,
  tx xid8 NOT NULL,
  seq bigint NOT NULL
);
CREATE INDEX plans_live_by_space ON plans (space_id) WHERE deleted_ms IS NULL;

CREATE TABLE plan_versions (
  plan_id text NOT NULL REFERENCES plans (id),
  version integer NOT NULL,
  space_id text NOT NULL,
  environment_id text NOT NULL,
  action text NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
  actor text NOT NULL,
  at_ms bigint NOT NULL,
  effective_ms bigint NOT NULL,
  config json NOT NULL,
  changes json NOT NULL,
  change_id text NOT NULL,
  -- Position among everything applied to the plan's credits (usage and versions), for replays.
  ord integer NOT NULL,
  tx xid8 NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (plan_id, version)
);

-- The engine's state of a plan's buckets. Its row lock is what serializes every decision on
-- the plan, across connections and instances.
CREATE TABLE plan_states (
  plan_id text PRIMARY KEY REFERENCES plans (id),
  space_id text NOT NULL,
  environment_id text NOT NULL,
  state json NOT NULL,
  ops integer NOT NULL,
  tx xid8 NOT NULL,
  seq bigint NOT NULL
);

CREATE TABLE usage_events (
  id text PRIMARY KEY,
  space_id text NOT NULL,
  channel text NOT NULL,
  direction text NOT NULL,
  credits bigint NOT NULL,
  occurred_ms bigint NOT NULL,
  received_ms bigint NOT NULL,
  plan_id text,
  accepted boolean NOT NULL,
  reason text,
  bucket text,
  consumed bigint NOT NULL,
  overage_triggered boolean NOT NULL,
  decided_ms bigint NOT NULL,
  ord integer
);
CREATE INDEX usage_events_by_plan ON usage_events (plan_id, ord) WHERE plan_id IS NOT NULL;

CREATE TABLE usage_slots (
  space_id text NOT NULL,
  plan_key text NOT NULL,
  channel text NOT NULL,
  slot_ms bigint NOT NULL,
  environment_id text NOT NULL,
  mt_credits bigint NOT NULL,
  mt_events bigint NOT NULL,
  mo_events bigint NOT NULL,
  rejected_events bigint NOT NULL,
  rejected_credits bigint NOT NULL,
  tx xid8 NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (space_id, plan_key, channel, slot_ms)
);

CREATE TABLE sync_changes (
  id text PRIMARY KEY,
  payload_hash text NOT NULL,
  kind text NOT NULL,
  result json NOT NULL,
  token_id text NOT NULL,
  applied_ms bigint NOT NULL
);

CREATE TABLE tokens (
  id text PRIMARY KEY,
  hash text NOT NULL UNIQUE,
  name text NOT NULL,
  role text NOT NULL,
  -- NULL: every environment.
  environments text[],
  created_ms bigint NOT NULL,
  revoked_ms bigint
);

CREATE TABLE notifications (
  id text PRIMARY KEY,
  plan_id text NOT NULL REFERENCES plans (id),
  plan_version integer NOT NULL,
  space_id text NOT NULL,
  environment_id text NOT NULL,
  kind text NOT NULL,
  to_address text NOT NULL,
  to_name text NOT NULL,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL,
  next_attempt_ms bigint,
  last_error text,
  created_ms bigint NOT NULL,
  updated_ms bigint NOT NULL,
  sent_ms bigint,
  tx xid8 NOT NULL,
  seq bigint NOT NULL
);
CREATE INDEX notifications_due ON notifications (next_attempt_ms) WHERE status <> 'sent';
${feedTriggers}
`,
  },
  {
    version: 2,
    name: 'usage ids per environment, exact sums, token expiry, usage counters',
    sql: `
-- A usage id is unique within its environment (the space's; '' for spaces the service does not
-- know), so one platform token can neither read nor shadow another environment's decisions.
ALTER TABLE usage_events ADD COLUMN environment_id text NOT NULL DEFAULT '';
UPDATE usage_events e SET environment_id = s.environment_id FROM spaces s WHERE s.id = e.space_id;
ALTER TABLE usage_events DROP CONSTRAINT usage_events_pkey;
ALTER TABLE usage_events ADD PRIMARY KEY (environment_id, id);
-- Credits per event as the console allows them; sums a console reads stay exact JSON numbers.
ALTER TABLE usage_events ADD CONSTRAINT usage_events_credits CHECK (credits BETWEEN 1 AND 1000000000000);
ALTER TABLE usage_slots ADD CONSTRAINT usage_slots_exact
  CHECK (mt_credits <= 9007199254740991 AND rejected_credits <= 9007199254740991);

ALTER TABLE tokens ADD COLUMN expires_ms bigint;

-- The fast path's view of a plan's current period, one row per bucket, seeded from the engine's
-- state whenever the slow path (or an edit) writes it: what may still be spent without asking
-- the engine. generation = plan_states.ops when seeded; fast_events counts the events charged
-- here since, which all carry ord = generation (see usage/counters.ts).
CREATE TABLE usage_counters (
  plan_id text NOT NULL REFERENCES plans (id),
  bucket text NOT NULL,
  generation integer NOT NULL,
  period_end_ms bigint NOT NULL,
  spendable bigint NOT NULL,
  used bigint NOT NULL,
  clock_ms bigint NOT NULL,
  fast_events integer NOT NULL,
  environment_id text NOT NULL,
  -- In the feed: a pull hands out the plan's buckets again when the fast path charged them.
  tx xid8 NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (plan_id, bucket),
  CHECK (used <= spendable)
);
CREATE TRIGGER usage_counters_feed_stamp BEFORE INSERT OR UPDATE ON usage_counters
  FOR EACH ROW EXECUTE FUNCTION feed_stamp();
CREATE INDEX usage_counters_feed ON usage_counters (tx, seq);

-- Raised by the fast path's single statement when its guard refuses a group: the statement
-- (its own transaction) rolls back whole and the group goes the engine's way.
CREATE FUNCTION usage_fast_path_refused() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'usage fast path refused' USING ERRCODE = 'CP001';
END
$$;
`,
  },
  {
    version: 3,
    name: 'usage counters without a foreign key to plans',
    sql: `
-- Seeding a plan's counters (the engine path, under the plan's state lock) must not lock the plan
-- row: the foreign key's check took a KEY SHARE lock on it, while an edit holds that row (FOR
-- UPDATE) and waits for the state lock — a deadlock that made edits fail under steady usage.
-- Counters are a copy of plan_states (which keeps its key), and plans are never removed.
ALTER TABLE usage_counters DROP CONSTRAINT IF EXISTS usage_counters_plan_id_fkey;
`,
  },
  {
    version: 4,
    name: 'plan checkpoints for explaining usage events',
    sql: `
-- A plan's engine state after every operation up to ord (its versions and decided events), written
-- by the explanation of a usage event as it replays the plan (usage/explain.ts), so that the next
-- one starts from the nearest checkpoint rather than from the plan's first version. What lies at or
-- below an ord older than the plan's latest never changes, so a checkpoint stays true. Not synced,
-- not in the feed; no foreign key (plans are never removed, and the decision path never reads it).
CREATE TABLE plan_checkpoints (
  plan_id text NOT NULL,
  ord integer NOT NULL,
  version integer NOT NULL,
  state json NOT NULL,
  PRIMARY KEY (plan_id, ord)
);
`,
  },
  {
    version: 5,
    name: 'add-on credits: top-ups and charge-nows',
    sql: `
-- Add-on credits the engine gave a plan (SPEC §9.2–9.3), pushed by a console as plan.top_up or
-- plan.charge_now: one row each, never changed. request is the engine's input (a top-up's bucket,
-- credits, expires, price; a charge-now's confirmed week), answer what it added (credits per
-- bucket, price, billing week). ord is the position among the plan's operations (versions, usage
-- events), as plan_versions.ord, so replays apply it in its place. In the feed: other consoles
-- pull it. Refused credits are not here (sync_changes keeps their answer).
CREATE TABLE plan_credits (
  id text PRIMARY KEY,
  plan_id text NOT NULL REFERENCES plans (id),
  space_id text NOT NULL,
  environment_id text NOT NULL,
  plan_version integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('top_up', 'charge_now')),
  request json NOT NULL,
  answer json NOT NULL,
  actor text NOT NULL,
  at_ms bigint NOT NULL,
  effective_ms bigint NOT NULL,
  ord integer NOT NULL,
  tx xid8 NOT NULL,
  seq bigint NOT NULL
);
CREATE INDEX plan_credits_by_plan ON plan_credits (plan_id, ord);
CREATE TRIGGER plan_credits_feed_stamp BEFORE INSERT OR UPDATE ON plan_credits
  FOR EACH ROW EXECUTE FUNCTION feed_stamp();
CREATE INDEX plan_credits_feed ON plan_credits (tx, seq);

-- "Credits Added" e-mails name the credits they tell of.
ALTER TABLE notifications ADD COLUMN credit_id text;
`,
  },
  {
    version: 6,
    name: 'usage credits as sent, identities and campaigns, usage per label',
    sql: `
-- Whether the event stated its credits (SPEC §9.1: without them it costs its channel's rate, and
-- credits holds what was charged). A repeated id compares what was sent. NULL: stored before this
-- migration, when omitted credits were read as 1.
ALTER TABLE usage_events ADD COLUMN credits_stated boolean;
-- Who and which campaign (SPEC §1), for the console's Usage screen.
ALTER TABLE usage_events ADD COLUMN identity text;
ALTER TABLE usage_events ADD COLUMN campaign text;

-- Usage per space, identity or campaign (dim) and 15-minute slot, whatever plan it counted
-- against: written per group as usage_slots are, pulled to consoles (any zone's local days are
-- whole slots). mt_*: accepted MT; rejected_*: refused events.
CREATE TABLE usage_label_slots (
  space_id text NOT NULL,
  dim text NOT NULL CHECK (dim IN ('identity', 'campaign')),
  label text NOT NULL,
  slot_ms bigint NOT NULL,
  environment_id text NOT NULL,
  mt_credits bigint NOT NULL,
  mt_events bigint NOT NULL,
  mo_events bigint NOT NULL,
  rejected_events bigint NOT NULL,
  rejected_credits bigint NOT NULL,
  tx xid8 NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (space_id, dim, label, slot_ms),
  CHECK (mt_credits <= 9007199254740991 AND rejected_credits <= 9007199254740991)
);
CREATE TRIGGER usage_label_slots_feed_stamp BEFORE INSERT OR UPDATE ON usage_label_slots
  FOR EACH ROW EXECUTE FUNCTION feed_stamp();
CREATE INDEX usage_label_slots_feed ON usage_label_slots (tx, seq);
`,
  },
];

/** Any fixed number: the advisory lock that lets one instance at a time migrate. */
const MIGRATION_LOCK = 5_260_417;

export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_ms bigint NOT NULL)',
    );
    const done = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(done.rows.map((row) => Number(row.version)));
    const ran: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      ran.push(migration.version);
    }
    return ran;
  });
}
