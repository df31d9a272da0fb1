import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Channel, Direction, PlanConfig } from '../../shared/domain';
import { applyEdit, createPlanState, describeExplanation, explainUsage, parseInstant, type ExplanationText, type UsageInput } from '../../shared/engine';
import { explainStoredEvent } from '../usage';
import {
  centralErrorSchema,
  centralUsageExplanationSchema,
  historyRecordSchema,
  usageBatchResponseSchema,
} from '../../shared/sync';
import { z } from 'zod';
import { describeOnBackends, planCreate, planEdit, smsPlan, spaceSetup, startTestCentral, type CentralClient, type TestCentral, pushApplied as push } from '../testing';

async function decide(client: CentralClient, events: object[]) {
  const answer = await client.post('/v1/usage/batch', { events });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return usageBatchResponseSchema.parse(answer.body).decisions;
}

const explanationPath = (eventId: string, environmentId: string) =>
  `/v1/usage/events/${encodeURIComponent(eventId)}/explanation?environmentId=${encodeURIComponent(environmentId)}`;

interface SentEvent {
  id: string;
  spaceId: string;
  channel: Channel;
  direction?: Direction;
  credits?: number;
  occurredAt: string;
}
/** What the engine is given for a sent event (the central service's defaults: MT, 1 credit). */
const usageOf = (e: SentEvent): UsageInput => ({ id: e.id, channel: e.channel, direction: e.direction ?? 'MT', credits: e.credits ?? 1 });

const first: PlanConfig = smsPlan(100, { rollover: true });
const second: PlanConfig = smsPlan(120, { rollover: true });

// November fills the first period partly (20 credits roll over); an edit on 1 December raises the
// allocation; December spends the rolled-over credits first, refuses what does not fit, lets MO
// through, and leaves an uncovered channel to no plan. Instants rise, so each is decided when it occurred.
const november: SentEvent[] = [
  { id: 'ex-1', spaceId: 'space-ex', channel: 'SMS', credits: 30, occurredAt: '2026-11-10T10:00:00Z' },
  { id: 'ex-2', spaceId: 'space-ex', channel: 'SMS', credits: 50, occurredAt: '2026-11-20T10:00:00Z' },
];
const december: SentEvent[] = [
  { id: 'ex-3', spaceId: 'space-ex', channel: 'SMS', credits: 30, occurredAt: '2026-12-02T10:00:00Z' },
  { id: 'ex-4', spaceId: 'space-ex', channel: 'SMS', credits: 500, occurredAt: '2026-12-02T11:00:00Z' },
  { id: 'ex-5', spaceId: 'space-ex', channel: 'SMS', direction: 'MO', occurredAt: '2026-12-02T12:00:00Z' },
  { id: 'ex-6', spaceId: 'space-ex', channel: 'WhatsApp', credits: 7, occurredAt: '2026-12-02T13:00:00Z' },
  { id: 'ex-7', spaceId: 'space-ex', channel: 'SMS', credits: 100, occurredAt: '2026-12-03T10:00:00Z' },
];
// Sent after December's: dated before them, so decided at the plan's clock (ex-7's instant).
const late: SentEvent = { id: 'ex-8', spaceId: 'space-ex', channel: 'SMS', credits: 5, occurredAt: '2026-11-25T10:00:00Z' };
const LATE_DECIDED = '2026-12-03T10:00:00Z';

await describeOnBackends('central usage event explanation', (backend) => {
  let t: TestCentral;
  let support: CentralClient;
  beforeAll(async () => {
    t = await startTestCentral(backend);
    support = await t.client('support', ['env-ex']);
    const platform = await t.client('platform', null);
    await push(t.admin, [...spaceSetup('env-ex', 'space-ex'), ...spaceSetup('env-other', 'space-other'), planCreate('plan-ex', 'space-ex', first)]);
    await decide(platform, november);
    await push(t.admin, [planEdit('plan-ex', 1, second, 'alice', '2026-12-01T12:00:00Z')]);
    await decide(platform, december);
    await decide(platform, [late]);
    // The same id in another environment is another event.
    await decide(platform, [{ id: 'ex-3', spaceId: 'space-other', channel: 'SMS', credits: 1, occurredAt: '2026-12-02T10:00:00Z' }]);
  });
  afterAll(async () => t?.dispose());

  /** The same versions and events through the engine alone, each event at its decision instant. */
  async function engineAlone(): Promise<Map<string, ExplanationText>> {
    const plan = z.object({ history: z.array(historyRecordSchema) }).parse((await t.admin.get('/v1/plans/plan-ex')).body);
    const editMs = parseInstant(plan.history.find((h) => h.version === 2)!.effectiveAt)!;
    const state = createPlanState(first);
    const expected = new Map<string, ExplanationText>();
    for (const event of november) expected.set(event.id, describeExplanation(explainUsage(state, usageOf(event), parseInstant(event.occurredAt)!)));
    applyEdit(state, second, editMs);
    for (const event of december.filter((e) => e.channel === 'SMS')) {
      expected.set(event.id, describeExplanation(explainUsage(state, usageOf(event), parseInstant(event.occurredAt)!)));
    }
    expected.set(late.id, describeExplanation(explainUsage(state, usageOf(late), parseInstant(LATE_DECIDED)!)));
    return expected;
  }

  it('explains each decided event as the engine alone does for the same versions and events', async () => {
    const expected = await engineAlone();

    for (const [id, explain] of expected) {
      const answer = await support.get(explanationPath(id, 'env-ex'));
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const body = centralUsageExplanationSchema.parse(answer.body);
      expect(body.explain, id).toEqual(explain);
      expect(body.plan).toEqual({ id: 'plan-ex', version: id === 'ex-1' || id === 'ex-2' ? 1 : 2, timeZone: 'Europe/Madrid', deleted: false });
      expect(body.decision.accepted).toBe(explain.accepted);
      expect(Date.parse(body.event.decidedAt)).toBe(Date.parse(id === late.id ? LATE_DECIDED : [...november, ...december].find((e) => e.id === id)!.occurredAt));
      if (explain.accepted) expect(explain.paidBy.reduce((sum, t) => sum + t.credits, 0)).toBe(body.decision.consumed);
    }
    // The rolled-over November credits paid first in December, then the new allocation.
    expect(expected.get('ex-3')!.paidBy.map((t) => [t.source, t.credits])).toEqual([
      ['rollover', 20],
      ['allocation', 10],
    ]);
    expect(expected.get('ex-4')).toMatchObject({ accepted: false, reason: 'exhausted' });
  });

  it('replays from checkpoints its earlier replays kept, to the same explanations', async () => {
    const expected = await engineAlone();
    const options = { ordWindow: 1, checkpointEvery: 1 };
    // First pass: from the plan's first version, keeping a checkpoint after each ord; second: from them.
    for (const pass of [1, 2]) {
      for (const [id, explain] of expected) {
        const answer = await explainStoredEvent(t.database.db, 'env-ex', id, options);
        expect(answer?.explain, `${id}, pass ${pass}`).toEqual(explain);
        expect(answer?.plan?.version, `${id}, pass ${pass}`).toBe(id === 'ex-1' || id === 'ex-2' ? 1 : 2);
      }
    }
    const kept = await t.database.db.query<{ ord: number; version: number }>("SELECT ord, version FROM plan_checkpoints WHERE plan_id = 'plan-ex' ORDER BY ord");
    // One after each ord below the last event's that held an event (the late one has the highest ord).
    expect(kept.rows.length).toBeGreaterThanOrEqual(expected.size - 1);
    // And the route, which starts from them now, still answers what the engine alone gives.
    for (const [id, explain] of expected) {
      expect(centralUsageExplanationSchema.parse((await support.get(explanationPath(id, 'env-ex'))).body).explain, id).toEqual(explain);
    }
  });

  it('answers an event no plan covered with its decision and no explanation', async () => {
    const body = centralUsageExplanationSchema.parse((await support.get(explanationPath('ex-6', 'env-ex'))).body);
    expect(body).toMatchObject({ event: { id: 'ex-6', spaceId: 'space-ex', channel: 'WhatsApp', credits: 7 }, plan: null, explain: null });
    expect(body.decision).toMatchObject({ accepted: true, bucket: null });
  });

  it('answers an unknown id, or one of another environment, as not found (404)', async () => {
    const other = await t.client('support', ['env-other']);
    for (const answer of [
      await support.get(explanationPath('ex-404', 'env-ex')),
      await support.get(explanationPath('ex-3', 'env-other')),
      await other.get(explanationPath('ex-3', 'env-ex')),
    ]) {
      expect(answer.status).toBe(404);
      expect(centralErrorSchema.parse(answer.body).error.kind).toBe('not_found');
    }
    // The other environment's own ex-3 is its own event.
    const own = centralUsageExplanationSchema.parse((await other.get(explanationPath('ex-3', 'env-other'))).body);
    expect(own.event).toMatchObject({ spaceId: 'space-other', credits: 1 });
    // The platform posts usage; it does not read explanations. The environment is required.
    expect((await (await t.client('platform', null)).get(explanationPath('ex-3', 'env-ex'))).status).toBe(403);
    expect((await support.get('/v1/usage/events/ex-3/explanation')).status).toBe(400);
  });
});
