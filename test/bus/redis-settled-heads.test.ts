import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Bus } from '../../src/bus/index.ts';
import type { RedisAdapter, RedisAdapterOptions } from '../../src/bus/redis-adapter.ts';
import { PUBLISH_LUA } from '../../src/bus/redis-scripts.ts';
import type { Message } from '../../src/protocol/index.ts';
import { eventually } from '../wait.ts';
import { RedisTestSpace } from './redis-test-env.ts';

/**
 * A node answers a cursor at the head it already knows from its live feed,
 * without reading Redis (redis-adapter.ts `settledSeq`, stored-heads.ts) — and
 * reads Redis at every seam where that knowledge could be wrong. Two adapters
 * (two nodes) on the machine's Redis, in a key space of the file's own.
 */
describe('redis adapter: a cursor at the head this node knows costs Redis nothing', () => {
  const space = new RedisTestSpace();
  const opened: RedisAdapter[] = [];
  const topic = 'room:t';

  async function node(options: RedisAdapterOptions = {}): Promise<{ adapter: RedisAdapter; bus: Bus }> {
    const adapter = space.adapter(options);
    opened.push(adapter);
    await adapter.connect();
    return { adapter, bus: new Bus(adapter) };
  }

  /** Publishes on `bus` and waits until `observer` knows the head is there. */
  async function publishAndSettle(bus: Bus, observer: RedisAdapter, bodies: string[]): Promise<number> {
    let seq = 0;
    for (const body of bodies) seq = (await bus.publish({ topic, from: 'b', body })).message.seq;
    // A first read (what a long poll's start makes) reports the head while subscribed.
    await eventually(async () => (await observer.read(topic, 0, 0)).lastSeq === seq && observer.settledSeq(topic) === seq, `head ${seq} settled`);
    return seq;
  }

  /**
   * Stores a message as a publish does but sends its live copy nowhere: to every
   * node it is a message stored whose copy has not arrived yet (a lagging feed).
   */
  async function storeWithoutLiveCopy(epoch: string, body: string): Promise<void> {
    const base = `${space.prefix}{${topic}}:`;
    const id = `late-${body}`;
    await space.admin.eval(
      PUBLISH_LUA, 5, `${base}seq`, `${base}log`, `${base}ids`, `${space.prefix}epoch`, `${space.prefix}stats`,
      epoch, id, JSON.stringify(topic), JSON.stringify(id), JSON.stringify('b'), JSON.stringify(body), Date.now(), 1000,
      `${space.prefix}nowhere`,
    );
  }

  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(opened.splice(0).map((adapter) => adapter.close()));
    await space.deleteKeys();
  });

  afterAll(() => space.close());

  it('answers start and catch-up at the head from the feed, without a read, and reads again once a message is new', async () => {
    const a = await node();
    const b = await node();
    const head = await publishAndSettle(b.bus, a.adapter, ['m1', 'm2', 'm3']);
    const reads = vi.spyOn(a.adapter, 'read');

    const cursor = b.bus.encodeCursor({ [topic]: head });
    const start = await a.bus.start([topic], cursor, 0);
    const caught = await a.bus.catchUp(start.positions, 10);
    expect(start).toEqual({ positions: { [topic]: head }, gaps: [] });
    expect(caught).toEqual({ messages: [], gaps: [], positions: { [topic]: head }, more: false });
    expect(reads).not.toHaveBeenCalled();

    // One more message: once node a's feed passed it on, the head moves with it — still no read.
    await b.bus.publish({ topic, from: 'b', body: 'm4' });
    await eventually(() => a.adapter.settledSeq(topic) === head + 1, 'the feed to pass m4 on');
    // A cursor behind it: the start needs no read (no unknown gap below a known head), the catch-up one.
    const behindStart = await a.bus.start([topic], cursor, 0);
    expect(behindStart).toEqual({ positions: { [topic]: head }, gaps: [] });
    const behind = await a.bus.catchUp(behindStart.positions, 10);
    expect(behind.messages.map((m) => m.body)).toEqual(['m4']);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('reads Redis for a cursor ahead of its lagging feed: no unknown gap, and the late message still reaches its live receivers', async () => {
    const a = await node();
    const b = await node();
    const head = await publishAndSettle(b.bus, a.adapter, ['m1', 'm2']);
    const live: Message[] = [];
    a.bus.subscribe([topic], (message) => live.push(message.message));

    // Another node stored m3 (and gave its client a cursor at 3); node a has not heard of it yet.
    await storeWithoutLiveCopy(a.adapter.epoch, 'm3');
    expect(a.adapter.settledSeq(topic)).toBe(head);
    const ahead = b.bus.encodeCursor({ [topic]: head + 1 });
    const start = await a.bus.start([topic], ahead, 0);
    expect(start).toEqual({ positions: { [topic]: head + 1 }, gaps: [] });

    // The read reported head 3 while the feed passed 2: node a asks Redis until its feed catches up.
    expect(a.adapter.settledSeq(topic)).toBeUndefined();
    const caught = await a.bus.catchUp({ [topic]: head }, 10);
    expect(caught.messages.map((m) => m.body)).toEqual(['m3']);

    // The next live copy shows the feed its hole: it reads m3 back and passes both on, in order.
    await b.bus.publish({ topic, from: 'b', body: 'm4' });
    await eventually(() => live.length === 2, 'm3 and m4 on node a');
    expect(live.map((m) => m.body)).toEqual(['m3', 'm4']);
    expect(a.adapter.settledSeq(topic)).toBe(head + 2);
  });

  it('answers nothing from the feed while its subscription is down, and again once the feed has read back what it missed', async () => {
    const a = await node();
    const b = await node();
    const head = await publishAndSettle(b.bus, a.adapter, ['m1']);
    const clients = String(await space.admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const line = clients.split('\n').find((entry) => entry.includes(`name=${a.adapter.clientName}-sub `));
    const id = /(?:^| )id=(\d+)/.exec(line ?? '')?.[1];
    expect(id).toBeDefined();

    await space.admin.call('CLIENT', 'KILL', 'ID', id!);
    await eventually(() => a.adapter.settledSeq(topic) === undefined, 'node a to drop what it knew');
    // In the same turn (a reconnect needs I/O): a catch-up at the old head asks Redis, not the feed.
    const reads = vi.spyOn(a.adapter, 'read');
    const caught = a.bus.catchUp({ [topic]: head }, 10);
    expect(reads).toHaveBeenCalledTimes(1);
    expect((await caught).positions).toEqual({ [topic]: head });

    // Published while node a may still hear nothing: once back, its feed reads it back and knows the head again.
    await b.bus.publish({ topic, from: 'b', body: 'm2' });
    await eventually(() => a.adapter.settledSeq(topic) === head + 1, 'the feed back and repaired');
    const after = await a.bus.catchUp({ [topic]: head }, 10);
    expect(after.messages.map((m) => m.body)).toEqual(['m2']);
  });

  it('hears a new epoch from the first live copy stored after Redis lost its data, without a read of its own', async () => {
    const a = await node();
    const b = await node();
    const head = await publishAndSettle(b.bus, a.adapter, ['old-1', 'old-2']);
    const oldCursor = a.bus.encodeCursor({ [topic]: head });
    const restarts: string[] = [];
    const live: string[] = [];
    a.bus.subscribe([topic], (message) => live.push(message.message.body), () => restarts.push('restarted'));
    const before = a.adapter.epoch;

    await space.deleteKeys();
    await b.bus.publish({ topic, from: 'b', body: 'new-1' });
    await eventually(() => live.length === 1, 'new-1 on node a');
    expect(a.adapter.epoch).toBe(b.adapter.epoch);
    expect(a.adapter.epoch).not.toBe(before);
    expect(restarts).toEqual(['restarted']);
    expect(live).toEqual(['new-1']);

    const start = await a.bus.start([topic], oldCursor, 0);
    expect(start.gaps).toEqual([{ topic, from: 1, to: 0, reason: 'restarted' }]);
    expect((await a.bus.catchUp(start.positions, 10)).messages.map((m) => m.body)).toEqual(['new-1']);
  });

  it('still reports trimmed history exactly for a cursor behind the head', async () => {
    const a = await node({ historyPerTopic: 2 });
    const b = await node({ historyPerTopic: 2 });
    const head = await publishAndSettle(b.bus, a.adapter, ['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(a.adapter.settledSeq(topic)).toBe(head);
    const start = await a.bus.start([topic], b.bus.encodeCursor({ [topic]: 1 }), 0);
    const caught = await a.bus.catchUp(start.positions, 10);
    expect(caught.gaps).toEqual([{ topic, from: 2, to: 3, reason: 'trimmed' }]);
    expect(caught.messages.map((m) => m.body)).toEqual(['m4', 'm5']);
  });
});
