import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import type { Caller, Dispatcher } from '../../shared/api';
import { openConsole } from '../host';
import { insertEnvironment, insertSpace, insertSpaceChannel, openLedger } from '../ledger';
import { warmUp } from './warm-up';

const ADMIN: Caller = { actor: 'Ana Admin', role: 'admin' };

test('the warm-up reads the first space that has plans (an empty one leaves the calendars cold), and only reads', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warm-up-'));
  try {
    const first = await openConsole({ dataDir: dir, empty: true, sync: false });
    first.close();
    const ledger = openLedger(first.ledgerPath);
    insertEnvironment(ledger, { id: 'ENV-1', name: 'Production', demo: false, createdAt: 1 });
    for (const id of ['SP-EMPTY', 'SP-PLANS']) {
      insertSpace(ledger, { id, environmentId: 'ENV-1', name: id, accountManager: { name: 'Alex', email: 'alex@example.com' }, createdAt: 1 });
      insertSpaceChannel(ledger, id, { channel: 'SMS', bidirectional: true, addedAt: 1 });
    }
    ledger.close();
    const runtime = await openConsole({ dataDir: dir, empty: true, sync: false });
    try {
      const created = await runtime.dispatcher.dispatch(
        'plans.create',
        { spaceId: 'SP-PLANS', config: { limit: 'all_channels', credits: 500, renew: 'monthly', rollover: false, overage: false, activation: { date: '2026-01-01', timeZone: 'Europe/Madrid' } } },
        ADMIN,
      );
      expect(created.ok).toBe(true);
      const calls: { name: unknown; input: unknown; ok: boolean }[] = [];
      // The real dispatcher, with a record of what went through it.
      const recording: Dispatcher = {
        async dispatch(name, input, caller) {
          const result = await runtime.dispatcher.dispatch(name, input, caller);
          calls.push({ name, input, ok: result.ok });
          return result;
        },
      };
      const before = await runtime.dispatcher.dispatch('history.list', { filter: {}, cursor: null, limit: 50 }, ADMIN);
      await warmUp(recording, ADMIN);
      expect(calls.map((call) => call.name)).toEqual([
        'session.whoami',
        'sync.status',
        'environments.list',
        'spaces.list',
        'spaces.get',
        'plans.list',
        'history.list',
      ]);
      expect(calls.every((call) => call.ok)).toBe(true);
      expect(calls.find((call) => call.name === 'plans.list')?.input).toEqual({ spaceId: 'SP-PLANS', includeDeleted: true });
      expect(await runtime.dispatcher.dispatch('history.list', { filter: {}, cursor: null, limit: 50 }, ADMIN)).toEqual(before);
    } finally {
      runtime.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
