import { expect, it } from 'vitest';
import type { UsageDecisionRecord } from '../../shared/sync';
import type { UsageEventInput } from './authorize';
import { UsageCoalescer } from './coalescer';

const event = (id: string): UsageEventInput => ({ id, spaceId: 's', channel: 'SMS', direction: 'MT', credits: 1, occurredMs: 0 });
const accept = (events: UsageEventInput[]): UsageDecisionRecord[] =>
  events.map((e) => ({ id: e.id, accepted: true, planId: null, bucket: null, consumed: 0, overageTriggered: false, duplicate: false }));

it('groups the requests that arrive while a transaction runs, and answers each with its own decisions', async () => {
  const groups: string[][] = [];
  let release!: () => void;
  const coalescer = new UsageCoalescer(async (events) => {
    groups.push(events.map((e) => e.id));
    if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
    return accept(events);
  }, 1);
  const first = coalescer.submit([event('a')]);
  await new Promise((resolve) => setImmediate(resolve));
  const later = [coalescer.submit([event('b'), event('c')]), coalescer.submit([event('d')])];
  release();
  expect((await first).map((d) => d.id)).toEqual(['a']);
  expect((await Promise.all(later)).map((ds) => ds.map((d) => d.id))).toEqual([['b', 'c'], ['d']]);
  expect(groups).toEqual([['a'], ['b', 'c', 'd']]);
});

it('fails every request of a group whose transaction failed, and goes on with the next', async () => {
  let calls = 0;
  const coalescer = new UsageCoalescer(async (events) => {
    calls += 1;
    if (calls === 1) throw new Error('database went away');
    return accept(events);
  }, 1);
  const failing = [coalescer.submit([event('a')]), coalescer.submit([event('b')])];
  await expect(Promise.all(failing)).rejects.toThrow('database went away');
  expect((await coalescer.submit([event('c')])).map((d) => d.id)).toEqual(['c']);
});

it('never puts more than the limit of events in one group (a larger request goes alone)', async () => {
  const sizes: number[] = [];
  const coalescer = new UsageCoalescer(async (events) => {
    sizes.push(events.length);
    return accept(events);
  }, 1, 3);
  await Promise.all([
    coalescer.submit([event('a'), event('b')]),
    coalescer.submit([event('c'), event('d')]),
    coalescer.submit([event('e'), event('f'), event('g'), event('h')]),
  ]);
  expect(sizes).toEqual([2, 2, 4]);
});
