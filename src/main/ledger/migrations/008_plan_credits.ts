import type { Migration } from './types';

/**
 * Version 8: add-on credits given to live plans (SPEC §9.2, §9.3) — top-ups and charge-nows —
 * each with who gave it, when, what and its price. A row is the plan's record of the grant
 * (it is never changed or deleted, like the credit history log); the engine applies the rows
 * in time order with the plan's versions and usage. `id` is the grant's idempotency key (one id
 * space for top-ups and charge-nows); `answer` is the engine's answer when it was given (for a
 * charge-now: the credits per bucket, the price and the billing week), kept as shown to the admin.
 */
export const migration008: Migration = {
  version: 8,
  name: 'plan_credits',
  up(db) {
    db.exec(`
      CREATE TABLE plan_credits (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        plan_ref INTEGER NOT NULL REFERENCES plans(ref),
        kind TEXT NOT NULL CHECK (kind IN ('top_up', 'charge_now')),
        bucket TEXT CHECK (bucket IN ('ALL', 'SMS', 'WhatsApp', 'Email', 'Push', 'RCS')),
        credits INTEGER CHECK (credits >= 1),
        expires TEXT CHECK (expires IN ('period_end', 'never')),
        price TEXT,
        answer TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        CHECK ((kind = 'top_up') = (bucket IS NOT NULL AND credits IS NOT NULL AND expires IS NOT NULL))
      );
      CREATE INDEX plan_credits_by_plan ON plan_credits(plan_ref, at);
      CREATE TRIGGER plan_credits_no_update BEFORE UPDATE ON plan_credits
        BEGIN SELECT RAISE(ABORT, 'plan credits are a record: never changed'); END;
      CREATE TRIGGER plan_credits_no_delete BEFORE DELETE ON plan_credits
        BEGIN SELECT RAISE(ABORT, 'plan credits are a record: never deleted'); END;
    `);
  },
};
