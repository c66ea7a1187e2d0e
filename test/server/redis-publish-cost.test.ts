import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '../../src/bus/index.ts';
import { RedisAdapter } from '../../src/bus/redis-adapter.ts';
import { resolveServerOptions } from '../../src/config.ts';
import { Publisher } from '../../src/server/publisher.ts';
import { Session } from '../../src/server/sessions.ts';
import { RedisSharedState } from '../../src/shared/redis-shared-state.ts';
import { OwnRedis } from '../bus/redis-server.ts';

/**
 * What one publish costs Redis, counted as Redis counts it (INFO commandstats,
 * the commands scripts run included) on a redis-server of this file's own, so
 * that nobody else's commands are counted. docs/api.md § Several nodes lists
 * the same figures.
 */
describe('a publish on Redis: the commands it costs', () => {
  let own: OwnRedis;
  let admin: Redis;
  let shardRedis: Redis;
  let adapter: RedisAdapter;
  let shared: RedisSharedState;
  let publisher: Publisher;
  const session = new Session('session-1', 'alice', Date.now());

  beforeAll(async () => {
    own = await OwnRedis.start();
    admin = new Redis(own.url);
    adapter = new RedisAdapter({ url: own.url, prefix: 'cost:' });
    await adapter.connect();
    shardRedis = new Redis(own.url);
    shared = await RedisSharedState.connect(shardRedis, 'cost:');
    const bus = new Bus(adapter);
    publisher = new Publisher(bus, resolveServerOptions({ publishRatePerSecond: 1000, publishBurst: 1000 }), shared);
    await bus.rememberUser('bob');
    // Loads the scripts (a first EVALSHA misses and EVALs).
    await publisher.publish(session, { topic: 'room:lobby', body: 'warm-up' });
    await publisher.publish(session, { topic: 'user:bob', body: 'warm-up' });
  });

  afterAll(async () => {
    await shared.close();
    shardRedis.disconnect();
    await adapter.close();
    admin.disconnect();
    own.kill();
  });

  /** Commands by name over `count` runs of `body`, per run. */
  async function commandsPer(count: number, body: () => Promise<unknown>): Promise<Record<string, number>> {
    await admin.config('RESETSTAT');
    for (let i = 0; i < count; i++) await body();
    const calls: Record<string, number> = {};
    for (const line of String(await admin.info('commandstats')).split('\n')) {
      const match = /^cmdstat_([a-z|]+):calls=(\d+)/.exec(line.trim());
      // The INFO asking is not the publishes'.
      if (match && match[1] !== 'info' && match[1] !== 'config|resetstat') calls[match[1]!] = Number(match[2]) / count;
    }
    return calls;
  }

  it('to a room: two scripts (rate limits, then the store), 15 commands in all (18 before the buckets were strings)', async () => {
    const calls = await commandsPer(10, () => publisher.publish(session, { topic: 'room:lobby', body: 'hello' }));
    expect(calls).toEqual({
      // Rate limits: TIME, one MGET of both buckets, one SET … PX each.
      evalsha: 2, time: 1, mget: 1, set: 2,
      // The store: the epoch, the idempotency key, the seq, the length, the append, the id, the counters, the copy.
      get: 1, hget: 1, incr: 1, xlen: 1, xadd: 1, hset: 1, hincrby: 2, publish: 1,
    });
  });

  it('to a person: no more than to a room, once the node knows the name exists', async () => {
    const calls = await commandsPer(10, () => publisher.publish(session, { topic: 'user:bob', body: 'hi' }));
    expect(calls.sismember).toBeUndefined();
    expect(Object.values(calls).reduce((sum, n) => sum + n, 0)).toBe(15);
  });
});
