import type { Channel } from '../../../shared/domain';
import { tempLedger, testClock, type TempLedger, type TestClock } from '../../ledger/testing';
import { createServices, type Services } from '..';

/** A ledger in a temp folder with services over it, one environment and a space with channels. */
export interface World {
  t: TempLedger;
  clock: TestClock;
  services: Services;
  envId: string;
  spaceId: string;
  reopen(): Services;
  cleanup(): void;
}

export function makeWorld(
  start = '2026-03-10T12:00:00Z',
  channels: { channel: Channel; bidirectional: boolean }[] = [
    { channel: 'SMS', bidirectional: true },
    { channel: 'WhatsApp', bidirectional: true },
    { channel: 'Email', bidirectional: false },
  ],
): World {
  const t = tempLedger();
  const clock = testClock(start);
  const services = createServices({ ledger: t.ledger, clock });
  const env = services.org.createEnvironment({ name: 'Production', id: 'ENV-PROD' });
  const space = services.org.createSpace({
    id: 'SP-RETAIL',
    environmentId: env.id,
    name: 'Retail',
    accountManager: { name: 'Ana Ruiz', email: 'ana@example.com' },
    channels,
  });
  const world: World = {
    t,
    clock,
    services,
    envId: env.id,
    spaceId: space.id,
    reopen() {
      world.services = createServices({ ledger: t.reopen(), clock });
      return world.services;
    },
    cleanup() {
      t.cleanup();
    },
  };
  return world;
}

export function csv(rows: string[]): string {
  return ['id,spaceId,channel,direction,credits,occurredAt', ...rows].join('\n');
}
