import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../src/bus/index.ts';
import type { MessageBus } from '../../src/bus/types.ts';
import type { Gap } from '../../src/protocol/index.ts';
import { Outbox } from '../../src/transports/outbox.ts';

function collector() {
  const seqs: number[] = [];
  const gaps: Gap[] = [];
  return { seqs, gaps, sink: { message: (m: { seq: number }) => seqs.push(m.seq), gap: (g: Gap) => gaps.push(g) } };
}

const publishAll = async (bus: MessageBus, from: number, to: number): Promise<void> => {
  for (let i = from; i <= to; i++) await bus.publish({ topic: 'room:t', from: 'x', body: `m${i}` });
};

/** The bus with some methods replaced; every other call goes to the bus itself. */
function wrap(bus: MessageBus, overrides: Partial<MessageBus>): MessageBus {
  return {
    epoch: bus.epoch,
    publish: (input) => bus.publish(input),
    start: (topics, cursor, backlog) => bus.start(topics, cursor, backlog),
    catchUp: (positions, limit) => bus.catchUp(positions, limit),
    encodeCursor: (positions) => bus.encodeCursor(positions),
    subscribe: (topics, listener) => bus.subscribe(topics, listener),
    forget: (topic) => bus.forget(topic),
    rememberUser: (name) => bus.rememberUser(name),
    knowsUser: (name) => bus.knowsUser(name),
    stats: () => bus.stats(),
    close: () => bus.close(),
    ...overrides,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('Outbox', () => {
  it('delivers a message stored during the catch-up once, not twice', async () => {
    const bus = createMemoryBus();
    await publishAll(bus, 1, 2);
    let injected = false;
    // A publish lands while the catch-up reads: it is both in the read and in the live buffer.
    const racing = wrap(bus, {
      catchUp: async (positions, limit) => {
        if (!injected) {
          injected = true;
          await publishAll(bus, 3, 3);
        }
        return bus.catchUp(positions, limit);
      },
    });
    const { seqs, sink } = collector();
    const outbox = new Outbox(racing, ['room:t'], sink);
    const cursor = bus.encodeCursor({ 'room:t': 0 });
    await outbox.begin(cursor, 0);
    expect(bus.stats().subscriptions).toBe(1);
    await outbox.drain(100);
    outbox.goLive();
    await publishAll(bus, 4, 4);
    expect(seqs).toEqual([1, 2, 3, 4]);
    outbox.close();
    expect(bus.stats().subscriptions).toBe(0);
  });

  it('repairs a hole in the live seqs with a catch-up instead of skipping', async () => {
    const bus = createMemoryBus();
    // Loses seq 3 on its way to live listeners.
    const lossy = wrap(bus, {
      subscribe: (topics, listener) =>
        bus.subscribe(topics, (live) => {
          if (live.message.seq !== 3) listener(live);
        }),
    });
    const { seqs, sink } = collector();
    const outbox = new Outbox(lossy, ['room:t'], sink);
    await outbox.begin(undefined, 0);
    await outbox.drain(100);
    outbox.goLive();
    await publishAll(bus, 1, 5);
    await settle();
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    outbox.close();
  });

  it('replays from a cursor in batches of limit, then goes live', async () => {
    const bus = createMemoryBus();
    await publishAll(bus, 1, 7);
    const { seqs, sink } = collector();
    const outbox = new Outbox(bus, ['room:t'], sink);
    await outbox.begin(bus.encodeCursor({ 'room:t': 2 }), 0);
    await outbox.drain(2);
    outbox.goLive();
    await publishAll(bus, 8, 8);
    expect(seqs).toEqual([3, 4, 5, 6, 7, 8]);
    expect(outbox.positions['room:t']).toBe(8);
    outbox.close();
  });

  it('reports a trimmed history as a gap and moves past it', async () => {
    const bus = createMemoryBus({ historyPerTopic: 2 });
    await publishAll(bus, 1, 5);
    const { seqs, gaps, sink } = collector();
    const outbox = new Outbox(bus, ['room:t'], sink);
    await outbox.begin(bus.encodeCursor({ 'room:t': 0 }), 0);
    await outbox.drain(100);
    expect(gaps).toEqual([{ topic: 'room:t', from: 1, to: 3, reason: 'trimmed' }]);
    expect(seqs).toEqual([4, 5]);
    outbox.close();
  });

  it('delivers nothing after close, and never subscribes when closed before begin', async () => {
    const bus = createMemoryBus();
    const { seqs, sink } = collector();
    const outbox = new Outbox(bus, ['room:t'], sink);
    outbox.close();
    await outbox.begin(undefined, 0);
    expect(bus.stats().subscriptions).toBe(0);
    await publishAll(bus, 1, 1);
    expect(seqs).toEqual([]);
  });

  it('leaves nothing subscribed when the cursor is not ours', async () => {
    const bus = createMemoryBus();
    const outbox = new Outbox(bus, ['room:t'], collector().sink);
    await expect(outbox.begin('not-a-cursor', 0)).rejects.toMatchObject({ code: 'bad_request' });
    expect(outbox.closed).toBe(true);
    expect(bus.stats().subscriptions).toBe(0);
  });
});
