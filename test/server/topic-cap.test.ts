import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, createSession, publish, startServer, TestSocket } from './helpers.ts';

/** Issue 8, finding 5, through the server: a flood of rooms stays within maxTopics and costs a subscriber nothing. */

afterEach(closeAll);

describe('the topic cap on a running server', () => {
  it('keeps a flood of distinct rooms within maxTopics while a subscribed room keeps its messages and seqs', async () => {
    const server = await startServer({
      maxTopics: 5,
      publishRatePerSecond: 10_000,
      publishBurst: 10_000,
      publishRatePerSecondPerAddress: 10_000,
      publishBurstPerAddress: 10_000,
    });
    const alice = await createSession(server, 'alice');
    const mallory = await createSession(server, 'mallory');
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: ['room:lobby'], ref: '1' });
    await socket.next((frame) => frame.op === 'subscribed');
    expect((await publish(server, alice, { topic: 'room:lobby', body: 'before' })).status).toBe(201);

    for (let i = 0; i < 200; i++) {
      expect((await publish(server, mallory, { topic: `room:flood${i}`, body: 'x' })).status).toBe(201);
    }
    expect(server.stats().bus.topics).toBeLessThanOrEqual(5);

    const after = await publish(server, alice, { topic: 'room:lobby', body: 'after' });
    expect(after.json).toMatchObject({ seq: 2 });
    const bodies = [await socket.next((f) => f.op === 'message'), await socket.next((f) => f.op === 'message')];
    expect(bodies.map((f) => (f as { body: string }).body)).toEqual(['before', 'after']);
    socket.ws.close();
  });
});
