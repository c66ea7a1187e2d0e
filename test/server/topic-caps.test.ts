import { afterEach, describe, expect, it } from 'vitest';
import { resolveServerOptions } from '../../src/config.ts';
import type { ServerFrame } from '../../src/protocol/index.ts';
import { closeAll, createSession, getJson, startServer, TestSocket } from './helpers.ts';

afterEach(closeAll);

/** A topic with the longest name there is (64 characters), numbered. */
const longTopic = (i: number): string => `room:${'t'.repeat(58)}${String(i).padStart(6, '0')}`;
const longTopics = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => longTopic(from + i));

const isReply = (ref: string) => (frame: ServerFrame): boolean => 'ref' in frame && frame.ref === ref;

describe('topic caps (issue 8 #2)', () => {
  it('refuses topics past maxTopicsPerConnection on a WebSocket with bad_request naming the limit; the socket goes on', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: longTopics(0, 32), ref: 'a' });
    expect(await socket.next(isReply('a'))).toMatchObject({ op: 'subscribed' });
    socket.send({ op: 'subscribe', topics: longTopics(32, 1), ref: 'b' });
    const refused = await socket.next(isReply('b'));
    expect(refused).toMatchObject({ op: 'error', code: 'bad_request' });
    expect((refused as { message: string }).message).toContain('maxTopicsPerConnection');
    // Topics it already has are no new topics.
    socket.send({ op: 'subscribe', topics: longTopics(0, 2), ref: 'c' });
    expect(await socket.next(isReply('c'))).toMatchObject({ op: 'subscribed' });
    // Leaving makes room again.
    socket.send({ op: 'unsubscribe', topics: longTopics(0, 1), ref: 'd' });
    await socket.next(isReply('d'));
    socket.send({ op: 'subscribe', topics: longTopics(32, 1), ref: 'e' });
    expect(await socket.next(isReply('e'))).toMatchObject({ op: 'subscribed' });
  });

  it('a subscribe flood holds no more than the cap: every frame past it is refused and the bus keeps 32 subscriptions', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    const frames = 200;
    for (let f = 0; f < frames; f++) socket.send({ op: 'subscribe', topics: longTopics(f * 32, 32), ref: `f${f}` });
    const last = await socket.next(isReply(`f${frames - 1}`), 20_000);
    const replies = [...socket.frames, last];
    expect(replies.filter((frame) => frame.op === 'subscribed')).toHaveLength(1);
    expect(replies.filter((frame) => frame.op === 'error')).toHaveLength(frames - 1);
    expect(server.bus.stats().subscriptions).toBe(32);
  });

  it('a WebSocket cursor over every topic it may follow is accepted back (issue 8 #10)', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const socket = await TestSocket.open(server, alice);
    // Try to follow 64 long-named topics; whatever the socket holds, its cursor must resume.
    socket.send({ op: 'subscribe', topics: longTopics(0, 32), ref: 'a' });
    socket.send({ op: 'subscribe', topics: longTopics(32, 32), ref: 'b' });
    let cursor = '';
    for (const ref of ['a', 'b']) {
      const frame = await socket.next(isReply(ref));
      if (frame.op === 'subscribed') cursor = frame.cursor;
    }
    const again = await TestSocket.open(server, alice);
    again.send({ op: 'subscribe', topics: longTopics(0, 32), cursor, ref: 'r' });
    expect(await again.next(isReply('r'))).toMatchObject({ op: 'subscribed' });
  });

  it('caps topics per session across its sockets and held requests (maxTopicsPerSession)', async () => {
    const server = await startServer({ maxTopicsPerConnection: 8, maxTopicsPerSession: 12 });
    const alice = await createSession(server, 'alice');
    const one = await TestSocket.open(server, alice);
    one.send({ op: 'subscribe', topics: longTopics(0, 8), ref: 'a' });
    expect(await one.next(isReply('a'))).toMatchObject({ op: 'subscribed' });
    const two = await TestSocket.open(server, alice);
    two.send({ op: 'subscribe', topics: longTopics(8, 8), ref: 'b' });
    const refused = await two.next(isReply('b'));
    expect(refused).toMatchObject({ op: 'error', code: 'bad_request' });
    expect((refused as { message: string }).message).toContain('maxTopicsPerSession');
    // An event stream counts too.
    const sse = await fetch(`${server.url}/api/events?topics=${longTopics(20, 5).join(',')}`, { headers: alice.auth });
    expect(sse.status).toBe(400);
    expect(await sse.json()).toMatchObject({ error: { code: 'bad_request' } });
    two.send({ op: 'subscribe', topics: longTopics(8, 4), ref: 'c' });
    expect(await two.next(isReply('c'))).toMatchObject({ op: 'subscribed' });
    // A closed socket gives its topics back.
    one.ws.close();
    await one.closed();
    two.send({ op: 'subscribe', topics: longTopics(40, 4), ref: 'd' });
    expect(await two.next(isReply('d'))).toMatchObject({ op: 'subscribed' });
  });

  it('refuses a poll, long poll or stream naming more than maxTopicsPerConnection topics', async () => {
    const server = await startServer({ maxTopicsPerConnection: 4 });
    const alice = await createSession(server, 'alice');
    for (const path of ['/api/poll', '/api/longpoll', '/api/events']) {
      const { status, json } = await getJson(server, `${path}?wait=0&topics=${longTopics(0, 5).join(',')}`, alice.auth);
      expect(status).toBe(400);
      expect(json).toMatchObject({ error: { code: 'bad_request' } });
      expect(JSON.stringify(json)).toContain('maxTopicsPerConnection');
    }
  });

  it('refuses a maxTopicsPerConnection whose cursor could not fit the cursor limit, by name', () => {
    expect(() => resolveServerOptions({ maxTopicsPerConnection: 64 })).toThrow(/maxTopicsPerConnection/);
    expect(resolveServerOptions({ maxTopicsPerConnection: 46 }).maxTopicsPerConnection).toBe(46);
  });
});
