import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connectBus, type MessageBus } from '../../src/bus/index.ts';
import type { LabServer } from '../../src/server/create.ts';
import { RedisTestSpace } from '../bus/redis-test-env.ts';
import { TestSocket, closeAll, createSession, eventually, getJson, publish, startServer } from './helpers.ts';

/**
 * Two servers — two nodes — each with its own bus over one Redis (the
 * machine's, under a prefix of this file's own): what a client sees does not
 * depend on the node a request lands on. (The cluster behind a proxy is issue 10.)
 */
const space = new RedisTestSpace();
const buses: MessageBus[] = [];

/** A node: a server over a bus of its own on the shared Redis space. */
async function node(): Promise<LabServer> {
  const bus = await connectBus(space.adapter());
  buses.push(bus);
  return startServer({ bus });
}

async function twoNodes(): Promise<[LabServer, LabServer]> {
  return [await node(), await node()];
}

afterEach(async () => {
  await closeAll();
  // A bus handed to the server is the caller's to close.
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  await space.deleteKeys();
});

afterAll(() => space.close());

interface PollBody {
  messages: Array<{ body: string; seq: number }>;
  cursor: string;
}

describe('two nodes over one Redis bus', () => {
  it('knows a user who held a session on the other node, and still answers unknown_user for a never-seen name', async () => {
    const [a, b] = await twoNodes();
    await createSession(a, 'alice');
    const bob = await createSession(b, 'bob');
    expect((await publish(b, bob, { topic: 'user:alice', body: 'hi alice' })).status).toBe(201);
    expect(await publish(b, bob, { topic: 'user:nobody', body: '?' })).toMatchObject({ status: 404, json: { error: { code: 'unknown_user' } } });
  });

  it('carries a cursor from one node to the other: nothing lost, nothing twice', async () => {
    const [a, b] = await twoNodes();
    const alice = await createSession(a, 'alice');
    const bobOnB = await createSession(b, 'bob');
    await publish(a, alice, { topic: 'room:lobby', body: 'one' });
    const first = (await getJson(a, '/api/poll?topics=room:lobby&backlog=5', alice.auth)).json as unknown as PollBody;
    expect(first.messages.map((m) => m.body)).toEqual(['one']);

    // A long poll held on B with A's cursor is answered by a publish on A.
    const cursor = encodeURIComponent(first.cursor);
    const held = fetch(`${b.url}/api/longpoll?topics=room:lobby&wait=10&cursor=${cursor}`, { headers: bobOnB.auth });
    await eventually(() => b.stats().transports.longpoll.heldRequests, (n) => n === 1);
    await publish(a, alice, { topic: 'room:lobby', body: 'two' });
    const second = (await (await held).json()) as PollBody;
    expect(second.messages.map((m) => [m.seq, m.body])).toEqual([[2, 'two']]);

    // A WebSocket on B resumes from that cursor and hears A's next publish live.
    const socket = await TestSocket.open(b, bobOnB);
    socket.send({ op: 'subscribe', topics: ['room:lobby'], cursor: second.cursor, ref: 's' });
    await socket.next((f) => f.op === 'subscribed');
    await publish(a, alice, { topic: 'room:lobby', body: 'three' });
    expect(await socket.next((f) => f.op === 'message')).toMatchObject({ body: 'three', seq: 3 });
    expect(socket.frames.filter((f) => f.op === 'message')).toEqual([]);
  });

  it('restarts a node without a gap: the history and its epoch live in Redis', async () => {
    const [a] = await twoNodes();
    const alice = await createSession(a, 'alice');
    for (const body of ['one', 'two']) await publish(a, alice, { topic: 'room:lobby', body });
    const before = (await getJson(a, '/api/poll?topics=room:lobby&backlog=5', alice.auth)).json as unknown as PollBody;
    const epoch = a.bus.epoch;
    await a.close();

    const restarted = await node();
    expect(restarted.bus.epoch).toBe(epoch);
    const again = await createSession(restarted, 'alice');
    await publish(restarted, again, { topic: 'room:lobby', body: 'three' });
    const cursor = encodeURIComponent(before.cursor);
    const after = (await getJson(restarted, `/api/poll?topics=room:lobby&cursor=${cursor}`, again.auth)).json as unknown as PollBody & { gaps?: unknown[] };
    expect(after.messages.map((m) => [m.seq, m.body])).toEqual([[3, 'three']]);
    expect(after.gaps ?? []).toEqual([]);
  });

  it('shows the shared history in /api/stats of either node', async () => {
    const [a, b] = await twoNodes();
    const alice = await createSession(a, 'alice');
    for (const body of ['x', 'y', 'z']) await publish(a, alice, { topic: 'room:lobby', body });
    const stats = await eventually(() => b.stats().bus, (bus) => bus.historyMessages === 3);
    expect(stats).toMatchObject({ topics: 1, epoch: a.bus.epoch });
    expect((await b.bus.refreshStats()).historyMessages).toBe(3);
  });
});
