import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, eventually, getJson, publish, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

interface PollBody {
  messages: Array<{ seq: number; body: string }>;
  gaps: unknown[];
  cursor: string;
  more: boolean;
}

async function longPoll(server: LabServer, session: TestSession, query: string, signal?: AbortSignal): Promise<{ status: number; body: PollBody }> {
  const res = await fetch(`${server.url}/api/longpoll?${query}`, { headers: session.auth, signal });
  return { status: res.status, body: (await res.json()) as PollBody };
}

const held = (server: LabServer): number => server.stats().transports.longpoll.heldRequests;

describe('GET /api/longpoll', () => {
  it('holds the request until a message arrives, then answers with it and a cursor after it', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const pending = longPoll(server, alice, 'topics=room:lobby&wait=10');
    await eventually(() => held(server), (n) => n === 1);
    await publish(server, alice, { topic: 'room:lobby', body: 'wake up' });
    const { status, body } = await pending;
    expect(status).toBe(200);
    expect(body.messages.map((m) => m.body)).toEqual(['wake up']);
    expect(held(server)).toBe(0);
    await publish(server, alice, { topic: 'room:lobby', body: 'next' });
    const next = await longPoll(server, alice, `topics=room:lobby&wait=10&cursor=${encodeURIComponent(body.cursor)}`);
    expect(next.body.messages.map((m) => m.body)).toEqual(['next']);
  });

  it('answers empty after wait runs out', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const { body } = await longPoll(server, alice, 'topics=room:lobby&wait=0.2');
    expect(body).toMatchObject({ messages: [], gaps: [], more: false });
    expect(server.stats().transports.longpoll).toMatchObject({ emptyResponses: 1, heldRequests: 0 });
  });

  it('releases every waiter of a topic with one publish', async () => {
    const server = await startServer();
    const sessions = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => createSession(server, name)));
    const pending = sessions.map((session) => longPoll(server, session, 'topics=room:lobby&wait=10'));
    await eventually(() => held(server), (n) => n === 5);
    await publish(server, sessions[0], { topic: 'room:lobby', body: 'all' });
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.body.messages.map((m) => m.body))).toEqual(Array(5).fill(['all']));
    expect(server.bus.stats().subscriptions).toBe(0);
  });

  it('answers an older held long poll of the same session and topics at once, empty, when a second one comes', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const older = longPoll(server, alice, 'topics=room:lobby&wait=30');
    await eventually(() => held(server), (n) => n === 1);
    const newer = longPoll(server, alice, 'topics=room:lobby&wait=30');
    const first = await older;
    expect(first.body).toMatchObject({ messages: [], gaps: [] });
    await eventually(() => held(server), (n) => n === 1);
    await publish(server, alice, { topic: 'room:lobby', body: 'to the newer one' });
    expect((await newer).body.messages.map((m) => m.body)).toEqual(['to the newer one']);
    expect(held(server)).toBe(0);
  });

  it('frees an aborted long poll at once: held count and subscriptions back to 0', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const controller = new AbortController();
    const pending = longPoll(server, alice, 'topics=room:lobby,user:alice&wait=30', controller.signal).catch((error: unknown) => error);
    await eventually(() => held(server), (n) => n === 1);
    expect(server.bus.stats().subscriptions).toBe(2);
    controller.abort();
    await pending;
    await eventually(() => [held(server), server.bus.stats().subscriptions], ([h, s]) => h === 0 && s === 0);
  });

  it('refuses held requests over maxHeldRequests with 503 too_many_connections', async () => {
    const server = await startServer({ maxHeldRequests: 1 });
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    const first = longPoll(server, alice, 'topics=room:lobby&wait=30');
    await eventually(() => held(server), (n) => n === 1);
    const res = await getJson(server, '/api/longpoll?topics=room:lobby&wait=30', bob.auth);
    expect(res).toMatchObject({ status: 503, json: { error: { code: 'too_many_connections' } } });
    await publish(server, bob, { topic: 'room:lobby', body: 'done' });
    expect((await first).body.messages).toHaveLength(1);
  });

  it('answers a held long poll with 503 shutting_down when the server closes', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.get(`${server.url}/api/longpoll?topics=room:lobby&wait=30`, { headers: alice.auth }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    await eventually(() => held(server), (n) => n === 1);
    await server.close();
    const { status, body } = await answer;
    expect(status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'shutting_down' } });
  });
});
