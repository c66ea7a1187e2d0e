import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/bus/bus.ts';
import { decodeCursor } from '../../src/bus/cursor.ts';
import { MemoryAdapter } from '../../src/bus/memory-adapter.ts';
import type { AdapterStats, BusAdapter, HistorySlice, PublishInput, PublishOutcome } from '../../src/bus/types.ts';
import type { Gap, Message } from '../../src/protocol/index.ts';
import { Outbox } from '../../src/transports/outbox.ts';
import { eventually } from '../wait.ts';

/**
 * An adapter whose backend can lose its data while connected, as a Redis
 * restarted empty does: `restart()` swaps in an empty history under a new
 * epoch (seqs start again at 1) and tells the `onEpoch` listeners. Like the
 * Redis adapter it answers only with promises (no readSync).
 */
class RestartingAdapter implements BusAdapter {
  #history = new MemoryAdapter();
  readonly #listeners = new Set<(message: Message) => void>();
  readonly #epochListeners = new Set<(epoch: string) => void>();
  #stopInner = this.#follow();

  get epoch(): string {
    return this.#history.epoch;
  }

  /** The backend lost everything: a new, empty history under a new epoch. */
  restart(): void {
    this.#stopInner();
    const before = this.#history.epoch;
    do this.#history = new MemoryAdapter();
    while (this.#history.epoch === before);
    this.#stopInner = this.#follow();
    for (const listener of this.#epochListeners) listener(this.#history.epoch);
  }

  #follow(): () => void {
    return this.#history.onMessage((message) => {
      for (const listener of this.#listeners) listener(message);
    });
  }

  async connect(): Promise<void> {}
  publish(input: PublishInput): Promise<PublishOutcome> {
    return this.#history.publish(input);
  }
  read(topic: string, afterSeq: number, limit: number): Promise<HistorySlice> {
    return this.#history.read(topic, afterSeq, limit);
  }
  lastSeq(topic: string): Promise<number> {
    return this.#history.lastSeq(topic);
  }
  onMessage(listener: (message: Message) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  onEpoch(listener: (epoch: string) => void): () => void {
    this.#epochListeners.add(listener);
    return () => this.#epochListeners.delete(listener);
  }
  rememberUser(name: string): Promise<void> {
    return this.#history.rememberUser(name);
  }
  knowsUser(name: string): Promise<boolean> {
    return this.#history.knowsUser(name);
  }
  stats(): Promise<AdapterStats> {
    return this.#history.stats();
  }
  close(): Promise<void> {
    return this.#history.close();
  }
}

type Seen = { message: string } | { gap: Gap };

function collector() {
  const seen: Seen[] = [];
  return { seen, sink: { message: (m: Message) => seen.push({ message: `${m.seq}:${m.body}` }), gap: (gap: Gap) => seen.push({ gap }) } };
}

const room = 'room:t';
const restarted: Gap = { topic: room, from: 1, to: 0, reason: 'restarted' };

async function publishBodies(bus: Bus, ...bodies: string[]): Promise<void> {
  for (const body of bodies) await bus.publish({ topic: room, from: 'x', body });
}

describe('Outbox when the bus epoch changes under it', () => {
  it('a live receiver gets one restarted gap, then every message of the new epoch once, and a cursor of the new epoch', async () => {
    const adapter = new RestartingAdapter();
    const bus = new Bus(adapter);
    const { seen, sink } = collector();
    const outbox = new Outbox(bus, [room], sink);
    await outbox.begin(undefined, 0);
    await outbox.drain(100);
    outbox.goLive();
    await publishBodies(bus, 'a', 'b', 'c');
    const oldEpoch = bus.epoch;

    adapter.restart();
    await publishBodies(bus, 'd', 'e');

    expect(seen).toEqual([{ message: '1:a' }, { message: '2:b' }, { message: '3:c' }, { gap: restarted }, { message: '1:d' }, { message: '2:e' }]);
    const cursor = bus.encodeCursor(outbox.positions);
    expect(decodeCursor(cursor)).toEqual({ epoch: bus.epoch, positions: { [room]: 2 } });
    expect(bus.epoch).not.toBe(oldEpoch);
    // The cursor resumes where the receiver is: no gap, nothing again.
    await publishBodies(bus, 'f');
    const resumed = await bus.start([room], cursor, 0);
    expect(resumed.gaps).toEqual([]);
    expect((await bus.catchUp(resumed.positions, 10)).messages.map((m) => m.body)).toEqual(['f']);
    outbox.close();
    expect(bus.stats().subscriptions).toBe(0);
    await bus.close();
  });

  it('discards a catch-up read that spans the restart and reads the new epoch from 0', async () => {
    const adapter = new RestartingAdapter();
    const bus = new Bus(adapter);
    await publishBodies(bus, 'a', 'b');
    const { seen, sink } = collector();
    // The first catch-up read is answered from the old history only after the restart happened.
    let stalled = true;
    const catchUp = bus.catchUp.bind(bus);
    bus.catchUp = async (positions, limit) => {
      const batch = await catchUp(positions, limit);
      if (stalled) {
        stalled = false;
        adapter.restart();
        await publishBodies(bus, 'c');
      }
      return batch;
    };
    const outbox = new Outbox(bus, [room], sink);
    await outbox.begin(bus.encodeCursor({ [room]: 0 }), 0);
    await outbox.drain(100);
    outbox.goLive();
    await publishBodies(bus, 'd');

    expect(seen).toEqual([{ gap: restarted }, { message: '1:c' }, { message: '2:d' }]);
    expect(decodeCursor(bus.encodeCursor(outbox.positions))).toEqual({ epoch: bus.epoch, positions: { [room]: 2 } });
    outbox.close();
    await bus.close();
  });

  it('a receiver still starting reads its start point under the new epoch and owes no gap for a cursorless start', async () => {
    const adapter = new RestartingAdapter();
    const bus = new Bus(adapter);
    await publishBodies(bus, 'a', 'b', 'c');
    const start = bus.start.bind(bus);
    let first = true;
    bus.start = async (topics, cursor, backlog) => {
      const point = await start(topics, cursor, backlog);
      if (first) {
        first = false;
        adapter.restart();
      }
      return point;
    };
    const { seen, sink } = collector();
    const outbox = new Outbox(bus, [room], sink);
    expect(await outbox.begin(undefined, 0)).toEqual([]);
    expect(outbox.positions).toEqual({ [room]: 0 });
    await outbox.drain(100);
    outbox.goLive();
    await publishBodies(bus, 'd');
    await eventually(() => seen.length, (n) => n === 1);
    expect(seen).toEqual([{ message: '1:d' }]);
    outbox.close();
    await bus.close();
  });

  it('over the in-memory bus nothing listens for an epoch change', () => {
    // Its epoch never changes while it runs: the bus then keeps no restart listeners at all.
    const adapter: BusAdapter = new MemoryAdapter();
    expect(adapter.onEpoch).toBeUndefined();
  });
});
