import { afterEach, describe, expect, it } from 'vitest';
import { publishResultJson } from '../../src/server/publish-route.ts';
import { closeAll, createSession, getJson, publish, startServer } from './helpers.ts';

afterEach(closeAll);

describe('POST /api/messages', () => {
  it('publishes: 201 {topic, seq, id, ts}, seq growing by 1', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const first = await publish(server, alice, { topic: 'room:lobby', body: 'one' });
    const second = await publish(server, alice, { topic: 'room:lobby', body: 'two' });
    expect(first).toMatchObject({ status: 201, json: { topic: 'room:lobby', seq: 1 } });
    expect(second.json).toMatchObject({ seq: 2 });
    expect(typeof first.json.id).toBe('string');
    expect(typeof first.json.ts).toBe('number');
  });

  it('answers with exactly JSON.stringify of the result, whatever the id holds', async () => {
    const ids = ['c1-0007', 's-mx35b0u0vtussu-42', 'say "hi"', 'back\\slash', 'caf\u00e9 \u{1f600}', 'lone \ud800', '\u007f', ''];
    for (const id of ids) {
      const result = { topic: 'room:lobby', seq: 42, id, ts: 1_796_035_738_268 };
      expect(publishResultJson(result)).toBe(JSON.stringify(result));
    }
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const answer = await publish(server, alice, { topic: 'room:lobby', body: 'hi', id: 'quote " and \\' });
    expect(answer).toMatchObject({ status: 201, json: { topic: 'room:lobby', seq: 1, id: 'quote " and \\' } });
  });

  it.each([
    ['malformed JSON', '{"topic":"room:lobby",'],
    ['not an object', '"hello"'],
    ['an array', '[]'],
    ['missing topic', { body: 'hi' }],
    ['missing body', { topic: 'room:lobby' }],
    ['body not a string', { topic: 'room:lobby', body: 42 }],
    ['unknown topic kind', { topic: 'chan:lobby', body: 'hi' }],
    ['control characters in the topic', { topic: 'room:lob\u0007by', body: 'hi' }],
    ['a topic name too long', { topic: `room:${'a'.repeat(65)}`, body: 'hi' }],
    ['an id too long', { topic: 'room:lobby', body: 'hi', id: 'x'.repeat(65) }],
    ['an id with control characters', { topic: 'room:lobby', body: 'hi', id: 'a\nb' }],
  ])('refuses %s with 400 bad_request', async (_what, body) => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const res = await publish(server, alice, body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'bad_request', message: expect.any(String) } });
  });

  it('refuses a body over maxBodyBytes and a request over maxFrameBytes with 413', async () => {
    const server = await startServer({ maxBodyBytes: 1000, maxFrameBytes: 2000 });
    const alice = await createSession(server, 'alice');
    const overBody = await publish(server, alice, { topic: 'room:lobby', body: 'é'.repeat(501) });
    expect(overBody).toMatchObject({ status: 413, json: { error: { code: 'payload_too_large' } } });
    const overFrame = await publish(server, alice, { topic: 'room:lobby', body: 'x'.repeat(3000) });
    expect(overFrame).toMatchObject({ status: 413, json: { error: { code: 'payload_too_large' } } });
    // The server goes on serving.
    expect((await publish(server, alice, { topic: 'room:lobby', body: 'ok' })).status).toBe(201);
  });

  it('stores the same id once and answers the retry with the first seq', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const first = await publish(server, alice, { topic: 'room:lobby', body: 'hi', id: 'c1-0007' });
    const again = await publish(server, alice, { topic: 'room:lobby', body: 'hi', id: 'c1-0007' });
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({ seq: first.json.seq, id: 'c1-0007' });
    const { json } = await getJson(server, '/api/poll?topics=room:lobby&backlog=10', alice.auth);
    expect(json.messages).toHaveLength(1);
  });

  it('answers a direct message to a never-seen name with 404 unknown_user, and keeps serving', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const res = await publish(server, alice, { topic: 'user:nobody', body: 'hello?' });
    expect(res).toMatchObject({ status: 404, json: { error: { code: 'unknown_user' } } });
    await createSession(server, 'bob');
    expect((await publish(server, alice, { topic: 'user:bob', body: 'hi bob' })).status).toBe(201);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('keeps a direct message to an offline user for when they return', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    await publish(server, alice, { topic: 'user:bob', body: 'while you were out' });
    const { json } = await getJson(server, '/api/poll?topics=user:bob&backlog=10', bob.auth);
    expect(json.messages).toEqual([expect.objectContaining({ from: 'alice', body: 'while you were out' })]);
  });

  it('limits a flood from one session with 429 rate_limited and Retry-After', async () => {
    const server = await startServer({ publishRatePerSecond: 1, publishBurst: 5 });
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof publish>> | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await publish(server, alice, { topic: 'room:lobby', body: `m${i}` });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toContain(429);
    expect(limited?.json).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another session has its own allowance.
    expect((await publish(server, bob, { topic: 'room:lobby', body: 'mine' })).status).toBe(201);
  });

  it('attributes a publish to ?via=, and counts one without it under other', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    await publish(server, alice, { topic: 'room:lobby', body: 'a' }, '?via=sse');
    await publish(server, alice, { topic: 'room:lobby', body: 'b' });
    const stats = server.stats();
    expect(stats.transports.sse).toMatchObject({ publishes: 1, requests: 1 });
    expect(stats.transports.poll.publishes + stats.transports.longpoll.publishes + stats.transports.ws.publishes).toBe(0);
    const bad = await publish(server, alice, { topic: 'room:lobby', body: 'c' }, '?via=carrier-pigeon');
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
  });

  it('answers unknown /api paths with a JSON 404', async () => {
    const server = await startServer();
    const res = await getJson(server, '/api/nothing-here');
    expect(res).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
  });
});
