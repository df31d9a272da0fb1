import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiFailure, type UsageExplainInput } from '../../shared/api';
import type { PlanConfig } from '../../shared/domain';
import { centralUsageExplanationSchema, usageBatchResponseSchema } from '../../shared/sync';
import { describeOnBackends, freePort, type TestCentral } from '../../central/testing';
import { startCentralAndTwoConsoles, stopCentralAndTwoConsoles, type TestConsole } from './testing';

/**
 * The event explorer for events the central service decided: the messaging platform posts them
 * there (real HTTP on loopback), the console knows them only as 15-minute totals, and "Look up a
 * usage event" asks the central service, which answers with the engine's explanation. Events the
 * console imported itself are still explained by its own ledger; an id neither knows, one of
 * another space, a console without sync, and a central service that does not answer each get
 * their own clear not-found.
 */

const plan: PlanConfig = {
  limit: 'all_channels',
  credits: 50,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
};

const message = async (c: TestConsole, input: UsageExplainInput): Promise<string | null> => {
  try {
    await c.services.usageExplorer.explain(input);
    return null;
  } catch (error) {
    if (error instanceof ApiFailure && error.kind === 'not_found') return error.message;
    throw error;
  }
};

await describeOnBackends('explaining events the central service decided', (backend) => {
  let central: TestCentral;
  let a: TestConsole;
  let b: TestConsole;
  beforeAll(async () => {
    ({ central, a, b } = await startCentralAndTwoConsoles(backend));
  }, 60_000);
  afterAll(() => stopCentralAndTwoConsoles({ central, a, b }));

  it('asks the central service for an id the ledger does not hold, and shows its explanation as the central service decided it', async () => {
    for (const c of [a, b]) {
      const env = c.services.org.createEnvironment({ name: 'Production', id: 'ENV-X' }, 'alice');
      for (const id of ['SP-X', 'SP-Y']) {
        c.services.org.createSpace(
          { id, environmentId: env.id, name: `Space ${id}`, accountManager: { name: 'Ana', email: 'ana@example.com' }, channels: [{ channel: 'SMS', bidirectional: true }] },
          'alice',
        );
      }
    }
    const created = a.services.plans.create('SP-X', plan, 'alice');
    a.connect(central.central.url, central.admin.token!);
    await a.settle();

    const now = Date.now();
    // Seconds apart, so that they share the plan's period (also near a month's end).
    const at = (secondsAgo: number) => new Date(now - secondsAgo * 1_000).toISOString();
    const events = [
      { id: 'c-1', spaceId: 'SP-X', channel: 'SMS', credits: 30, occurredAt: at(30) },
      { id: 'c-2', spaceId: 'SP-X', channel: 'SMS', credits: 30, occurredAt: at(20) },
      { id: 'c-3', spaceId: 'SP-X', channel: 'SMS', credits: 20, occurredAt: at(10) },
    ];
    const answer = await central.admin.post('/v1/usage/batch', { events });
    expect(answer.status).toBe(200);
    expect(usageBatchResponseSchema.parse(answer.body).decisions.map((d) => [d.id, d.accepted])).toEqual([
      ['c-1', true],
      ['c-2', false],
      ['c-3', true],
    ]);
    // Console A imported an event of its own, which the central service never saw.
    await a.services.usage.importText('mine.csv', `id,spaceId,channel,direction,credits,occurredAt\nlocal-1,SP-X,SMS,MT,5,${at(5)}`, 'alice');
    await a.settle();

    const scope = { kind: 'space' as const, spaceId: 'SP-X' };
    for (const e of events) {
      const view = await a.services.usageExplorer.explain({ scope, eventId: e.id });
      const direct = centralUsageExplanationSchema.parse((await central.admin.get(`/v1/usage/events/${e.id}/explanation?environmentId=ENV-X`)).body);
      expect(view.decidedBy).toBe('central');
      expect(view.event).toMatchObject({ id: e.id, spaceId: 'SP-X', spaceName: 'Space SP-X', channel: 'SMS', direction: 'MT', credits: e.credits, decidedAt: direct.event.decidedAt });
      expect(Date.parse(view.event.occurredAt)).toBe(Date.parse(e.occurredAt));
      expect(view.plan).toEqual({ id: created.id, version: 1, timeZone: 'Europe/Madrid', deleted: false });
      expect(view.explain).toEqual(direct.explain);
    }
    // The whole environment is a scope too; what the central service said, by the engine's rules.
    const refused = await a.services.usageExplorer.explain({ scope: { kind: 'environment', environmentId: 'ENV-X' }, eventId: 'c-2' });
    expect(refused.explain).toMatchObject({ accepted: false, reason: 'exhausted', credits: 30, before: { remaining: 20 } });
    const paid = await a.services.usageExplorer.explain({ scope, eventId: 'c-3' });
    expect(paid.explain?.paidBy).toEqual([{ source: 'allocation', origin: paid.explain?.period?.index, credits: 20 }]);
    expect(paid.explain?.after).toMatchObject({ remaining: 0, used: 50 });

    // What this console imported, its own ledger explains.
    expect((await a.services.usageExplorer.explain({ scope, eventId: 'local-1' })).decidedBy).toBe('console');

    // Not found anywhere, or found at the central service in another space than the one asked about.
    expect(await message(a, { scope, eventId: 'nowhere' })).toBe('No usage event with id nowhere in this space, on this console or at the central service.');
    expect(await message(a, { scope: { kind: 'space', spaceId: 'SP-Y' }, eventId: 'c-1' })).toBe(
      'No usage event with id c-1 in this space, on this console or at the central service.',
    );
    // A console without sync has only its ledger to ask.
    expect(await message(b, { scope, eventId: 'c-1' })).toBe('No usage event with id c-1 in this space.');
    // A central service that does not answer: say so, with why.
    a.connect(`http://127.0.0.1:${await freePort()}`, central.admin.token!);
    expect(await message(a, { scope, eventId: 'c-1' })).toMatch(
      /^No usage event with id c-1 in this space on this console, and the central service could not be reached: The central service did not answer \(.+\)\.$/,
    );
  }, 60_000);
});
