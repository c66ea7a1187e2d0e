import { afterEach, describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/bus/index.ts';
import type { ServerFrame, StatsSnapshot } from '../../src/protocol/index.ts';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, eventually, publish, startServer, TestSocket, type TestSession } from './helpers.ts';
import { RawWebSocket } from './raw-ws.ts';

afterEach(closeAll);

type MessageFrame = Extract<ServerFrame, { op: 'message' }>;

async function subscribed(server: LabServer, session: TestSession, topics: string[]): Promise<TestSocket> {
  const socket = await TestSocket.open(server, session);
  socket.send({ op: 'subscribe', topics, ref: topics.join() });
  await socket.next((f) => f.op === 'subscribed');
  return socket;
}

async function nextMessage(socket: TestSocket): Promise<MessageFrame> {
  return (await socket.next((f) => f.op === 'message')) as MessageFrame;
}

const subscriptions = (server: LabServer): number => server.stats().bus.subscriptions;

/**
 * Sockets that follow one topic alone share that topic's room once live
 * (ws-rooms.ts): one bus subscription for all of them, one frame per message.
 * What each client sees must not change: every message once, in order, with
 * the cursor of its own topics, also while it moves in and out of the room.
 */
describe('ws rooms', () => {
  it('one bus subscription for every one-topic socket; each gets every message once, in order, with the same cursor', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const sockets = await Promise.all(Array.from({ length: 5 }, () => subscribed(server, alice, ['room:lobby'])));
    expect(subscriptions(server)).toBe(1);
    const before = server.stats().transports.ws.deliveries;
    for (const body of ['one', 'two', 'three']) await publish(server, alice, { topic: 'room:lobby', body });
    for (const socket of sockets) {
      const frames = [await nextMessage(socket), await nextMessage(socket), await nextMessage(socket)];
      expect(frames.map((f) => [f.seq, f.body])).toEqual([[1, 'one'], [2, 'two'], [3, 'three']]);
      expect(decodeCursor(frames[2]!.cursor).positions).toEqual({ 'room:lobby': 3 });
    }
    expect(server.stats().transports.ws.deliveries - before).toBe(15);
    for (const socket of sockets) socket.ws.close();
    await eventually(() => subscriptions(server), (n) => n === 0);
  });

  it('a socket in a room that subscribes to another topic leaves it: nothing lost or twice, cursors of both topics', async () => {
    const server = await startServer();
    const [alice, bob] = await Promise.all([createSession(server, 'alice'), createSession(server, 'bob')]);
    const stays = await subscribed(server, alice, ['room:lobby']);
    const moves = await subscribed(server, bob, ['room:lobby']);
    await publish(server, alice, { topic: 'room:lobby', body: 'one' });
    expect((await nextMessage(moves)).body).toBe('one');
    moves.send({ op: 'subscribe', topics: ['user:bob'], ref: 'more' });
    // Published while the second subscribe is under way.
    await publish(server, alice, { topic: 'room:lobby', body: 'two' });
    await moves.next((f) => f.op === 'subscribed');
    await publish(server, alice, { topic: 'user:bob', body: 'dm' });
    await publish(server, alice, { topic: 'room:lobby', body: 'three' });
    const frames = [await nextMessage(moves), await nextMessage(moves), await nextMessage(moves)];
    expect(frames.map((f) => f.body)).toEqual(['two', 'dm', 'three']);
    expect(decodeCursor(frames[2]!.cursor).positions).toEqual({ 'room:lobby': 3, 'user:bob': 1 });
    expect(moves.frames.filter((f) => f.op === 'message')).toEqual([]);
    expect([await nextMessage(stays), await nextMessage(stays), await nextMessage(stays)].map((f) => f.body)).toEqual(['one', 'two', 'three']);
    // The room (stays) and bob's own outbox over both topics.
    expect(subscriptions(server)).toBe(3);
  });

  it('a socket that unsubscribes leaves its room; the room goes with its last socket', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const [first, second] = await Promise.all([subscribed(server, alice, ['room:lobby']), subscribed(server, alice, ['room:lobby'])]);
    first.send({ op: 'unsubscribe', topics: ['room:lobby'], ref: 'u' });
    await first.next((f) => f.op === 'subscribed');
    await publish(server, alice, { topic: 'room:lobby', body: 'after' });
    expect((await nextMessage(second)).body).toBe('after');
    expect(first.frames.filter((f) => f.op === 'message')).toEqual([]);
    expect(subscriptions(server)).toBe(1);
    second.send({ op: 'unsubscribe', topics: ['room:lobby'], ref: 'u' });
    await second.next((f) => f.op === 'subscribed');
    expect(subscriptions(server)).toBe(0);
  });

  it('a socket that resumes from a cursor joins the room once caught up, and gets each message once', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const live = await subscribed(server, alice, ['room:lobby']);
    for (const body of ['one', 'two']) await publish(server, alice, { topic: 'room:lobby', body });
    const resumed = await TestSocket.open(server, alice);
    resumed.send({ op: 'subscribe', topics: ['room:lobby'], backlog: 2 });
    expect([await nextMessage(resumed), await nextMessage(resumed)].map((f) => f.body)).toEqual(['one', 'two']);
    expect(subscriptions(server)).toBe(1);
    await publish(server, alice, { topic: 'room:lobby', body: 'three' });
    expect((await nextMessage(resumed)).body).toBe('three');
    expect((await nextMessage(live)).body).toBe('one');
    expect(resumed.frames.filter((f) => f.op === 'message')).toEqual([]);
  });

  it('counts the bytes of a frame written to every socket of a room as each socket read them', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const raws = await Promise.all(Array.from({ length: 3 }, () => RawWebSocket.open(server.url, `/ws?token=${encodeURIComponent(alice.token)}`)));
    for (const raw of raws) raw.sendText(JSON.stringify({ op: 'subscribe', topics: ['room:x'] }));
    for (const raw of raws) await eventually(() => raw.texts().length, (n) => n === 1);
    expect(subscriptions(server)).toBe(1);
    const before = server.stats();
    await publish(server, alice, { topic: 'room:x', body: 'ünïcode ✓ '.repeat(20) });
    await publish(server, alice, { topic: 'room:x', body: 'short' });
    for (const raw of raws) await eventually(() => raw.texts().length, (n) => n === 3);
    const frames = raws.flatMap((raw) => raw.frames().slice(1));
    const after = server.stats();
    const out = (s: StatsSnapshot) => s.transports.ws.bytesOut;
    expect(out(after).framing - out(before).framing).toBe(frames.reduce((sum, f) => sum + f.headerBytes, 0));
    expect(out(after).bodies - out(before).bodies).toBe(frames.reduce((sum, f) => sum + f.payload.length, 0));
    expect(after.transports.ws.deliveries - before.transports.ws.deliveries).toBe(6);
    for (const raw of raws) raw.destroy();
  });

  it('sockets that negotiated permessage-deflate keep an outbox each (their bytes are counted compressed, per socket)', async () => {
    const server = await startServer({ wsPerMessageDeflate: true });
    const alice = await createSession(server, 'alice');
    const { WebSocket } = await import('ws');
    const open = async (): Promise<TestSocket> => {
      const socket = new TestSocket(new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(alice.token)}`, { perMessageDeflate: true }));
      await new Promise((resolve) => socket.ws.once('open', resolve));
      socket.send({ op: 'subscribe', topics: ['room:lobby'] });
      await socket.next((f) => f.op === 'subscribed');
      return socket;
    };
    const sockets = await Promise.all([open(), open()]);
    expect(subscriptions(server)).toBe(2);
    await publish(server, alice, { topic: 'room:lobby', body: 'hello' });
    for (const socket of sockets) expect((await nextMessage(socket)).body).toBe('hello');
  });
});
