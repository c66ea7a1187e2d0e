import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, createSession, publish, startServer, TestSocket } from './helpers.ts';

afterEach(closeAll);

describe('ws transport', () => {
  it('subscribes, receives a published message with its cursor, and acks a publish', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: ['room:lobby', 'user:alice'], ref: '1' });
    const subscribed = await socket.next((f) => f.op === 'subscribed');
    expect(subscribed).toMatchObject({ op: 'subscribed', ref: '1' });
    expect(typeof (subscribed as { cursor: string }).cursor).toBe('string');

    expect((await publish(server, bob, { topic: 'room:lobby', body: 'hi' })).status).toBe(201);
    const message = await socket.next((f) => f.op === 'message');
    expect(message).toMatchObject({ op: 'message', topic: 'room:lobby', seq: 1, from: 'bob', body: 'hi' });

    socket.send({ op: 'publish', topic: 'user:bob', body: 'psst', id: 'a-1', ref: '2' });
    expect(await socket.next((f) => f.op === 'ack')).toMatchObject({ op: 'ack', ref: '2', topic: 'user:bob', seq: 1, id: 'a-1' });
    socket.ws.close();
  });
});
