import { afterEach, describe, expect, it } from 'vitest';
import { Bus, MemoryAdapter } from '../../src/bus/index.ts';
import type { BusAdapter } from '../../src/bus/index.ts';
import { closeAll, createSession, eventually, getJson, publish, startServer } from './helpers.ts';

afterEach(closeAll);

/** A bus over an adapter with only the asynchronous methods, as a networked one (Redis) would be. */
function asyncOnlyBus(): Bus {
  const memory = new MemoryAdapter();
  const adapter: BusAdapter = {
    epoch: memory.epoch,
    publish: (input) => memory.publish(input),
    read: (topic, afterSeq, limit) => memory.read(topic, afterSeq, limit),
    lastSeq: (topic) => memory.lastSeq(topic),
    onMessage: (listener) => memory.onMessage(listener),
    connect: () => memory.connect(),
    rememberUser: (name) => memory.rememberUser(name),
    knowsUser: (name) => memory.knowsUser(name),
    stats: () => memory.stats(),
    close: () => memory.close(),
  };
  return new Bus(adapter);
}

interface PollBody {
  messages: Array<{ body: string }>;
  cursor: string;
}

describe('poll and long poll over a bus without the synchronous fast path', () => {
  it('answers a poll, a held long poll and a bad cursor through the async fallback', async () => {
    const bus = asyncOnlyBus();
    expect(bus.startSync).toBeUndefined();
    const server = await startServer({ bus });
    const alice = await createSession(server, 'alice');
    await publish(server, alice, { topic: 'room:lobby', body: 'one' });

    const polled = await getJson(server, '/api/poll?topics=room:lobby&backlog=5', alice.auth);
    expect(polled.status).toBe(200);
    const first = polled.json as unknown as PollBody;
    expect(first.messages.map((m) => m.body)).toEqual(['one']);

    const cursor = encodeURIComponent(first.cursor);
    const pending = fetch(`${server.url}/api/longpoll?topics=room:lobby&wait=10&cursor=${cursor}`, { headers: alice.auth });
    await eventually(() => server.stats().transports.longpoll.heldRequests, (n) => n === 1);
    await publish(server, alice, { topic: 'room:lobby', body: 'two' });
    const held = (await (await pending).json()) as PollBody;
    expect(held.messages.map((m) => m.body)).toEqual(['two']);

    const bad = await getJson(server, '/api/poll?topics=room:lobby&cursor=nonsense', alice.auth);
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
    await bus.close();
  });
});
