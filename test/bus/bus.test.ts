import { describe, expect, it } from 'vitest';
import { Bus, MemoryAdapter, createMemoryBus, decodeCursor } from '../../src/bus/index.ts';
import type { LiveMessage } from '../../src/bus/index.ts';
import { LabError } from '../../src/protocol/errors.ts';

const lobby = 'room:lobby';

async function publishMany(bus: ReturnType<typeof createMemoryBus>, count: number, topic = lobby) {
  for (let i = 1; i <= count; i++) await bus.publish({ topic, from: 'alice', body: `m${i}` });
}

describe('bus: seqs and idempotency', () => {
  it('numbers each topic 1, 2, 3 with no holes, independently', async () => {
    const bus = createMemoryBus();
    const a1 = await bus.publish({ topic: lobby, from: 'a', body: 'x' });
    const b1 = await bus.publish({ topic: 'room:other', from: 'a', body: 'y' });
    const a2 = await bus.publish({ topic: lobby, from: 'a', body: 'z' });
    expect([a1.message.seq, b1.message.seq, a2.message.seq]).toEqual([1, 1, 2]);
  });

  it('stores a message published twice with the same id once, answering with the first seq', async () => {
    const bus = createMemoryBus();
    const first = await bus.publish({ topic: lobby, from: 'a', body: 'x', id: 'c1-1' });
    const again = await bus.publish({ topic: lobby, from: 'a', body: 'x', id: 'c1-1' });
    expect(again.duplicate).toBe(true);
    expect(again.message.seq).toBe(first.message.seq);
    expect(bus.stats().historyMessages).toBe(1);
  });

  it('makes an id when the publisher gives none', async () => {
    const bus = createMemoryBus();
    const { message } = await bus.publish({ topic: lobby, from: 'a', body: 'x' });
    expect(message.id.length).toBeGreaterThan(0);
  });
});

describe('bus: history, cursors and gaps', () => {
  it('starts from now without a cursor, and replays `backlog` messages when asked', async () => {
    const bus = createMemoryBus();
    await publishMany(bus, 5);
    expect((await bus.start([lobby], undefined, 0)).positions[lobby]).toBe(5);
    const start = await bus.start([lobby], undefined, 2);
    const caught = await bus.catchUp(start.positions, 100);
    expect(caught.messages.map((m) => m.seq)).toEqual([4, 5]);
  });

  it('resumes right after a cursor: nothing missed, nothing twice', async () => {
    const bus = createMemoryBus();
    await publishMany(bus, 3);
    const cursor = bus.encodeCursor({ [lobby]: 1 });
    const start = await bus.start([lobby], cursor, 0);
    const caught = await bus.catchUp(start.positions, 100);
    expect(caught.messages.map((m) => m.seq)).toEqual([2, 3]);
    expect(caught.positions[lobby]).toBe(3);
    expect(decodeCursor(bus.encodeCursor(caught.positions)).positions).toEqual({ [lobby]: 3 });
  });

  it('pages with `limit` and says there is more', async () => {
    const bus = createMemoryBus();
    await publishMany(bus, 5);
    const first = await bus.catchUp({ [lobby]: 0 }, 2);
    expect(first.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(first.more).toBe(true);
    const rest = await bus.catchUp(first.positions, 10);
    expect(rest.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(rest.more).toBe(false);
  });

  it('reports the exact trimmed range as a gap, then goes on', async () => {
    const bus = createMemoryBus({ historyPerTopic: 3 });
    await publishMany(bus, 10);
    const caught = await bus.catchUp({ [lobby]: 2 }, 100);
    expect(caught.gaps).toEqual([{ topic: lobby, from: 3, to: 7, reason: 'trimmed' }]);
    expect(caught.messages.map((m) => m.seq)).toEqual([8, 9, 10]);
  });

  it('trims the oldest messages across topics to keep under the byte cap', async () => {
    const bus = createMemoryBus({ historyMaxBytes: 2000 });
    await publishMany(bus, 50, 'room:a');
    await publishMany(bus, 50, 'room:b');
    const stats = bus.stats();
    expect(stats.historyBytes).toBeLessThanOrEqual(2000);
    const a = await bus.catchUp({ 'room:a': 0 }, 100);
    const b = await bus.catchUp({ 'room:b': 0 }, 100);
    expect(a.messages).toHaveLength(0);
    expect(b.messages.length).toBeGreaterThan(0);
    expect(b.messages.at(-1)?.seq).toBe(50);
    expect(b.gaps[0]).toMatchObject({ from: 1, reason: 'trimmed' });
  });

  it('turns a cursor from another epoch into a restarted gap and starts the topic over', async () => {
    const oldBus = createMemoryBus();
    await publishMany(oldBus, 4);
    const cursor = oldBus.encodeCursor({ [lobby]: 4 });
    const newBus = createMemoryBus();
    await publishMany(newBus, 2);
    const start = await newBus.start([lobby], cursor, 0);
    expect(start.gaps).toEqual([{ topic: lobby, from: 1, to: 0, reason: 'restarted' }]);
    const caught = await newBus.catchUp(start.positions, 100);
    expect(caught.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('turns a position the topic never reached into an unknown gap', async () => {
    const bus = createMemoryBus();
    await publishMany(bus, 2);
    const start = await bus.start([lobby], bus.encodeCursor({ [lobby]: 9 }), 0);
    expect(start.gaps).toEqual([{ topic: lobby, from: 3, to: 9, reason: 'unknown' }]);
    expect(start.positions[lobby]).toBe(2);
  });

  it('rejects a string that is not one of its cursors with bad_request', async () => {
    const bus = createMemoryBus();
    for (const bogus of ['garbage', 'v1~EPOCH!~x=1', `v1~${bus.epoch}~room:lobby=-3`, 'v1~abc~' + 'x'.repeat(5000)]) {
      await expect(bus.start([lobby], bogus, 0)).rejects.toMatchObject({ code: 'bad_request' });
    }
    await expect(bus.start([lobby], 'garbage', 0)).rejects.toBeInstanceOf(LabError);
  });
});

describe('bus: live subscriptions', () => {
  it('delivers live messages of subscribed topics only, with JSON made once', async () => {
    const bus = createMemoryBus();
    const seen: LiveMessage[] = [];
    const stop = bus.subscribe([lobby], (live) => seen.push(live));
    await bus.publish({ topic: lobby, from: 'a', body: 'x' });
    await bus.publish({ topic: 'room:other', from: 'a', body: 'y' });
    expect(seen.map((l) => l.message.body)).toEqual(['x']);
    expect(seen[0]!.json()).toBe(seen[0]!.json());
    expect(JSON.parse(seen[0]!.json())).toEqual(seen[0]!.message);
    stop();
    await bus.publish({ topic: lobby, from: 'a', body: 'z' });
    expect(seen).toHaveLength(1);
  });

  it('counts subscriptions and returns to zero after unsubscribing', () => {
    const bus = new Bus(new MemoryAdapter());
    const stops = Array.from({ length: 100 }, () => bus.subscribe([lobby, 'user:a'], () => {}));
    expect(bus.stats().subscriptions).toBe(200);
    for (const stop of stops) stop();
    expect(bus.stats().subscriptions).toBe(0);
  });

  it('remembers which names ever had a session', async () => {
    const bus = createMemoryBus();
    expect(await bus.knowsUser('bob')).toBe(false);
    await bus.rememberUser('bob');
    expect(await bus.knowsUser('bob')).toBe(true);
  });
});

describe('bus: synchronous fast path', () => {
  it('answers start and catchUp without a promise over memory, the same as the async pair', async () => {
    const bus = createMemoryBus({ historyPerTopic: 3 });
    await publishMany(bus, 5);
    await publishMany(bus, 1, 'room:b');
    const cursor = bus.encodeCursor({ [lobby]: 1, 'room:b': 0 });
    const topics = [lobby, 'room:b', 'room:none'];
    const start = bus.startSync!(topics, cursor, 0);
    expect(start).toEqual(await bus.start(topics, cursor, 0));
    const batch = bus.catchUpSync!(start.positions, 2);
    expect(batch).toEqual(await bus.catchUp(start.positions, 2));
    expect(batch.gaps).toEqual([{ topic: lobby, from: 2, to: 2, reason: 'trimmed' }]);
    expect(batch.messages.map((m) => m.body)).toEqual(['m3', 'm4']);
    expect(batch.more).toBe(true);
  });

  it('offers no synchronous path over an adapter without synchronous reads (a networked one)', async () => {
    const memory = new MemoryAdapter();
    const networked = {
      epoch: memory.epoch,
      publish: memory.publish.bind(memory),
      read: memory.read.bind(memory),
      lastSeq: memory.lastSeq.bind(memory),
      onMessage: memory.onMessage.bind(memory),
      connect: memory.connect.bind(memory),
      rememberUser: memory.rememberUser.bind(memory),
      knowsUser: memory.knowsUser.bind(memory),
      stats: memory.stats.bind(memory),
      close: memory.close.bind(memory),
    };
    const bus = new Bus(networked);
    expect(bus.startSync).toBeUndefined();
    expect(bus.catchUpSync).toBeUndefined();
    await bus.publish({ topic: lobby, from: 'a', body: 'x' });
    const start = await bus.start([lobby], undefined, 1);
    expect((await bus.catchUp(start.positions, 10)).messages.map((m) => m.body)).toEqual(['x']);
  });

  it('refuses a cursor that is not ours synchronously too', () => {
    const bus = createMemoryBus();
    expect(() => bus.startSync!([lobby], 'nope', 0)).toThrow(LabError);
  });
});
