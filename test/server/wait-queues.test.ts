import { describe, expect, it } from 'vitest';
import type { MessageBus, Positions } from '../../src/bus/types.ts';
import { encodeCursor } from '../../src/bus/cursor.ts';
import { CursorMemo } from '../../src/transports/cursor-memo.ts';
import { WaitQueues } from '../../src/transports/wait-queues.ts';

describe('WaitQueues (one timer per wait value)', () => {
  it('expires what stayed, in arrival order, and never what left', async () => {
    const queues = new WaitQueues();
    const expired: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const item = (name: string) => ({ waitSlot: -1, expire: () => { expired.push(name); if (expired.length === 3) done(); } });
    const a = item('a'), b = item('b'), c = item('c'), d = item('d'), e = item('e');
    queues.add(30, a);
    queues.add(30, b);
    queues.add(10, c);
    queues.add(30, d);
    queues.add(30, e);
    queues.remove(30, b);
    queues.remove(30, e);
    await finished;
    expect(expired).toEqual(['c', 'a', 'd']);
  });

  it('keeps arrival order and forgets who left across many joins and leaves (its slots are reused)', async () => {
    const queues = new WaitQueues();
    const expired: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const items = Array.from({ length: 300 }, (_, n) => ({ waitSlot: -1, expire: () => { expired.push(n); if (expired.length === 120) done(); } }));
    for (const item of items.slice(0, 200)) queues.add(20, item);
    // Three of every four leave, then more join: the empty slots are dropped on the way.
    for (const [n, item] of items.slice(0, 200).entries()) if (n % 4 !== 0) queues.remove(20, item);
    for (const item of items.slice(200)) queues.add(20, item);
    for (const item of items.slice(200, 230)) queues.remove(20, item);
    const expected = [...items.keys()].filter((n) => (n < 200 ? n % 4 === 0 : n >= 230));
    expect([...queues.waiting()].map((item) => items.indexOf(item))).toEqual(expected);
    await finished;
    expect(expired).toEqual(expected);
    expect([...queues.waiting()]).toEqual([]);
  });

  it('leaves no timer behind once a queue empties (nothing keeps the process alive)', () => {
    const queues = new WaitQueues();
    const before = process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const item = { waitSlot: -1, expire: () => { throw new Error('must not expire'); } };
    queues.add(60_000, item);
    expect(process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length).toBe(before + 1);
    queues.remove(60_000, item);
    expect(process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length).toBe(before);
  });
});

describe('CursorMemo (one cursor per distinct positions)', () => {
  const busOf = (state: { epoch: string }) => ({
    get epoch() { return state.epoch; },
    encodeCursor: (positions: Positions) => encodeCursor(state.epoch, positions),
  }) as unknown as MessageBus;

  it('gives the cursor the bus would make, the same string while positions and epoch stay', () => {
    const state = { epoch: 'e1' };
    const memo = new CursorMemo(busOf(state));
    const first = memo.of({ 'room:a': 3 });
    expect(first).toBe('v1~e1~room:a=3');
    expect(memo.of({ 'room:a': 3 })).toBe(first);
    expect(memo.of({ 'room:a': 4 })).toBe('v1~e1~room:a=4');
    expect(memo.of({ 'room:a': 4, 'room:b': 1 })).toBe('v1~e1~room:a=4~room:b=1');
    expect(memo.of({ 'room:b': 1, 'room:a': 4 })).toBe('v1~e1~room:b=1~room:a=4');
    expect(memo.of({ 'room:b': 1 })).toBe('v1~e1~room:b=1');
    expect(memo.of({})).toBe('v1~e1');
    state.epoch = 'e2';
    expect(memo.of({})).toBe('v1~e2');
  });
});
