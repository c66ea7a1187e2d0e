import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../src/protocol/index.ts';
import { closeAll, createSession, getJson, startServer, TestSocket, type TestSession } from './helpers.ts';
import type { LabServer } from '../../src/server/create.ts';

afterEach(() => {
  vi.restoreAllMocks();
  return closeAll();
});

/** Counts `JSON.stringify(message)` for this very message object (the envelope encodings made of it). */
function countEncodings(message: Message): () => number {
  const spy = vi.spyOn(JSON, 'stringify');
  return () => spy.mock.calls.filter(([value]) => value === message).length;
}

async function catchUpEverywhere(server: LabServer, alice: TestSession, recipients: number): Promise<void> {
  const url = '/api/poll?topics=room:once&backlog=10';
  for (let i = 0; i < recipients; i++) {
    const poll = await getJson(server, url, alice.auth);
    expect((poll.json.messages as Message[]).map((m) => m.body)).toEqual(['hello']);
    const longPoll = await getJson(server, '/api/longpoll?topics=room:once&backlog=10&wait=5', alice.auth);
    expect((longPoll.json.messages as Message[]).map((m) => m.body)).toEqual(['hello']);
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: ['room:once'], backlog: 10 });
    expect(await socket.next((frame) => frame.op === 'message')).toMatchObject({ body: 'hello' });
    socket.ws.close();
  }
}

/** Issue 9 #4: catch-up shares the one envelope encoding, as live delivery does. */
describe('encode once, for catch-up too', () => {
  it('stringifies a caught-up message once for every recipient on every transport', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const { message } = await server.bus.publish({ topic: 'room:once', from: 'alice', body: 'hello' });
    const encodings = countEncodings(message);
    // 3 recipients × (poll, long poll, WebSocket replay).
    await catchUpEverywhere(server, alice, 3);
    expect(encodings()).toBe(1);
  });

  it('a message delivered live and caught up later is still stringified once', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const live = await TestSocket.open(server, alice);
    live.send({ op: 'subscribe', topics: ['room:once'] });
    await live.next((frame) => frame.op === 'subscribed');
    const spy = vi.spyOn(JSON, 'stringify');
    await server.bus.publish({ topic: 'room:once', from: 'alice', body: 'hello' });
    expect(await live.next((frame) => frame.op === 'message')).toMatchObject({ body: 'hello' });
    const [message] = (await server.bus.catchUp({ 'room:once': 0 }, 10)).messages;
    const encodings = (): number => spy.mock.calls.filter(([value]) => value === message).length;
    expect(encodings()).toBe(1);
    await catchUpEverywhere(server, alice, 2);
    expect(encodings()).toBe(1);
  });
});
