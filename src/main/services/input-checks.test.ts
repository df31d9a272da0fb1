import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../shared/api';
import { briefIssues } from '../../shared/api/dispatcher';
import { ACTIVATION_DATE_RULE, CREDITS_RULE } from '../../shared/engine';
import { createHandlers } from './handlers';
import { makeWorld, type World } from './testing';

const admin = { actor: 'Ana Admin', role: 'admin' as const };
const config = (patch: Record<string, unknown> = {}) => ({
  limit: 'all_channels',
  credits: 100,
  renew: 'monthly',
  rollover: false,
  overage: false,
  activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' },
  ...patch,
});

describe('input checks through the contract, as the screens and the web host send them', () => {
  let world: World | null = null;
  afterEach(() => world?.cleanup());

  function console_() {
    world = makeWorld();
    const logged: string[] = [];
    const dispatcher = createDispatcher(createHandlers(world.services), { onInternalError: (error) => logged.push(String(error)) });
    return { world, logged, call: (name: Parameters<typeof dispatcher.dispatch>[0], input: unknown) => dispatcher.dispatch(name, input, admin) };
  }

  it('refuses an activation of 9999-12-31 by its rule, for the preview and the save, and logs nothing', async () => {
    const { world, logged, call } = console_();
    const far = config({ activation: { date: '9999-12-31', timeZone: 'Europe/Madrid' } });
    const preview = await call('plans.preview', { spaceId: world.spaceId, config: far });
    expect(preview).toMatchObject({ ok: true, value: { issues: [{ path: 'activation.date', message: ACTIVATION_DATE_RULE }] } });
    const create = await call('plans.create', { spaceId: world.spaceId, config: far });
    expect(create).toMatchObject({ ok: false, error: { kind: 'validation', issues: [{ path: 'config.activation.date', message: ACTIVATION_DATE_RULE }] } });
    expect(logged).toEqual([]);
  });

  it('names the 10^12 limit for 10^13 credits', async () => {
    const { world, call } = console_();
    const create = await call('plans.create', { spaceId: world.spaceId, config: config({ credits: 10 ** 13 }) });
    expect(create).toMatchObject({ ok: false, error: { issues: [{ path: 'config.credits', message: CREDITS_RULE }] } });
    expect(CREDITS_RULE).toBe('must be a positive integer from 1 to 1,000,000,000,000');
  });

  it('stores a zone typed in lower case as America/Mexico_City, and accepts a past activation', async () => {
    const { world, call } = console_();
    const create = await call('plans.create', { spaceId: world.spaceId, config: config({ activation: { date: '1900-01-01', timeZone: 'america/mexico_city' } }) });
    expect(create).toMatchObject({ ok: true, value: { config: { activation: { date: '1900-01-01', timeZone: 'America/Mexico_City' } } } });
  });

  it('a schema failure is logged as a few lines, not the whole list of issues', () => {
    const issues = Array.from({ length: 400 }, (_, i) => ({ path: ['boundaries', i, 'start'], message: 'must be an ISO-8601 instant' }));
    const line = briefIssues(issues);
    expect(line.split('; ')).toHaveLength(6);
    expect(line).toMatch(/^boundaries\.0\.start: must be an ISO-8601 instant; .*; and 395 more issues$/);
  });
});
