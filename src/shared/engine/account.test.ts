import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import type { Channel, PlanConfig, PlanPatch } from '../domain';
import {
  applyDelete,
  applyEdit,
  cloneState,
  createPlanState,
  recordUsage,
  snapshotAt,
  type BucketSnapshot,
  type PlanState,
  type UsageInput,
} from './account';
import { isoSecond } from './calendar';
import { createAccount, recordUsageOnce } from './idempotency';

const t = (iso: string): number => Temporal.Instant.from(iso).epochMilliseconds;
let nextId = 0;
const mt = (channel: Channel, credits: number, id = `e${(nextId += 1)}`): UsageInput => ({
  id,
  channel,
  credits,
  direction: 'MT',
});
const mo = (channel: Channel, credits: number): UsageInput => ({
  id: `e${(nextId += 1)}`,
  channel,
  credits,
  direction: 'MO',
});

function plan(overrides: Partial<PlanConfig> & Record<string, unknown> = {}): PlanConfig {
  return {
    limit: 'channel_specific',
    credits: { SMS: 500 },
    renew: 'monthly',
    rollover: true,
    overage: false,
    activation: { date: '2026-01-01', timeZone: 'UTC' },
    ...overrides,
  } as PlanConfig;
}

function bucket(state: PlanState, iso: string, name: string = 'SMS'): BucketSnapshot {
  const found = snapshotAt(state, t(iso)).buckets[name as Channel];
  if (!found) throw new Error(`no bucket ${name} at ${iso}`);
  return found;
}

/** allocated / used / remaining / carriedIn of a bucket at an instant. */
function balance(
  state: PlanState,
  iso: string,
  name: string = 'SMS',
): [number, number, number, number] {
  const b = bucket(state, iso, name);
  return [b.allocated, b.used, b.remaining, b.carriedIn];
}

describe('buckets and renewal', () => {
  it('has one bucket per channel, or one ALL pool shared by every channel', () => {
    const perChannel = createPlanState(plan({ credits: { SMS: 500, Email: 50 } }));
    expect(Object.keys(snapshotAt(perChannel, t('2026-01-02T00:00:00Z')).buckets)).toEqual([
      'SMS',
      'Email',
    ]);
    const pool = createPlanState(plan({ limit: 'all_channels', credits: 100 }));
    expect(recordUsage(pool, mt('SMS', 60), t('2026-01-02T00:00:00Z'))).toMatchObject({
      accepted: true,
      bucket: 'ALL',
      consumed: 60,
    });
    expect(recordUsage(pool, mt('RCS', 40), t('2026-01-02T00:00:00Z'))).toMatchObject({
      accepted: true,
      bucket: 'ALL',
      consumed: 40,
    });
    expect(recordUsage(pool, mt('Email', 1), t('2026-01-02T00:00:00Z'))).toEqual({
      accepted: false,
      reason: 'exhausted',
      bucket: 'ALL',
    });
    expect(Object.keys(snapshotAt(pool, t('2026-01-03T00:00:00Z')).buckets)).toEqual(['ALL']);
  });

  it('accepts an event that exactly fits and rejects the next whole, consuming nothing', () => {
    const state = createPlanState(plan({ credits: { SMS: 10 }, rollover: false }));
    expect(recordUsage(state, mt('SMS', 7), t('2026-01-05T00:00:00Z')).accepted).toBe(true);
    expect(recordUsage(state, mt('SMS', 4), t('2026-01-05T00:00:01Z'))).toEqual({
      accepted: false,
      reason: 'exhausted',
      bucket: 'SMS',
    });
    expect(recordUsage(state, mt('SMS', 3), t('2026-01-05T00:00:02Z'))).toMatchObject({
      accepted: true,
      consumed: 3,
    });
    expect(balance(state, '2026-01-06T00:00:00Z')).toEqual([10, 10, 0, 0]);
  });

  it('renews the allocation at each period start whatever was used (seed 000: without rollover February starts with 500)', () => {
    const state = createPlanState(plan({ rollover: false }));
    recordUsage(state, mt('SMS', 300), t('2026-01-10T09:00:00Z'));
    expect(balance(state, '2026-01-31T23:59:59Z')).toEqual([500, 300, 200, 0]);
    expect(balance(state, '2026-02-01T00:00:00Z')).toEqual([500, 0, 500, 0]);
  });

  it('seed 000 with rollover: 300 of 500 used in January, February starts with 700 (200 carried + 500 new)', () => {
    const state = createPlanState(
      plan({ activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } }),
    );
    recordUsage(state, mt('SMS', 300), t('2026-01-10T09:00:00Z'));
    expect(balance(state, '2026-02-01T12:00:00Z')).toEqual([700, 0, 700, 200]);
  });

  it('MO events are accepted, recorded and free, even on an exhausted bucket', () => {
    const state = createPlanState(plan({ credits: { SMS: 5 }, rollover: false }));
    recordUsage(state, mt('SMS', 5), t('2026-01-02T00:00:00Z'));
    expect(recordUsage(state, mo('SMS', 3), t('2026-01-02T00:00:01Z'))).toEqual({
      accepted: true,
      bucket: 'SMS',
      consumed: 0,
      overageTriggered: false,
    });
    expect(balance(state, '2026-01-03T00:00:00Z')).toEqual([5, 5, 0, 0]);
  });

  it('traffic on a channel the plan does not cover is not limited and consumes nothing', () => {
    const state = createPlanState(plan({ credits: { SMS: 5 } }));
    expect(recordUsage(state, mt('WhatsApp', 1000), t('2026-01-02T00:00:00Z'))).toEqual({
      accepted: true,
      bucket: null,
      consumed: 0,
      overageTriggered: false,
    });
    expect(snapshotAt(state, t('2026-01-03T00:00:00Z')).buckets).not.toHaveProperty('WhatsApp');
  });

  it('before activation there is no period: usage is accepted without consuming anything', () => {
    const state = createPlanState(
      plan({ activation: { date: '2026-03-01', timeZone: 'America/Mexico_City' } }),
    );
    expect(recordUsage(state, mt('SMS', 9999), t('2026-03-01T05:59:59Z'))).toEqual({
      accepted: true,
      bucket: null,
      consumed: 0,
      overageTriggered: false,
    });
    expect(snapshotAt(state, t('2026-03-01T05:59:59Z'))).toMatchObject({
      period: null,
      buckets: {},
      deleted: false,
    });
    expect(snapshotAt(state, t('2026-03-01T06:00:00Z')).period).toMatchObject({
      index: 0,
      startMs: t('2026-03-01T06:00:00Z'),
    });
    expect(balance(state, '2026-03-01T06:00:00Z')).toEqual([500, 0, 500, 0]);
  });

  it('without renewal the single period never ends and never renews', () => {
    const state = createPlanState(plan({ renew: null, rollover: false, credits: { SMS: 100 } }));
    recordUsage(state, mt('SMS', 60), t('2026-01-02T00:00:00Z'));
    expect(snapshotAt(state, t('2030-06-01T00:00:00Z')).period).toEqual({
      index: 0,
      startMs: t('2026-01-01T00:00:00Z'),
      endMs: null,
    });
    expect(balance(state, '2030-06-01T00:00:00Z')).toEqual([100, 60, 40, 0]);
    expect(recordUsage(state, mt('SMS', 41), t('2029-01-01T00:00:00Z')).accepted).toBe(false);
  });

  it('snapshots do not change the state, and can look far ahead', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 } }));
    recordUsage(state, mt('SMS', 30), t('2026-01-02T00:00:00Z'));
    const before = cloneState(state);
    const far = snapshotAt(state, t('2031-07-15T00:00:00Z'));
    expect(far.period?.index).toBe(66);
    expect(far.buckets.SMS).toMatchObject({ allocated: 400, carriedIn: 300, used: 0 });
    expect(state).toEqual(before);
  });

  it('refuses usage earlier than what it has already seen (the caller must keep time order)', () => {
    const state = createPlanState(plan());
    recordUsage(state, mt('SMS', 1), t('2026-01-10T00:00:00Z'));
    expect(recordUsage(state, mt('SMS', 1), t('2026-01-09T00:00:00Z'))).toEqual({
      accepted: false,
      reason: 'out_of_order',
      bucket: null,
    });
  });
});

describe('rollover vintages', () => {
  it('carries unused credits across at most three boundaries: credits of period k are spendable in k…k+3', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 } }));
    const carried = ['01', '02', '03', '04', '05', '06'].map(
      (m) => bucket(state, `2026-${m}-15T00:00:00Z`).carriedIn,
    );
    expect(carried).toEqual([0, 100, 200, 300, 300, 300]);
    expect(bucket(state, '2026-05-15T00:00:00Z').allocated).toBe(400);
  });

  it('spends the oldest vintage first, so the newer ones live longer', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 } }));
    // January and February unused; in March 100 are spent, from January's vintage.
    recordUsage(state, mt('SMS', 100), t('2026-03-10T00:00:00Z'));
    expect(balance(state, '2026-03-31T00:00:00Z')).toEqual([300, 100, 200, 200]);
    // April: February's and March's vintages (100 + 100).
    expect(bucket(state, '2026-04-15T00:00:00Z').carriedIn).toBe(200);
    // May: February (k=1, spendable up to k+3 = 4 = May), March, April.
    expect(bucket(state, '2026-05-15T00:00:00Z').carriedIn).toBe(300);
    // June: February's has expired; March, April, May remain.
    expect(bucket(state, '2026-06-15T00:00:00Z').carriedIn).toBe(300);
    // Had the newest been spent first, January's 100 would have expired in May leaving 200.
  });

  it('a vintage expires at the start of period k+4 with what is left of it', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 } }));
    recordUsage(state, mt('SMS', 70), t('2026-01-20T00:00:00Z')); // January leaves 30
    recordUsage(state, mt('SMS', 100), t('2026-02-20T00:00:00Z')); // 30 from January, 70 from February: February leaves 30
    expect(bucket(state, '2026-03-02T00:00:00Z').carriedIn).toBe(30);
    recordUsage(state, mt('SMS', 10), t('2026-03-20T00:00:00Z')); // from February's 30 → 20 left; March leaves 100
    expect(bucket(state, '2026-04-02T00:00:00Z').carriedIn).toBe(120); // Feb 20 + Mar 100
    expect(bucket(state, '2026-05-02T00:00:00Z').carriedIn).toBe(220); // Feb 20 (k=1 ≤ 4) + Mar + Apr
    expect(bucket(state, '2026-06-02T00:00:00Z').carriedIn).toBe(300); // Feb expired; Mar + Apr + May
  });

  it('never rolls overage credits over', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 }, overage: true }));
    recordUsage(state, mt('SMS', 90), t('2026-01-10T00:00:00Z'));
    recordUsage(state, mt('SMS', 20), t('2026-01-11T00:00:00Z')); // overage: +100, 10 of it used
    expect(balance(state, '2026-01-12T00:00:00Z')).toEqual([200, 110, 90, 0]);
    expect(bucket(state, '2026-02-02T00:00:00Z').carriedIn).toBe(0);
  });

  it('keeps vintages per channel', () => {
    const state = createPlanState(plan({ credits: { SMS: 100, Email: 10 } }));
    recordUsage(state, mt('SMS', 100), t('2026-01-10T00:00:00Z'));
    expect(bucket(state, '2026-02-02T00:00:00Z', 'SMS').carriedIn).toBe(0);
    expect(bucket(state, '2026-02-02T00:00:00Z', 'Email').carriedIn).toBe(10);
  });
});

describe('overage', () => {
  it('adds 100 % of the allocation in force once, at the event that did not fit, and accepts it', () => {
    const state = createPlanState(plan({ limit: 'all_channels', credits: 100, overage: true }));
    recordUsage(state, mt('SMS', 40), t('2026-01-10T00:00:00Z')); // January leaves 60 → carried into February
    recordUsage(state, mt('SMS', 150), t('2026-02-03T00:00:00Z')); // 60 carried + 90 of February's 100
    const decision = recordUsage(state, mt('Email', 30), t('2026-02-04T10:20:30Z'));
    expect(decision).toEqual({
      accepted: true,
      bucket: 'ALL',
      consumed: 30,
      overageTriggered: true,
    });
    const b = bucket(state, '2026-02-05T00:00:00Z', 'ALL');
    // 100 % of the allocation (100), not of the 160 allocated with rolled-over credits.
    expect(b).toMatchObject({
      allocated: 260,
      used: 180,
      remaining: 80,
      carriedIn: 60,
      overage: { added: 100, atMs: t('2026-02-04T10:20:30Z') },
    });
    // Once per period: what does not fit now is rejected.
    expect(recordUsage(state, mt('SMS', 81), t('2026-02-06T00:00:00Z'))).toEqual({
      accepted: false,
      reason: 'exhausted',
      bucket: 'ALL',
    });
    expect(recordUsage(state, mt('SMS', 80), t('2026-02-06T00:00:01Z')).accepted).toBe(true);
    // A new period starts without overage, and can trigger it again.
    expect(bucket(state, '2026-03-01T00:00:00Z', 'ALL').overage).toEqual({ added: 0, atMs: null });
    recordUsage(state, mt('SMS', 150), t('2026-03-02T00:00:00Z'));
    expect(bucket(state, '2026-03-03T00:00:00Z', 'ALL').overage).toEqual({
      added: 100,
      atMs: t('2026-03-02T00:00:00Z'),
    });
  });

  it('is added only when it makes the event fit; a rejected event leaves it available', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 }, overage: true, rollover: false }));
    recordUsage(state, mt('SMS', 90), t('2026-01-10T00:00:00Z'));
    const before = cloneState(state);
    expect(recordUsage(state, mt('SMS', 111), t('2026-01-11T00:00:00Z'))).toEqual({
      accepted: false,
      reason: 'exhausted',
      bucket: 'SMS',
    });
    expect(state.buckets).toEqual(before.buckets);
    expect(bucket(state, '2026-01-11T00:00:00Z').overage).toEqual({ added: 0, atMs: null });
    expect(recordUsage(state, mt('SMS', 110), t('2026-01-12T00:00:00Z'))).toMatchObject({
      accepted: true,
      overageTriggered: true,
    });
    expect(balance(state, '2026-01-12T00:00:00Z')).toEqual([200, 200, 0, 0]);
  });

  it('happens once for the whole plan without renewal', () => {
    const state = createPlanState(
      plan({ renew: null, rollover: false, overage: true, credits: { SMS: 10 } }),
    );
    recordUsage(state, mt('SMS', 15), t('2026-02-01T00:00:00Z'));
    expect(recordUsage(state, mt('SMS', 6), t('2027-09-01T00:00:00Z')).accepted).toBe(false);
    expect(bucket(state, '2028-01-01T00:00:00Z').overage).toEqual({
      added: 10,
      atMs: t('2026-02-01T00:00:00Z'),
    });
  });

  it('uses the allocation in force after an edit', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 }, overage: true, rollover: false }));
    recordUsage(state, mt('SMS', 100), t('2026-01-10T00:00:00Z'));
    applyEdit(state, { credits: { SMS: 150 } }, t('2026-01-11T00:00:00Z'));
    recordUsage(state, mt('SMS', 60), t('2026-01-12T00:00:00Z'));
    expect(bucket(state, '2026-01-13T00:00:00Z').overage.added).toBe(150);
  });

  it('is not triggered without the overage option', () => {
    const state = createPlanState(plan({ credits: { SMS: 10 }, overage: false }));
    recordUsage(state, mt('SMS', 10), t('2026-01-10T00:00:00Z'));
    expect(recordUsage(state, mt('SMS', 1), t('2026-01-11T00:00:00Z')).accepted).toBe(false);
    expect(bucket(state, '2026-01-12T00:00:00Z').overage).toEqual({ added: 0, atMs: null });
  });
});

describe('idempotent usage ids', () => {
  it('the same id twice has one effect and answers with the first decision', () => {
    const account = createAccount(createPlanState(plan({ credits: { SMS: 10 }, rollover: false })));
    const first = recordUsageOnce(account, mt('SMS', 6, 'msg-1'), t('2026-01-02T00:00:00Z'));
    const again = recordUsageOnce(account, mt('SMS', 6, 'msg-1'), t('2026-01-02T00:00:05Z'));
    expect(again).toBe(first);
    expect(balance(account.state, '2026-01-03T00:00:00Z')).toEqual([10, 6, 4, 0]);
    // Even with a different payload, later, or in another period.
    expect(recordUsageOnce(account, mt('Email', 1, 'msg-1'), t('2026-03-02T00:00:00Z'))).toBe(
      first,
    );
  });

  it('a rejected id stays rejected, and a pre-activation id stays free', () => {
    const account = createAccount(
      createPlanState(
        plan({
          credits: { SMS: 5 },
          rollover: false,
          activation: { date: '2026-02-01', timeZone: 'UTC' },
        }),
      ),
    );
    expect(
      recordUsageOnce(account, mt('SMS', 3, 'early'), t('2026-01-31T23:00:00Z')),
    ).toMatchObject({ accepted: true, consumed: 0 });
    expect(
      recordUsageOnce(account, mt('SMS', 3, 'early'), t('2026-02-02T00:00:00Z')),
    ).toMatchObject({ accepted: true, consumed: 0 });
    expect(recordUsageOnce(account, mt('SMS', 9, 'big'), t('2026-02-03T00:00:00Z')).accepted).toBe(
      false,
    );
    expect(recordUsageOnce(account, mt('SMS', 1, 'big'), t('2026-03-03T00:00:00Z')).accepted).toBe(
      false,
    );
    expect(balance(account.state, '2026-03-04T00:00:00Z')).toEqual([5, 0, 5, 0]);
  });

  it('an out-of-order event is not decided, so a retry in order is', () => {
    const account = createAccount(createPlanState(plan()));
    recordUsageOnce(account, mt('SMS', 1, 'a'), t('2026-01-10T00:00:00Z'));
    expect(recordUsageOnce(account, mt('SMS', 1, 'b'), t('2026-01-09T00:00:00Z')).accepted).toBe(
      false,
    );
    expect(recordUsageOnce(account, mt('SMS', 1, 'b'), t('2026-01-11T00:00:00Z')).accepted).toBe(
      true,
    );
  });
});

describe('edits: the new credits are the total allocation of the current period', () => {
  function consumedAll(): PlanState {
    const state = createPlanState(plan({ credits: { SMS: 100 }, rollover: false }));
    recordUsage(state, mt('SMS', 100), t('2026-01-10T00:00:00Z'));
    return state;
  }

  it('seed 000: 100 configured, 100 consumed; editing to 100 leaves 0, editing to 200 leaves 100', () => {
    const same = consumedAll();
    expect(applyEdit(same, { credits: { SMS: 100 } }, t('2026-01-11T00:00:00Z'))).toEqual({
      applied: true,
    });
    expect(balance(same, '2026-01-12T00:00:00Z')).toEqual([100, 100, 0, 0]);
    const more = consumedAll();
    applyEdit(more, { credits: { SMS: 200 } }, t('2026-01-11T00:00:00Z'));
    expect(balance(more, '2026-01-12T00:00:00Z')).toEqual([200, 100, 100, 0]);
    expect(recordUsage(more, mt('SMS', 100), t('2026-01-12T00:00:00Z')).accepted).toBe(true);
    expect(recordUsage(more, mt('SMS', 1), t('2026-01-12T00:00:01Z')).accepted).toBe(false);
  });

  it('an edit below what was consumed leaves 0 available, never negative; consumption is not undone', () => {
    const state = consumedAll();
    applyEdit(state, { credits: { SMS: 40 } }, t('2026-01-11T00:00:00Z'));
    expect(balance(state, '2026-01-12T00:00:00Z')).toEqual([40, 100, 0, 0]);
    expect(recordUsage(state, mt('SMS', 1), t('2026-01-12T00:00:00Z')).accepted).toBe(false);
    // Raising it again later in the period: still counted against the 100 consumed.
    applyEdit(state, { credits: { SMS: 120 } }, t('2026-01-13T00:00:00Z'));
    expect(balance(state, '2026-01-14T00:00:00Z')).toEqual([120, 100, 20, 0]);
  });

  it('the new credits apply to every later renewal, and the calendar is kept', () => {
    const state = consumedAll();
    const periodBefore = snapshotAt(state, t('2026-01-11T00:00:00Z')).period;
    applyEdit(state, { credits: { SMS: 250 } }, t('2026-01-11T00:00:00Z'));
    expect(snapshotAt(state, t('2026-01-11T00:00:00Z')).period).toEqual(periodBefore);
    expect(balance(state, '2026-02-10T00:00:00Z')).toEqual([250, 0, 250, 0]);
    expect(balance(state, '2026-07-10T00:00:00Z')).toEqual([250, 0, 250, 0]);
  });

  it('with rollover, the edit changes the allocation but not what was carried in', () => {
    const state = createPlanState(plan({ credits: { SMS: 500 } }));
    recordUsage(state, mt('SMS', 300), t('2026-01-10T00:00:00Z'));
    applyEdit(state, { credits: { SMS: 600 } }, t('2026-02-03T09:00:00Z'));
    expect(balance(state, '2026-02-04T00:00:00Z')).toEqual([800, 0, 800, 200]);
    // The unused 600 of February roll into March.
    expect(balance(state, '2026-03-02T00:00:00Z')).toEqual([1400, 0, 1400, 800]);
  });

  it('adding a channel opens its bucket; removing one ends its limit (the credits field is replaced whole)', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 }, rollover: false }));
    recordUsage(state, mt('SMS', 30), t('2026-01-10T00:00:00Z'));
    applyEdit(state, { credits: { SMS: 100, Email: 20 } }, t('2026-01-11T00:00:00Z'));
    expect(balance(state, '2026-01-12T00:00:00Z', 'Email')).toEqual([20, 0, 20, 0]);
    expect(balance(state, '2026-01-12T00:00:00Z', 'SMS')).toEqual([100, 30, 70, 0]);
    applyEdit(state, { credits: { Email: 20 } }, t('2026-01-13T00:00:00Z'));
    expect(snapshotAt(state, t('2026-01-14T00:00:00Z')).buckets).not.toHaveProperty('SMS');
    expect(recordUsage(state, mt('SMS', 1000), t('2026-01-14T00:00:00Z'))).toMatchObject({
      accepted: true,
      bucket: null,
      consumed: 0,
    });
  });

  it('an invalid edit is refused with a reason naming the field, and changes nothing', () => {
    const state = consumedAll();
    const before = cloneState(state);
    const result = applyEdit(state, { credits: { SMS: -10 } }, t('2026-01-11T00:00:00Z'));
    expect(result.applied).toBe(false);
    if (!result.applied)
      expect(result.reason).toMatch(/^edit\.credits\.SMS: must be a positive integer/);
    expect(state).toEqual(before);
    const rollover = applyEdit(state, { renew: null, rollover: true }, t('2026-01-11T00:00:00Z'));
    expect(rollover).toMatchObject({
      applied: false,
      reason: expect.stringMatching(/^edit\.rollover: /),
    });
    const zone = applyEdit(
      state,
      { activation: { date: '2026-01-01', timeZone: 'Mars/Olympus' } },
      t('2026-01-11T00:00:00Z'),
    );
    expect(zone).toMatchObject({
      applied: false,
      reason: expect.stringMatching(/^edit\.activation\.timeZone: /),
    });
    expect(state).toEqual(before);
  });

  it('before activation an edit simply replaces the terms, including the activation', () => {
    const state = createPlanState(plan({ activation: { date: '2026-03-01', timeZone: 'UTC' } }));
    applyEdit(
      state,
      { activation: { date: '2026-02-15', timeZone: 'Asia/Kathmandu' }, credits: { SMS: 42 } },
      t('2026-02-01T00:00:00Z'),
    );
    expect(snapshotAt(state, t('2026-02-14T18:14:59Z')).period).toBeNull();
    expect(snapshotAt(state, t('2026-02-14T18:15:00Z')).period?.startMs).toBe(
      t('2026-02-14T18:15:00Z'),
    );
    expect(balance(state, '2026-02-20T00:00:00Z')).toEqual([42, 0, 42, 0]);
  });
});

describe('edits that move the calendar', () => {
  it('issue 12: a plan without renewal whose activation moves ahead runs the cut period until the new date, then a fresh allocation', () => {
    const state = createPlanState(
      plan({ limit: 'all_channels', credits: 10, renew: null, rollover: false }),
    );
    expect(recordUsage(state, mt('SMS', 10), t('2026-01-02T00:00:00Z')).accepted).toBe(true);
    expect(
      applyEdit(state, { activation: { date: '2026-02-01', timeZone: 'UTC' } }, t('2026-01-10T00:00:00Z')),
    ).toEqual({ applied: true });
    expect(snapshotAt(state, t('2026-01-12T00:00:00Z')).period).toEqual({
      index: 1,
      startMs: t('2026-01-10T00:00:00Z'),
      endMs: t('2026-02-01T00:00:00Z'),
    });
    expect(recordUsage(state, mt('SMS', 5), t('2026-01-15T00:00:00Z')).accepted).toBe(true);
    expect(recordUsage(state, mt('SMS', 10), t('2026-02-05T00:00:00Z')).accepted).toBe(true);
    const snap = snapshotAt(state, t('2026-02-05T00:00:00Z'));
    expect(snap.period).toEqual({ index: 2, startMs: t('2026-02-01T00:00:00Z'), endMs: null });
    expect(snap.buckets.ALL).toMatchObject({ allocated: 10, used: 10, remaining: 0 });
    // From the new date on there is one period with no end: nothing renews a year later.
    expect(snapshotAt(state, t('2027-06-01T00:00:00Z')).period?.index).toBe(2);
    expect(recordUsage(state, mt('SMS', 1), t('2027-06-01T00:00:00Z')).accepted).toBe(false);
  });

  it('a plan without renewal whose activation moves to a date already past keeps one endless period from the edit', () => {
    const state = createPlanState(plan({ credits: { SMS: 10 }, renew: null, rollover: false }));
    recordUsage(state, mt('SMS', 10), t('2026-01-02T00:00:00Z'));
    applyEdit(state, { activation: { date: '2026-01-05', timeZone: 'UTC' } }, t('2026-01-10T00:00:00Z'));
    expect(snapshotAt(state, t('2027-01-01T00:00:00Z')).period).toEqual({
      index: 1,
      startMs: t('2026-01-10T00:00:00Z'),
      endMs: null,
    });
  });

  it('a new zone starts a new period at the edit, with unused credits carried as at a boundary', () => {
    const state = createPlanState(
      plan({ activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } }),
    );
    recordUsage(state, mt('SMS', 300), t('2026-01-10T09:00:00Z'));
    applyEdit(
      state,
      { activation: { date: '2026-01-01', timeZone: 'America/New_York' } },
      t('2026-01-20T12:00:00Z'),
    );
    const snap = snapshotAt(state, t('2026-01-21T00:00:00Z'));
    expect(snap.period).toEqual({
      index: 1,
      startMs: t('2026-01-20T12:00:00Z'),
      endMs: t('2026-02-01T05:00:00Z'),
    });
    expect(snap.buckets.SMS).toMatchObject({ allocated: 700, used: 0, carriedIn: 200 });
    // Later periods follow the new calendar; the January vintage (k=0) lives until period 3.
    expect(snapshotAt(state, t('2026-02-01T05:00:00Z')).period?.index).toBe(2);
    expect(bucket(state, '2026-02-02T00:00:00Z').carriedIn).toBe(700);
    expect(bucket(state, '2026-03-02T00:00:00Z').carriedIn).toBe(1200);
    expect(bucket(state, '2026-04-02T00:00:00Z').carriedIn).toBe(1500);
  });

  it('a new renewal period starts a new period at the edit; switching renewal off ends rollover', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 } }));
    recordUsage(state, mt('SMS', 30), t('2026-01-10T00:00:00Z'));
    applyEdit(state, { renew: 'weekly' }, t('2026-01-15T12:00:00Z')); // 2026-01-01 is a Thursday
    expect(snapshotAt(state, t('2026-01-16T00:00:00Z')).period).toEqual({
      index: 1,
      startMs: t('2026-01-15T12:00:00Z'),
      endMs: t('2026-01-22T00:00:00Z'),
    });
    expect(balance(state, '2026-01-16T00:00:00Z')).toEqual([170, 0, 170, 70]);
    applyEdit(state, { renew: null }, t('2026-01-25T00:00:00Z'));
    const after = snapshotAt(state, t('2027-01-01T00:00:00Z'));
    expect(after.period).toEqual({ index: 3, startMs: t('2026-01-25T00:00:00Z'), endMs: null });
    expect(after.buckets.SMS).toMatchObject({ allocated: 100, carriedIn: 0 });
  });

  it('a new activation date re-anchors the calendar (monthly on the 15th from the edit on)', () => {
    const state = createPlanState(plan({ credits: { SMS: 100 }, rollover: false }));
    recordUsage(state, mt('SMS', 80), t('2026-01-10T00:00:00Z'));
    applyEdit(
      state,
      { activation: { date: '2026-01-15', timeZone: 'UTC' } },
      t('2026-02-03T00:00:00Z'),
    );
    const snap = snapshotAt(state, t('2026-02-04T00:00:00Z'));
    expect(snap.period).toEqual({
      index: 2,
      startMs: t('2026-02-03T00:00:00Z'),
      endMs: t('2026-02-15T00:00:00Z'),
    });
    expect(snap.buckets.SMS).toMatchObject({ allocated: 100, used: 0, carriedIn: 0 });
  });

  it('an edit at the very instant a period starts does not open a second, empty period', () => {
    const state = createPlanState(
      plan({ activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } }),
    );
    recordUsage(state, mt('SMS', 300), t('2026-01-10T09:00:00Z'));
    // Madrid's February starts at 2026-01-31T23:00Z; the zone changes at that very instant.
    applyEdit(
      state,
      { activation: { date: '2026-01-01', timeZone: 'Europe/Lisbon' } },
      t('2026-01-31T23:00:00Z'),
    );
    const snap = snapshotAt(state, t('2026-01-31T23:30:00Z'));
    expect(snap.period).toEqual({
      index: 1,
      startMs: t('2026-01-31T23:00:00Z'),
      endMs: t('2026-02-01T00:00:00Z'),
    });
    expect(snap.buckets.SMS).toMatchObject({ allocated: 700, carriedIn: 200 });
    // Two edits at one instant do not mint credits either.
    applyEdit(
      state,
      { activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } },
      t('2026-01-31T23:00:00Z'),
    );
    expect(snapshotAt(state, t('2026-01-31T23:30:00Z')).buckets.SMS).toMatchObject({
      allocated: 700,
      carriedIn: 200,
    });
  });

  it('an edit at the activation instant keeps period 0', () => {
    const state = createPlanState(plan({ activation: { date: '2026-01-01', timeZone: 'UTC' } }));
    applyEdit(state, { renew: 'weekly' }, t('2026-01-01T00:00:00Z'));
    expect(snapshotAt(state, t('2026-01-02T00:00:00Z')).period).toEqual({
      index: 0,
      startMs: t('2026-01-01T00:00:00Z'),
      endMs: t('2026-01-08T00:00:00Z'),
    });
  });
});

describe('deletion', () => {
  it('ends the plan at once: later usage is not limited and snapshots say deleted', () => {
    const state = createPlanState(plan({ credits: { SMS: 10 }, rollover: false }));
    recordUsage(state, mt('SMS', 10), t('2026-01-02T00:00:00Z'));
    expect(applyDelete(state, t('2026-01-05T00:00:00Z'))).toEqual({ applied: true });
    expect(snapshotAt(state, t('2026-01-05T00:00:00Z'))).toEqual({
      atMs: t('2026-01-05T00:00:00Z'),
      deleted: true,
      period: null,
      buckets: {},
    });
    expect(recordUsage(state, mt('SMS', 5), t('2026-01-06T00:00:00Z'))).toMatchObject({
      accepted: true,
      bucket: null,
      consumed: 0,
    });
    expect(applyEdit(state, { credits: { SMS: 20 } }, t('2026-01-07T00:00:00Z'))).toEqual({
      applied: false,
      reason: 'the plan is deleted',
    });
    expect(applyDelete(state, t('2026-01-08T00:00:00Z'))).toEqual({
      applied: false,
      reason: 'the plan is already deleted',
    });
  });

  it('can delete a plan that never started', () => {
    const state = createPlanState(plan({ activation: { date: '2027-01-01', timeZone: 'UTC' } }));
    applyDelete(state, t('2026-06-01T00:00:00Z'));
    expect(snapshotAt(state, t('2027-02-01T00:00:00Z')).deleted).toBe(true);
  });
});

describe('state', () => {
  it('is plain data that survives JSON (no Infinity: a period without end has endMs null)', () => {
    const state = createPlanState(plan({ renew: null, rollover: false, credits: { SMS: 100 } }));
    recordUsage(state, mt('SMS', 60), t('2026-01-05T00:00:00Z'));
    const reloaded = JSON.parse(JSON.stringify(state)) as PlanState;
    expect(reloaded).toEqual(state);
    // Consumption survives the round trip (it used to be reset when endMs was Infinity).
    expect(recordUsage(reloaded, mt('SMS', 60), t('2026-01-06T00:00:00Z')).accepted).toBe(false);
    expect(JSON.parse(JSON.stringify(createPlanState(plan())))).toEqual(createPlanState(plan()));
  });

  it('reports instants to the second in UTC', () => {
    const state = createPlanState(plan({ overage: true, credits: { SMS: 1 } }));
    recordUsage(state, mt('SMS', 2), t('2026-01-05T10:11:12.345Z'));
    expect(isoSecond(bucket(state, '2026-01-06T00:00:00Z').overage.atMs ?? 0)).toBe(
      '2026-01-05T10:11:12Z',
    );
  });

  it('applies the SPEC §5 example edit to a plan', () => {
    const patch: PlanPatch = { credits: { SMS: 600 } };
    const state = createPlanState(
      plan({ activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } }),
    );
    recordUsage(state, mt('SMS', 300), t('2026-01-10T09:00:00Z'));
    expect(applyEdit(state, patch, t('2026-02-03T09:00:00Z'))).toEqual({ applied: true });
    expect(balance(state, '2026-02-03T09:00:00Z')).toEqual([800, 0, 800, 200]);
  });
});
