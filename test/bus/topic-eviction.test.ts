import { describe, expect, it } from 'vitest';
import { Bus, MemoryAdapter } from '../../src/bus/index.ts';
import { RING_SLOT_BYTES, TOPIC_OVERHEAD_BYTES, TopicLog, messageSize } from '../../src/bus/topic-log.ts';
import type { Message } from '../../src/protocol/index.ts';

/** Issue 8, finding 5: topics are counted at their real cost, evicted when idle, capped; seqs never reused. */

function busOf(options: ConstructorParameters<typeof MemoryAdapter>[0]): { bus: Bus; adapter: MemoryAdapter } {
  const adapter = new MemoryAdapter(options);
  return { bus: new Bus(adapter), adapter };
}

async function publishTo(bus: Bus, topic: string, count = 1): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) seqs.push((await bus.publish({ topic, from: 'alice', body: `b${i}` })).message.seq);
  return seqs;
}

function message(seq: number): Message {
  return { topic: 'room:a', seq, id: `id-${seq}`, from: 'alice', body: 'x', ts: 0 };
}

describe('topic log: a ring that grows as messages come', () => {
  it('costs its overhead and a few slots with one message held, not historyPerTopic slots', () => {
    const log = new TopicLog(1000, 'room:a');
    log.append(message(1), messageSize(message(1)));
    expect(log.cost).toBeLessThan(TOPIC_OVERHEAD_BYTES + 2 * 'room:a'.length + 8 * RING_SLOT_BYTES + 400);
    for (let seq = 2; seq <= 1500; seq++) log.append(message(seq), messageSize(message(seq)));
    expect(log.size).toBe(1000);
    expect(log.after(0, 3).map((m) => m.seq)).toEqual([501, 502, 503]);
    expect(log.get(1500)?.seq).toBe(1500);
    const full = log.cost;
    while (log.size > 2) log.dropOldest();
    expect(log.cost).toBeLessThan(full / 10);
    expect(log.after(0, 10).map((m) => m.seq)).toEqual([1499, 1500]);
  });
});

describe('memory adapter: what topics cost and how many it holds', () => {
  it('keeps 100,000 one-message rooms under the byte cap by evicting whole topics, not only bodies', async () => {
    const { bus, adapter } = busOf({ historyMaxBytes: 1024 * 1024, maxTopics: 1_000_000 });
    for (let i = 0; i < 100_000; i++) await publishTo(bus, `room:r${i}`);
    const held = adapter.holdings();
    expect(held.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(bus.stats().historyBytes).toBeLessThanOrEqual(1024 * 1024);
    // Each room costs its overhead: at most 1 MiB / TOPIC_OVERHEAD_BYTES of them fit.
    expect(held.topics).toBeLessThanOrEqual((1024 * 1024) / TOPIC_OVERHEAD_BYTES);
    expect(held.topics).toBeGreaterThan(100);
    expect(held.evictions).toBeGreaterThan(90_000);
    // The newest rooms are the ones still held.
    expect((await bus.catchUp({ 'room:r99999': 0 }, 10)).messages.map((m) => m.body)).toEqual(['b0']);
  });

  it('holds at most maxTopics, evicting the least recently used idle topic', async () => {
    const { bus, adapter } = busOf({ maxTopics: 10 });
    for (let i = 0; i < 10; i++) await publishTo(bus, `room:r${i}`);
    await publishTo(bus, 'room:r0'); // r0 is now the most recently used
    for (let i = 10; i < 15; i++) await publishTo(bus, `room:r${i}`);
    expect(adapter.holdings().topics).toBe(10);
    expect(bus.stats().topics).toBe(10);
    expect((await bus.catchUp({ 'room:r0': 0 }, 10)).messages).toHaveLength(2);
    for (const evicted of ['room:r1', 'room:r5']) {
      expect((await bus.catchUp({ [evicted]: 0 }, 10)).messages).toHaveLength(0);
    }
  });

  it('never evicts a topic with a subscriber; a new topic past the cap when all are subscribed is 503 unavailable', async () => {
    const { bus, adapter } = busOf({ maxTopics: 3 });
    const stops = ['room:a', 'room:b', 'room:c'].map((topic) => bus.subscribe([topic], () => {}));
    for (const topic of ['room:a', 'room:b', 'room:c']) await publishTo(bus, topic);
    await expect(publishTo(bus, 'room:d')).rejects.toMatchObject({ code: 'unavailable' });
    expect(adapter.holdings().topics).toBe(3);
    stops[1]!();
    await publishTo(bus, 'room:d');
    expect((await bus.catchUp({ 'room:a': 0 }, 10)).messages).toHaveLength(1);
    expect((await bus.catchUp({ 'room:b': 0 }, 10)).messages).toHaveLength(0);
    expect((await bus.catchUp({ 'room:d': 0 }, 10)).messages).toHaveLength(1);
  });

  it('lets an idle topic go once the byte cap has trimmed it empty, and one that never held a message at once', async () => {
    const { bus, adapter } = busOf({ historyMaxBytes: 64 * 1024 });
    const stops = Array.from({ length: 1000 }, (_, i) => bus.subscribe([`room:s${i}`], () => {}));
    for (const stop of stops) stop();
    expect(adapter.holdings().topics).toBe(0);
    await publishTo(bus, 'room:old', 3);
    for (let i = 0; i < 2000; i++) await publishTo(bus, 'room:busy');
    expect(adapter.holdings().topics).toBe(1);
    expect(bus.stats().historyBytes).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('memory adapter: eviction never reuses a seq', () => {
  it('continues an evicted topic after its last seq, and a cursor from before gets an explicit gap', async () => {
    const { bus, adapter } = busOf({ maxTopics: 2 });
    expect(await publishTo(bus, 'room:x', 5)).toEqual([1, 2, 3, 4, 5]);
    const cursor = bus.encodeCursor({ 'room:x': 3 });
    await publishTo(bus, 'room:y');
    await publishTo(bus, 'room:z'); // evicts room:x, the least recently used
    expect(adapter.holdings().evictions).toBe(1);
    expect(await bus.start(['room:x'], undefined, 0)).toMatchObject({ positions: { 'room:x': 5 } });
    expect(await publishTo(bus, 'room:x', 2)).toEqual([6, 7]);
    const start = await bus.start(['room:x'], cursor, 0);
    expect(start.gaps).toEqual([]);
    const caught = await bus.catchUp(start.positions, 10);
    expect(caught.gaps).toEqual([{ topic: 'room:x', from: 4, to: 5, reason: 'trimmed' }]);
    expect(caught.messages.map((m) => m.seq)).toEqual([6, 7]);
  });

  it('folds the oldest tombstones into a seq floor: past it, a resumed topic still gets a gap, never an old seq again', async () => {
    const { bus, adapter } = busOf({ maxTopics: 1 });
    for (let i = 0; i < 20; i++) await publishTo(bus, `room:t${i}`, 3);
    const held = adapter.holdings();
    expect(held.tombstones).toBeLessThanOrEqual(4);
    // Topics made after a fold start at the floor, so it climbs as generations pass.
    const floor = held.seqFloor;
    expect(floor).toBeGreaterThanOrEqual(3);
    // room:t0's tombstone is gone; its seqs go on above the floor.
    const caught = await bus.catchUp({ 'room:t0': 2 }, 10);
    expect(caught.gaps).toEqual([{ topic: 'room:t0', from: 3, to: floor, reason: 'trimmed' }]);
    const [seq] = await publishTo(bus, 'room:t0');
    expect(seq).toBeGreaterThan(floor);
  });

  it('replays a backlog of what is held without a gap for a client that had no position', async () => {
    const { bus } = busOf({ maxTopics: 1 });
    await publishTo(bus, 'room:x', 5);
    await publishTo(bus, 'room:y');
    await publishTo(bus, 'room:x', 2);
    const start = await bus.start(['room:x'], undefined, 10);
    const caught = await bus.catchUp(start.positions, 10);
    expect(caught.gaps).toEqual([]);
    expect(caught.messages.map((m) => m.seq)).toEqual([6, 7]);
    expect(bus.startSync!(['room:x'], undefined, 10)).toEqual(start);
  });

  it('forgets a topic\'s history and keeps its seqs going', async () => {
    const { bus, adapter } = busOf({});
    await publishTo(bus, 'user:alice', 3);
    await bus.forget('user:alice');
    expect(adapter.holdings().topics).toBe(0);
    const caught = await bus.catchUp({ 'user:alice': 0 }, 10);
    expect(caught.messages).toEqual([]);
    expect(caught.gaps).toEqual([{ topic: 'user:alice', from: 1, to: 3, reason: 'trimmed' }]);
    expect(await publishTo(bus, 'user:alice')).toEqual([4]);
    expect(bus.stats().historyMessages).toBe(1);
  });
});
