import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { once } from 'node:events';
import { closeAll, createSession, eventually, publish, startServer, TestSocket } from './helpers.ts';
import { RawWebSocket } from './raw-ws.ts';

afterEach(closeAll);

describe('ws transport', () => {
  it('subscribes, receives a published message with its cursor, and acks a publish', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: ['room:lobby', 'user:alice'], ref: '1' });
    const subscribed = await socket.next((f) => f.op === 'subscribed');
    expect(subscribed).toMatchObject({ op: 'subscribed', ref: '1', cursor: expect.any(String) });

    expect((await publish(server, bob, { topic: 'room:lobby', body: 'hi' })).status).toBe(201);
    const message = await socket.next((f) => f.op === 'message');
    expect(message).toMatchObject({ op: 'message', topic: 'room:lobby', seq: 1, from: 'bob', body: 'hi', cursor: expect.any(String) });

    socket.send({ op: 'publish', topic: 'user:bob', body: 'psst', id: 'a-1', ref: '2', from: 'mallory' });
    expect(await socket.next((f) => f.op === 'ack')).toMatchObject({ op: 'ack', ref: '2', topic: 'user:bob', seq: 1, id: 'a-1' });
    const bobSocket = await TestSocket.open(server, bob);
    bobSocket.send({ op: 'subscribe', topics: ['user:bob'], backlog: 5 });
    expect(await bobSocket.next((f) => f.op === 'message')).toMatchObject({ from: 'alice', body: 'psst' });
  });

  it('resumes from a message cursor on a new connection: nothing lost, nothing twice', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const first = await TestSocket.open(server, alice);
    first.send({ op: 'subscribe', topics: ['room:lobby'] });
    await first.next((f) => f.op === 'subscribed');
    await publish(server, alice, { topic: 'room:lobby', body: 'one' });
    const one = (await first.next((f) => f.op === 'message')) as { cursor: string };
    first.ws.close();
    await publish(server, alice, { topic: 'room:lobby', body: 'two' });
    const second = await TestSocket.open(server, alice);
    second.send({ op: 'subscribe', topics: ['room:lobby'], cursor: one.cursor });
    expect(await second.next((f) => f.op === 'message')).toMatchObject({ body: 'two', seq: 2 });
    await publish(server, alice, { topic: 'room:lobby', body: 'three' });
    expect(await second.next((f) => f.op === 'message')).toMatchObject({ body: 'three', seq: 3 });
    expect(second.frames.filter((f) => f.op === 'message')).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"op":'],
    ['an unknown op', { op: 'teleport', ref: 'r' }],
    ['no op', { topics: ['room:lobby'] }],
    ['subscribe without topics', { op: 'subscribe' }],
    ['publish without body', { op: 'publish', topic: 'room:lobby' }],
    ['publish to a bad topic', { op: 'publish', topic: 'room:\u0001', body: 'x' }],
    ['publish to a name too long', { op: 'publish', topic: `room:${'a'.repeat(65)}`, body: 'x' }],
    ['subscribe with a bogus cursor', { op: 'subscribe', topics: ['room:lobby'], cursor: '%%%' }],
  ])('answers %s with a bad_request error frame and stays open', async (_what, frame) => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    socket.send(frame);
    expect(await socket.next((f) => f.op === 'error')).toMatchObject({ op: 'error', code: 'bad_request' });
    // Nothing half-made stays subscribed.
    expect(server.bus.stats().subscriptions).toBe(0);
    socket.send({ op: 'subscribe', topics: ['room:lobby'], ref: 'still-here' });
    expect(await socket.next((f) => f.op === 'subscribed')).toMatchObject({ ref: 'still-here' });
  });

  it('refuses another user\'s inbox with a forbidden error frame', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    await createSession(server, 'bob');
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: ['user:bob'], ref: 'x' });
    expect(await socket.next((f) => f.op === 'error')).toMatchObject({ ref: 'x', code: 'forbidden' });
    expect(server.bus.stats().subscriptions).toBe(0);
  });

  it('answers a direct message to a never-seen name with an unknown_user error frame', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'publish', topic: 'user:ghost', body: 'boo', ref: 'dm' });
    expect(await socket.next((f) => f.op === 'error')).toMatchObject({ ref: 'dm', code: 'unknown_user' });
  });

  it('answers a body over maxBodyBytes with an error frame, and closes 1009 on a frame over maxFrameBytes', async () => {
    const server = await startServer({ maxBodyBytes: 100, maxFrameBytes: 1000 });
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'publish', topic: 'room:lobby', body: 'x'.repeat(101), ref: 'big' });
    expect(await socket.next((f) => f.op === 'error')).toMatchObject({ ref: 'big', code: 'payload_too_large' });
    const closed = socket.closed();
    socket.send({ op: 'publish', topic: 'room:lobby', body: 'x'.repeat(2000) });
    expect((await closed).code).toBe(1009);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('limits a flood with rate_limited error frames', async () => {
    const server = await startServer({ publishRatePerSecond: 1, publishBurst: 3 });
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    for (let i = 0; i < 6; i++) socket.send({ op: 'publish', topic: 'room:lobby', body: `m${i}`, ref: String(i) });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => socket.next((f) => (f.op === 'ack' || f.op === 'error') && f.ref === String(i))),
    );
    expect(answers.filter((f) => f.op === 'ack')).toHaveLength(3);
    expect(answers.filter((f) => f.op === 'error')).toEqual(
      Array(3).fill(expect.objectContaining({ code: 'rate_limited' })),
    );
  });

  it('refuses a handshake from a foreign Origin with HTTP 403', async () => {
    const server = await startServer({ allowedOrigins: ['http://lab.example'] });
    const alice = await createSession(server, 'alice');
    const path = `/ws?token=${encodeURIComponent(alice.token)}`;
    const foreign = await RawWebSocket.open(server.url, path, { Origin: 'http://evil.example' });
    expect(foreign.handshake).toMatch(/^HTTP\/1\.1 403/);
    foreign.destroy();
    const allowed = await RawWebSocket.open(server.url, path, { Origin: 'http://lab.example' });
    expect(allowed.handshake).toMatch(/^HTTP\/1\.1 101/);
    allowed.destroy();
    const own = await RawWebSocket.open(server.url, path, { Origin: server.url });
    expect(own.handshake).toMatch(/^HTTP\/1\.1 101/);
    own.destroy();
  });

  it('closes 1008 without a valid token', async () => {
    const server = await startServer();
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=nope`);
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    expect(code).toBe(1008);
    expect(reason.toString()).toBe('unauthorized');
  });

  it('closes 1013 when over maxConnections', async () => {
    const server = await startServer({ maxConnections: 1 });
    const alice = await createSession(server, 'alice');
    const first = await TestSocket.open(server, alice);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(alice.token)}`);
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1013);
    first.ws.close();
  });

  it('closes a client that stops reading with 1013 slow_consumer once its buffer passes the limit', async () => {
    const server = await startServer({ wsMaxBufferedBytes: 64 * 1024, publishRatePerSecond: 100_000, publishBurst: 100_000 });
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    const raw = await RawWebSocket.open(server.url, `/ws?token=${encodeURIComponent(alice.token)}`);
    raw.sendText(JSON.stringify({ op: 'subscribe', topics: ['room:flood'] }));
    await eventually(() => raw.texts().length, (n) => n >= 1);
    raw.socket.pause();
    const body = 'x'.repeat(15_000);
    let sent = 0;
    // Loopback socket buffers hold megabytes; publish until the server lets the reader go.
    while (server.bus.stats().subscriptions > 0 && sent < 3_000) {
      await Promise.all(Array.from({ length: 20 }, () => publish(server, bob, { topic: 'room:flood', body })));
      sent += 20;
    }
    expect(server.bus.stats().subscriptions).toBe(0);
    raw.socket.resume();
    await eventually(() => raw.closeCode(), (code) => code !== undefined, 10_000);
    expect(raw.closeCode()).toBe(1013);
    raw.destroy();
  });

  it('drops a peer that misses two pongs', async () => {
    const server = await startServer({ wsPingIntervalMs: 50 });
    const alice = await createSession(server, 'alice');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(alice.token)}`, { autoPong: false });
    let pings = 0;
    ws.on('ping', () => (pings += 1));
    const [code] = (await once(ws, 'close')) as [number];
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(code).toBe(1006);
    // A peer that answers pings stays.
    const live = await TestSocket.open(server, alice);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('unsubscribes: no more messages from the topic, the others go on', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: ['room:a', 'room:b'], ref: 's' });
    await socket.next((f) => f.op === 'subscribed');
    socket.send({ op: 'unsubscribe', topics: ['room:a'], ref: 'u' });
    expect(await socket.next((f) => f.op === 'subscribed')).toMatchObject({ ref: 'u' });
    expect(server.bus.stats().subscriptions).toBe(1);
    await publish(server, alice, { topic: 'room:a', body: 'gone' });
    await publish(server, alice, { topic: 'room:b', body: 'kept' });
    expect(await socket.next((f) => f.op === 'message')).toMatchObject({ topic: 'room:b', body: 'kept' });
    expect(socket.frames).toEqual([]);
  });

  it('closes sockets 1001 when the server closes', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    const closed = socket.closed();
    await server.close();
    expect((await closed).code).toBe(1001);
  });

  it('closes, on shutdown, a peer that stopped reading too', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const raw = await RawWebSocket.open(server.url, `/ws?token=${encodeURIComponent(alice.token)}`);
    raw.socket.pause();
    const ended = new Promise((resolve) => raw.socket.once('close', resolve));
    expect(server.stats().transports.ws.openConnections).toBe(1);
    await server.close();
    raw.socket.resume();
    await ended;
    expect(server.stats().transports.ws.openConnections).toBe(0);
  });
});
