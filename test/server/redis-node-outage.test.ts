import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerOptions } from '../../src/config.ts';
import type { LabServer } from '../../src/server/create.ts';
import { secretFingerprint } from '../../src/shared/secret-fingerprint.ts';
import { testPrefix } from '../bus/redis-keys.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { closeAll, createSession, eventually, getJson, publish, startServer, TestSocket } from './helpers.ts';

/**
 * A node started with `redisUrl` whose Redis (a redis-server this file owns)
 * is paused and killed under it (issue 10): publishes answer 503 with
 * Retry-After, held receives stay up and resume, nothing acknowledged is lost,
 * /healthz says degraded, and the node never crashes.
 */
let redis: OwnRedis;
/** The redis-server is this file's, killed at the end; a prefix per test keeps the tests apart. */
let redisPrefix = testPrefix();
const SECRET = 'one secret for the nodes';

beforeAll(async () => {
  redis = await OwnRedis.start();
});
afterEach(async () => {
  await closeAll();
  redisPrefix = testPrefix();
});
afterAll(() => redis.kill());

function node(options: Partial<ServerOptions> = {}): Promise<LabServer> {
  return startServer({ redisUrl: redis.url, redisPrefix, secret: SECRET, redisCommandTimeoutMs: 300, ...options });
}

async function health(server: LabServer): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, text: await res.text() };
}

interface PollBody {
  messages: Array<{ body: string; seq: number }>;
  cursor: string;
}

describe('a node whose Redis goes away', () => {
  it('while Redis is paused: 503 with Retry-After, an error frame on ws, healthz degraded; then it resumes, losing nothing', { timeout: 30_000 }, async () => {
    const server = await node();
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    const acknowledged: string[] = [];
    for (const body of ['one', 'two']) {
      expect((await publish(server, alice, { topic: 'room:lobby', body })).status).toBe(201);
      acknowledged.push(body);
    }
    const socket = await TestSocket.open(server, bob);
    socket.send({ op: 'subscribe', topics: ['room:lobby'] });
    await socket.next((frame) => frame.op === 'subscribed');
    const start = (await getJson(server, '/api/poll?topics=room:lobby', bob.auth)).json as unknown as PollBody;
    const held = fetch(`${server.url}/api/longpoll?topics=room:lobby&wait=25&cursor=${encodeURIComponent(start.cursor)}`, { headers: bob.auth });
    await eventually(() => server.stats().transports.longpoll.heldRequests, (count) => count === 1);
    expect(await health(server)).toEqual({ status: 200, text: 'ok' });

    redis.pause();
    try {
      const refused = await publish(server, alice, { topic: 'room:lobby', body: 'during', id: 'a-during' });
      expect(refused).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      socket.send({ op: 'publish', topic: 'room:lobby', body: 'by ws', ref: 'w1' });
      expect(await socket.next((frame) => frame.op === 'error')).toMatchObject({ op: 'error', ref: 'w1', code: 'unavailable' });
      const session = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"carol"}' });
      expect(session.status).toBe(503);
      // A receive that must read Redis cannot: 503 too, with Retry-After.
      const poll = await fetch(`${server.url}/api/poll?topics=room:lobby&backlog=5`, { headers: bob.auth });
      expect(poll.status).toBe(503);
      expect(Number(poll.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Degraded, yet 200: the node still serves what it holds (docs/api.md § Several nodes).
      expect(await eventually(() => health(server), (answer) => answer.text !== 'ok')).toEqual({ status: 200, text: 'degraded: redis unreachable' });
      expect(server.stats().transports.longpoll.heldRequests).toBe(1);
    } finally {
      redis.resume();
    }

    await eventually(async () => (await health(server)).text === 'ok', 'healthz to say ok again');
    // The client retries its refused publish with the same id: stored once.
    const retried = await eventually(() => publish(server, alice, { topic: 'room:lobby', body: 'during', id: 'a-during' }), (answer) => answer.status === 201);
    expect(retried.status).toBe(201);
    acknowledged.push('during');
    const answered = (await (await held).json()) as PollBody;
    expect(answered.messages.map((message) => message.body)).toEqual(['during']);
    expect(await socket.next((frame) => frame.op === 'message')).toMatchObject({ body: 'during' });
    const all = (await getJson(server, '/api/poll?topics=room:lobby&backlog=10', bob.auth)).json as unknown as PollBody;
    expect(all.messages.map((message) => message.body)).toEqual(acknowledged);
    expect(all.messages.map((message) => message.seq)).toEqual([1, 2, 3]);
  });

  it('while Redis is killed and started empty: the node stays up, then serves again, its names held and its secret stored again', { timeout: 30_000 }, async () => {
    const idle = 3_000;
    const a = await node({ sessionIdleMs: idle });
    const b = await node({ sessionIdleMs: idle });
    const alice = await createSession(a, 'alice');
    expect((await publish(a, alice, { topic: 'room:lobby', body: 'old' })).status).toBe(201);
    const start = (await getJson(a, '/api/poll?topics=room:lobby', alice.auth)).json as unknown as PollBody;
    const held = fetch(`${a.url}/api/longpoll?topics=room:lobby&wait=25&cursor=${encodeURIComponent(start.cursor)}`, { headers: alice.auth, signal: AbortSignal.timeout(25_000) })
      .catch(() => undefined);
    await eventually(() => a.stats().transports.longpoll.heldRequests, (count) => count === 1);

    redis.kill();
    expect(await publish(a, alice, { topic: 'room:lobby', body: 'lost?' })).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    expect(await eventually(() => health(a), (answer) => answer.text !== 'ok')).toEqual({ status: 200, text: 'degraded: redis unreachable' });
    expect(a.stats().transports.longpoll.heldRequests).toBe(1);
    await redis.restart();

    await eventually(async () => (await health(a)).text === 'ok' && (await health(b)).text === 'ok', 'both nodes healthy again');
    const after = await eventually(() => publish(a, alice, { topic: 'room:lobby', body: 'new' }), (answer) => answer.status === 201);
    expect(after.json).toMatchObject({ seq: 1 });
    // The held long poll lived through the outage and is answered by the restart: one restarted gap, a cursor of the new epoch.
    const heldAnswer = (await (await held)?.json()) as PollBody & { gaps: unknown[] };
    expect(heldAnswer.gaps).toEqual([{ topic: 'room:lobby', from: 1, to: 0, reason: 'restarted' }]);
    // Node b may answer from the head it knows before the pub/sub copy of 'new' reaches it (docs/api.md,
    // "The head a node knows": late on a short poll, never lost), so it is asked until 'new' is there.
    const fromHeldPoll = (): Promise<PollBody & { gaps: unknown[] }> =>
      getJson(b, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(heldAnswer.cursor)}`, alice.auth)
        .then((answer) => {
          // Healthy means all three of b's Redis connections are back, so nothing answers 503 now.
          expect(answer).toMatchObject({ status: 200 });
          return answer.json as unknown as PollBody & { gaps: unknown[] };
        });
    const fromHeld = heldAnswer.messages.length > 0
      ? await fromHeldPoll()
      : await eventually(fromHeldPoll, (answer) => answer.messages.length > 0 || answer.gaps.length > 0);
    expect(fromHeld.gaps).toEqual([]);
    expect([...heldAnswer.messages, ...fromHeld.messages].map((message) => message.body)).toEqual(['new']);
    // A cursor from before hears of the lost history too.
    const resumed = (await getJson(b, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(start.cursor)}`, alice.auth)).json as unknown as PollBody & { gaps: Array<{ reason: string }> };
    expect(resumed.gaps.map((gap) => gap.reason)).toEqual(['restarted']);
    expect(resumed.messages.map((message) => message.body)).toEqual(['new']);
    // Node a renews alice's lease: the empty Redis holds it again, so node b refuses the name.
    await eventually(async () => (await fetch(`${b.url}/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"alice"}',
    })).status === 409, 'node b to refuse alice');
    const admin = new Redis(redis.url);
    try {
      expect(await eventually(() => admin.get(`${redisPrefix}{user:alice}:holder`), (holder) => holder !== null)).toEqual(expect.any(String));
      expect(await admin.get(`${redisPrefix}secret`)).toBe(secretFingerprint(SECRET));
    } finally {
      await admin.quit();
    }
  });
});
