import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Bus } from '../../src/bus/index.ts';
import type { RedisAdapter } from '../../src/bus/redis-adapter.ts';
import { eventually } from '../wait.ts';
import { runAdapterSuite } from './adapter-suite.ts';
import { freePort } from './redis-server.ts';
import { REDIS_URL, RedisTestSpace } from './redis-test-env.ts';

// The machine's Redis (house rules): every test works in a space (a key prefix) of its own and deletes its keys.
runAdapterSuite({
  name: 'redis',
  newBackend: async () => {
    const space = new RedisTestSpace();
    return {
      shared: true,
      newAdapter: (options) => space.adapter(options),
      loseData: () => space.deleteKeys(),
      dispose: () => space.close(),
    };
  },
});

describe('redis adapter: what only a networked backend has', () => {
  const space = new RedisTestSpace();
  const { prefix, admin } = space;
  const opened: RedisAdapter[] = [];

  async function node(): Promise<RedisAdapter> {
    const adapter = space.adapter();
    opened.push(adapter);
    await adapter.connect();
    return adapter;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((adapter) => adapter.close()));
    await space.deleteKeys();
  });

  afterAll(() => space.close());

  it('refuses to connect to an address where no Redis answers, with unavailable and the address', async () => {
    // Just released: nothing listens there.
    const port = await freePort();
    const adapter = space.adapter({ url: `redis://user:secret@127.0.0.1:${port}` });
    const error = await adapter.connect().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(String((error as Error).message)).toContain(`127.0.0.1:${port}`);
    expect(String((error as Error).message)).not.toContain('secret');
    await expect(adapter.publish({ topic: 'room:t', from: 'a', body: 'x' })).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('notices on its next operation that Redis lost its data: a new epoch, seqs from 1, older cursors restarted', async () => {
    const a = await node();
    const b = await node();
    const busA = new Bus(a);
    for (const body of ['x', 'y', 'z']) await busA.publish({ topic: 'room:t', from: 'a', body });
    const cursor = busA.encodeCursor({ 'room:t': 3 });
    const before = a.epoch;

    await space.deleteKeys();
    const { message } = await a.publish({ topic: 'room:t', from: 'a', body: 'after' });
    expect(message.seq).toBe(1);
    expect(a.epoch).not.toBe(before);
    // The other node learns the new epoch from its next read, not from a restart.
    expect(await b.lastSeq('room:t')).toBe(1);
    expect(b.epoch).toBe(a.epoch);
    const start = await new Bus(b).start(['room:t'], cursor, 0);
    expect(start.gaps).toEqual([{ topic: 'room:t', from: 1, to: 0, reason: 'restarted' }]);
  });

  it('tells its onEpoch listeners of a new epoch once, as it learns it, before the first message of that epoch', async () => {
    const a = await node();
    const heard: string[] = [];
    a.onEpoch((epoch) => heard.push(`epoch ${epoch === a.epoch}`));
    a.onMessage((message) => heard.push(`message ${message.body}`));
    await a.publish({ topic: 'room:t', from: 'a', body: 'old' });
    await eventually(() => heard.length, (n) => n === 1);
    heard.length = 0;

    await space.deleteKeys();
    await a.publish({ topic: 'room:t', from: 'a', body: 'new-1' });
    await a.publish({ topic: 'room:t', from: 'a', body: 'new-2' });
    await eventually(() => heard.length, (n) => n === 3);
    expect(heard).toEqual(['epoch true', 'message new-1', 'message new-2']);
  });

  it('publishes in one round trip: one EVALSHA per message, the rest runs inside Redis', async () => {
    const a = await node();
    await a.publish({ topic: 'room:t', from: 'a', body: 'warm-up (loads the script if Redis had not)' });
    const monitor = await new Redis(REDIS_URL).monitor();
    try {
      const seen: string[][] = [];
      const marker = `${prefix}marker`;
      // MONITOR shows the script's own calls with source "lua"; count only what clients sent.
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source !== 'lua' && args.some((arg) => arg.startsWith(prefix))) seen.push(args);
      });
      for (let i = 0; i < 5; i++) await a.publish({ topic: 'room:t', from: 'a', body: `m${i}` });
      // Commands run in order: once the marker is seen, so is everything sent before it.
      await admin.exists(marker);
      await eventually(() => seen.some((args) => args.includes(marker)), 'the marker command');
      const fromAdapter = seen.filter((args) => !args.includes(marker));
      expect(fromAdapter.map((args) => args[0]?.toLowerCase())).toEqual(Array(5).fill('evalsha'));
    } finally {
      monitor.disconnect();
    }
  });

  it('reads back what was published while its pub/sub connection was down, once and in order', async () => {
    const a = await node();
    const b = await node();
    const heard: number[] = [];
    a.onMessage((message) => heard.push(message.seq));
    await b.publish({ topic: 'room:t', from: 'b', body: 'm1' });
    await eventually(() => heard.length >= 1, 'the first message on node a');

    // Cut node a's subscriber only (by its connection name); ioredis reconnects after ~50 ms.
    const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const line = clients.split('\n').find((entry) => entry.includes(`name=${a.clientName}-sub `));
    const id = /(?:^| )id=(\d+)/.exec(line ?? '')?.[1];
    expect(id).toBeDefined();
    await admin.call('CLIENT', 'KILL', 'ID', id!);
    for (const body of ['m2', 'm3', 'm4']) await b.publish({ topic: 'room:t', from: 'b', body });

    await eventually(() => heard.length >= 4, 'the messages published while node a was cut off');
    await b.publish({ topic: 'room:t', from: 'b', body: 'm5' });
    await eventually(() => heard.length >= 5, 'the next live message');
    expect(heard).toEqual([1, 2, 3, 4, 5]);
  });

  it('forgets a topic\'s history but keeps its seqs (an inbox whose name passes to a new holder)', async () => {
    const a = await node();
    const b = await node();
    for (const body of ['x', 'y', 'z']) await a.publish({ topic: 'user:alice', from: 'bob', body, id: `i-${body}` });
    const cursor = new Bus(a).encodeCursor({ 'user:alice': 1 });
    await a.forget('user:alice');
    expect(await b.read('user:alice', 0, 10)).toEqual({ messages: [], lastSeq: 3, firstHeldSeq: 4 });
    expect((await b.stats()).historyMessages).toBe(0);
    // An id of the forgotten history is no duplicate now; the seq goes on.
    expect(await b.publish({ topic: 'user:alice', from: 'carol', body: 'new', id: 'i-x' })).toMatchObject({ duplicate: false, message: { seq: 4 } });
    const bus = new Bus(b);
    const caught = await bus.catchUp((await bus.start(['user:alice'], cursor, 0)).positions, 10);
    expect(caught.gaps).toEqual([{ topic: 'user:alice', from: 2, to: 3, reason: 'trimmed' }]);
    expect(caught.messages.map((m) => m.body)).toEqual(['new']);
  });

  it('forgets a topic with no history (an inbox nobody wrote to) without an error', async () => {
    const a = await node();
    // Lua's -0 (the negation of an empty count) reaches Redis as "-0", which HINCRBY refuses.
    await a.forget('user:nobody-wrote');
    expect(await a.read('user:nobody-wrote', 0, 10)).toEqual({ messages: [], lastSeq: 0, firstHeldSeq: 1 });
    expect((await a.stats()).historyMessages).toBe(0);
  });

  it('keeps one topic\'s keys in one Cluster hash slot', async () => {
    const a = await node();
    await a.publish({ topic: 'room:lobby', from: 'a', body: 'x', id: 'c-1' });
    const keys = await space.keys('{room:lobby}*');
    expect(keys.sort()).toEqual(['ids', 'log', 'seq'].map((name) => `${prefix}{room:lobby}:${name}`));
    // A Cluster hashes only the tag, so equal tags mean one slot (this Redis runs without cluster mode).
    expect(keys.map(hashTag)).toEqual(['room:lobby', 'room:lobby', 'room:lobby']);
  });
});

/** The part of a key a Redis Cluster hashes (its key distribution model): the first non-empty `{…}`, else all. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}
