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
  }, { smallGroups: 1, maxGroups: 1 });
  const first = coalescer.submit([event('a')]);
  await new Promise((resolve) => setImmediate(resolve));
  const later = [coalescer.submit([event('b'), event('c')]), coalescer.submit([event('d')])];
  release();
  expect((await first).map((d) => d.id)).toEqual(['a']);
  expect((await Promise.all(later)).map((ds) => ds.map((d) => d.id))).toEqual([['b', 'c'], ['d']]);
  expect(groups).toEqual([['a'], ['b', 'c', 'd']]);
});

/** Two requests, the second arriving while the first's group runs: what happens, in order. */
async function twoGroups(startNextAtOnce: boolean): Promise<string[]> {
  const log: string[] = [];
  let release!: () => void;
  const coalescer = new UsageCoalescer(async (events) => {
    log.push(`decide ${events.map((e) => e.id).join(',')}`);
    if (log.length === 1) await new Promise<void>((resolve) => (release = resolve));
    return accept(events);
  }, { smallGroups: 1, maxGroups: 1, startNextAtOnce });
  const first = coalescer.submit([event('a')]).then(() => log.push('answered a'));
  await new Promise((resolve) => setImmediate(resolve));
  const later = coalescer.submit([event('b')]).then(() => log.push('answered b'));
  release();
  await Promise.all([first, later]);
  return log;
}

it('sends the next group to the database before answering the requests of the group that ended', async () => {
  expect(await twoGroups(true)).toEqual(['decide a', 'decide b', 'answered a', 'answered b']);
});

it('waits one turn of the event loop before the next group when told to (a database that keeps the loop)', async () => {
  expect(await twoGroups(false)).toEqual(['decide a', 'answered a', 'decide b', 'answered b']);
});

it('decides a failed group again request by request: only the bad request fails', async () => {
  const groups: string[][] = [];
  let release!: () => void;
  const coalescer = new UsageCoalescer(async (events) => {
    groups.push(events.map((e) => e.id));
    if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
    if (events.some((e) => e.id === 'bad')) throw new Error('cannot store this one');
    return accept(events);
  }, { smallGroups: 1, maxGroups: 1 });
  const first = coalescer.submit([event('a')]);
  await new Promise((resolve) => setImmediate(resolve));
  const grouped = [coalescer.submit([event('b')]), coalescer.submit([event('bad')]), coalescer.submit([event('c')])];
  release();
  await first;
  const outcomes = await Promise.allSettled(grouped);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(groups).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  expect((await coalescer.submit([event('d')])).map((d) => d.id)).toEqual(['d']);
});

it('never puts more than the limit of events in one group (a larger request goes alone)', async () => {
  const sizes: number[] = [];
  const coalescer = new UsageCoalescer(async (events) => {
    sizes.push(events.length);
    return accept(events);
  }, { smallGroups: 1, maxGroups: 1, maxEvents: 3 });
  await Promise.all([
    coalescer.submit([event('a'), event('b')]),
    coalescer.submit([event('c'), event('d')]),
    coalescer.submit([event('e'), event('f'), event('g'), event('h')]),
  ]);
  expect(sizes).toEqual([2, 2, 4]);
});

it('runs more groups at once only when large batches wait, sharing the queue among them', async () => {
  const groups: string[][] = [];
  const releases: (() => void)[] = [];
  const coalescer = new UsageCoalescer(
    async (events) => {
      groups.push(events.map((e) => e.id));
      await new Promise<void>((resolve) => releases.push(resolve));
      return accept(events);
    },
    { smallGroups: 1, maxGroups: 3, bigGroupEvents: 4, maxEvents: 100 },
  );
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const a = coalescer.submit([event('a')]);
  await turn();
  // Small requests wait behind the one small group running.
  const small = [coalescer.submit([event('b')]), coalescer.submit([event('c')])];
  await turn();
  await turn();
  expect(groups).toEqual([['a']]);
  // A large batch arrives: the queue now holds enough for another group, and another.
  const large = [coalescer.submit(['d1', 'd2', 'd3', 'd4'].map(event)), coalescer.submit(['e1', 'e2', 'e3', 'e4'].map(event))];
  await turn();
  await turn();
  expect(groups).toEqual([['a'], ['b', 'c', 'd1', 'd2', 'd3', 'd4'], ['e1', 'e2', 'e3', 'e4']]);
  releases.forEach((release) => release());
  expect((await a).map((d) => d.id)).toEqual(['a']);
  expect((await Promise.all(small)).map((ds) => ds.map((d) => d.id))).toEqual([['b'], ['c']]);
  expect((await Promise.all(large)).map((ds) => ds.map((d) => d.id))).toEqual([
    ['d1', 'd2', 'd3', 'd4'],
    ['e1', 'e2', 'e3', 'e4'],
  ]);
});
