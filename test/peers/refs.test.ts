/**
 * Each reference server of the peers bench starts on port 0, answers the
 * lab's shapes (PROTOCOL.md), and stops when asked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { io as connectSocketIo } from 'socket.io-client';
import { ServerProcess, SERVER_SPECS } from '../../bench/peers/proc/server-process.ts';
import type { ContenderName } from '../../bench/peers/types.ts';
import type { Message, PollResponse, PublishResult, ServerFrame } from '../../src/protocol/index.ts';
import { eventually } from '../server/helpers.ts';

const started: ServerProcess[] = [];

async function start(name: ContenderName): Promise<ServerProcess> {
  const server = await ServerProcess.start(SERVER_SPECS[name], { pin: false });
  started.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
});

async function session(server: ServerProcess, name: string): Promise<string> {
  const response = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { name: string; token: string };
  expect(body.name).toBe(name);
  return body.token;
}

async function publish(server: ServerProcess, token: string, topic: string, body: string): Promise<PublishResult> {
  const response = await fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ topic, body }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as PublishResult;
}

/** Long polls the reference holds right now (its `/api/stats`). */
async function heldNow(server: ServerProcess): Promise<number> {
  const response = await fetch(`${server.url}/api/stats`);
  return ((await response.json()) as { held: number }).held;
}

function nextFrame(ws: WebSocket, op: ServerFrame['op']): Promise<ServerFrame> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const frame = JSON.parse(data.toString('utf8')) as ServerFrame;
      if (frame.op !== op) return;
      ws.off('message', onMessage);
      resolve(frame);
    };
    ws.on('message', onMessage);
  });
}

describe('reference servers', () => {
  it('node:http answers poll, holds a long poll until a publish, and refuses a missing token', async () => {
    const server = await start('node:http');
    expect(server.port).toBeGreaterThan(0);
    const token = await session(server, 'alice');
    const poll = await fetch(`${server.url}/api/poll?topics=room:a`, { headers: { authorization: `Bearer ${token}` } });
    expect(poll.status).toBe(200);
    const empty = (await poll.json()) as PollResponse;
    expect(empty).toMatchObject({ messages: [], gaps: [], more: false });
    expect(typeof empty.cursor).toBe('string');

    let answered = false;
    const held = fetch(`${server.url}/api/longpoll?topics=room:a&wait=10&cursor=${empty.cursor}`, { headers: { authorization: `Bearer ${token}` } })
      .then((response) => {
        answered = true;
        return response;
      });
    // Held, not answered: the server counts it among its waiters, and no answer has come.
    await eventually(() => heldNow(server), (count) => count === 1);
    expect(answered).toBe(false);
    const published = await publish(server, token, 'room:a', 'hello');
    expect(published).toMatchObject({ topic: 'room:a', seq: 1 });
    const released = (await (await held).json()) as PollResponse;
    expect(released.messages.map((message: Message) => [message.seq, message.body, message.from])).toEqual([[1, 'hello', 'alice']]);

    const resumed = (await (await fetch(`${server.url}/api/poll?topics=room:a&cursor=${empty.cursor}&token=${token}`)).json()) as PollResponse;
    expect(resumed.messages.map((message) => message.body)).toEqual(['hello']);

    const anonymous = await fetch(`${server.url}/api/poll?topics=room:a`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('raw ws speaks the lab frames: subscribed, ack, message', async () => {
    const server = await start('ws');
    const subscriber = new WebSocket(`ws://${server.host}:${server.port}/ws?token=bob`);
    const publisher = new WebSocket(`ws://${server.host}:${server.port}/ws?token=carol`);
    await Promise.all([subscriber, publisher].map((ws) => new Promise((resolve) => ws.once('open', resolve))));
    const subscribed = nextFrame(subscriber, 'subscribed');
    subscriber.send(JSON.stringify({ op: 'subscribe', topics: ['room:b'], ref: '1' }));
    expect(await subscribed).toMatchObject({ op: 'subscribed', ref: '1' });
    const message = nextFrame(subscriber, 'message');
    const ack = nextFrame(publisher, 'ack');
    publisher.send(JSON.stringify({ op: 'publish', topic: 'room:b', body: 'hi', id: 'x1', ref: '2' }));
    expect(await ack).toMatchObject({ op: 'ack', ref: '2', topic: 'room:b', seq: 1, id: 'x1' });
    expect(await message).toMatchObject({ op: 'message', topic: 'room:b', seq: 1, body: 'hi', from: 'carol' });
    subscriber.close();
    publisher.close();
  });

  it('the bare event stream writes one event per publish', async () => {
    const server = await start('sse');
    const token = await session(server, 'dave');
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/api/events?topics=room:c`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    await publish(server, token, 'room:c', 'streamed');
    let text = '';
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    expect(text).toMatch(/^event: message\nid: \S+\ndata: /);
    const data = JSON.parse(/data: (.*)\n/.exec(text)![1]) as Message;
    expect(data).toMatchObject({ topic: 'room:c', seq: 1, body: 'streamed', from: 'dave' });
    controller.abort();
  });

  it('socket.io (websocket only) acks a subscribe and a publish and emits the message', async () => {
    const server = await start('socket.io');
    const options = { transports: ['websocket'], query: { token: 'erin' }, reconnection: false };
    const subscriber = connectSocketIo(server.url, options);
    const publisher = connectSocketIo(server.url, options);
    const subscribed = (await subscriber.emitWithAck('subscribe', ['room:d'])) as { cursor: string };
    expect(typeof subscribed.cursor).toBe('string');
    const message = new Promise<Message>((resolve) => subscriber.once('message', resolve));
    const ack = (await publisher.emitWithAck('publish', { topic: 'room:d', body: 'yo' })) as PublishResult;
    expect(ack).toMatchObject({ topic: 'room:d', seq: 1 });
    expect(await message).toMatchObject({ topic: 'room:d', seq: 1, body: 'yo', from: 'erin' });
    subscriber.close();
    publisher.close();
  });

  it('stops on request: the process exits', async () => {
    const server = await start('node:http');
    expect(server.alive).toBe(true);
    await server.stop();
    expect(server.alive).toBe(false);
  });

  it('a server that cannot start is an error carrying its output, not a hang', async () => {
    await expect(ServerProcess.start({ contender: 'sse', script: 'bench/peers/refs/no-such-file.ts', args: [] }, { pin: false, timeoutMs: 20_000 }))
      .rejects.toThrow(/sse server exited before listening/);
  });
});
