import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type MessageBus } from '../../src/bus/index.ts';
import { RedisAdapter } from '../../src/bus/redis-adapter.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { closeAll, createSession, eventually, getJson, publish, startServer } from './helpers.ts';

/** A lab server on a bus over a redis-server this file owns, paused and killed under it. */
let redis: OwnRedis;
const buses: MessageBus[] = [];

beforeAll(async () => {
  redis = await OwnRedis.start();
});
afterEach(async () => {
  await closeAll();
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});
afterAll(() => redis.kill());

async function labOnRedis() {
  const bus = await connectBus(new RedisAdapter({ url: redis.url, commandTimeoutMs: 300 }));
  buses.push(bus);
  return startServer({ bus });
}

/**
 * A long poll counts as held as soon as it is admitted, a round trip or two
 * before its start point and catch-up have been read from Redis. Redis answers
 * one connection's commands in order, so once three round trips issued after
 * the hold have come back, the poll's reads (two, one after the other) have
 * too: it is waiting on the live feed alone, and a pause cannot land mid-read.
 */
async function settled(bus: MessageBus): Promise<void> {
  for (let i = 0; i < 3; i++) await bus.refreshStats();
}

interface PollBody {
  messages: Array<{ body: string; seq: number }>;
  cursor: string;
}

describe('a lab server whose Redis goes away', () => {
  it('answers publishes with 503 unavailable while Redis is paused, keeps a held long poll, and loses nothing after', async () => {
    const server = await labOnRedis();
    const alice = await createSession(server, 'alice');
    expect((await publish(server, alice, { topic: 'room:lobby', body: 'before', id: 'a-1' })).status).toBe(201);
    const start = (await getJson(server, '/api/poll?topics=room:lobby&backlog=5', alice.auth)).json as unknown as PollBody;
    const held = fetch(`${server.url}/api/longpoll?topics=room:lobby&wait=20&cursor=${encodeURIComponent(start.cursor)}`, { headers: alice.auth });
    await eventually(() => server.stats().transports.longpoll.heldRequests, (n) => n === 1);
    await settled(server.bus);

    redis.pause();
    let during;
    try {
      during = await publish(server, alice, { topic: 'room:lobby', body: 'during', id: 'a-2' });
    } finally {
      redis.resume();
    }
    expect(during).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // The client retries with the same id: stored once, whether or not the timed-out try got through.
    const retried = await publish(server, alice, { topic: 'room:lobby', body: 'during', id: 'a-2' });
    expect(retried.status).toBe(201);
    const answered = (await (await held).json()) as PollBody;
    expect(answered.messages.map((m) => m.body)).toEqual(['during']);
    const all = (await getJson(server, '/api/poll?topics=room:lobby&backlog=10', alice.auth)).json as unknown as PollBody;
    expect(all.messages.map((m) => [m.seq, m.body])).toEqual([[1, 'before'], [2, 'during']]);
  });

  it('survives Redis being killed and started empty: 503 meanwhile, then a new epoch and a restarted gap', async () => {
    const server = await labOnRedis();
    const alice = await createSession(server, 'alice');
    await publish(server, alice, { topic: 'room:lobby', body: 'old' });
    const before = (await getJson(server, '/api/poll?topics=room:lobby&backlog=5', alice.auth)).json as unknown as PollBody;
    const oldEpoch = server.bus.epoch;

    redis.kill();
    expect(await publish(server, alice, { topic: 'room:lobby', body: 'lost?' })).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    await redis.restart();
    // ioredis reconnects by itself; the first publish that gets through stores seq 1 under a new epoch.
    const after = await eventually(() => publish(server, alice, { topic: 'room:lobby', body: 'new' }), (r) => r.status === 201);
    expect(after.json).toMatchObject({ seq: 1 });
    expect(server.bus.epoch).not.toBe(oldEpoch);
    const resumed = (await getJson(server, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(before.cursor)}`, alice.auth)).json as unknown as PollBody & { gaps: unknown[] };
    expect(resumed.gaps).toEqual([{ topic: 'room:lobby', from: 1, to: 0, reason: 'restarted' }]);
    expect(resumed.messages.map((m) => m.body)).toEqual(['new']);
  });

  it('has its bus report a problem until both bus connections are back, so a node healthy again reads at once', async () => {
    const adapter = new RedisAdapter({ url: redis.url, commandTimeoutMs: 300 });
    const bus = await connectBus(adapter);
    buses.push(bus);
    expect(adapter.problem()).toBeUndefined();

    redis.kill();
    expect(await eventually(() => adapter.problem(), (problem) => problem !== undefined)).toBe('redis unreachable');
    await redis.restart();
    await eventually(() => adapter.problem() === undefined, 'both bus connections to be ready again');
    // Ready means the command goes out now, not into the offline queue behind a reconnect backoff.
    expect(await adapter.lastSeq('room:lobby')).toBe(0);
  });
});
