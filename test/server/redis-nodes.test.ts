import { afterEach, describe, expect, it } from 'vitest';
import type { ServerOptions } from '../../src/config.ts';
import type { LabServer } from '../../src/server/create.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../bus/redis-keys.ts';
import { closeAll, createSession, eventually, getJson, publish, startServer, type TestSession } from './helpers.ts';

/**
 * Names held, known users and rate limits agreed across nodes (issue 10): two
 * (or three) lab servers started with `redisUrl`, one secret and one prefix,
 * as `npm start -- --redis` starts them. A client's requests alternate nodes.
 */
const prefixes: string[] = [];

async function nodes(count: number, options: Partial<ServerOptions> = {}): Promise<LabServer[]> {
  const redisPrefix = testPrefix();
  prefixes.push(redisPrefix);
  const started: LabServer[] = [];
  for (let i = 0; i < count; i++) {
    started.push(await startServer({ redisUrl: REDIS_URL, redisPrefix, secret: 'shared by every node', nodeName: `node-${i}`, ...options }));
  }
  return started;
}

afterEach(async () => {
  await closeAll();
  await Promise.all(prefixes.splice(0).map((used) => deleteKeys(used)));
});

/** POST /api/session on `server`, with a token to present (a holder back) or none. */
async function sessionRequest(server: LabServer, name: string, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ name }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const asTest = (name: string, token: string): TestSession => ({ name, token, cookie: '', auth: { authorization: `Bearer ${token}` } });

describe('several nodes on one Redis', () => {
  it('hold a name once for all nodes, and give it back to its holder on any node', async () => {
    const [a, b] = await nodes(2);
    const alice = await createSession(a, 'alice');
    expect(await sessionRequest(b, 'alice')).toMatchObject({ status: 409, json: { error: { code: 'name_taken' } } });
    const back = await sessionRequest(b, 'alice', alice.token);
    expect(back.status).toBe(201);
    // A token made by one node is good on the other: it publishes and reads there.
    expect((await publish(b, alice, { topic: 'room:lobby', body: 'from b' })).status).toBe(201);
    const read = await getJson(a, '/api/poll?topics=room:lobby&backlog=5', alice.auth);
    expect(read.json.messages).toEqual([expect.objectContaining({ from: 'alice', body: 'from b' })]);
  });

  it('share the publish limits of a session and of an address across nodes', async () => {
    const [a, b] = await nodes(2, { publishRatePerSecond: 0.01, publishBurst: 3, publishRatePerSecondPerAddress: 0.01, publishBurstPerAddress: 5 });
    const alice = await createSession(a, 'alice');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await publish(i % 2 === 0 ? a : b, alice, { topic: 'room:lobby', body: `m${i}` })).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    // A fresh session of the same address has two of the address's five left, on either node.
    const bob = await createSession(b, 'bob');
    const refused = [];
    for (let i = 0; i < 3; i++) refused.push(await publish(i % 2 === 0 ? b : a, bob, { topic: 'room:lobby', body: `b${i}` }));
    expect(refused.map((answer) => answer.status)).toEqual([201, 201, 429]);
    expect(refused[2]?.json).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(refused[2]?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('share the per-address allowance of new sessions across nodes', async () => {
    const [a, b] = await nodes(2, { sessionCreateRatePerSecondPerAddress: 0.01, sessionCreateBurstPerAddress: 2 });
    expect((await sessionRequest(a, 'one')).status).toBe(201);
    expect((await sessionRequest(b, 'two')).status).toBe(201);
    expect(await sessionRequest(a, 'three')).toMatchObject({ status: 429, json: { error: { code: 'rate_limited' } } });
    expect((await sessionRequest(b, 'four')).status).toBe(429);
  });

  it('pass an idle name to a new holder: the old token is refused on every node, the inbox does not pass', async () => {
    const idle = 300;
    const [a, b] = await nodes(2, { sessionIdleMs: idle });
    const alice = await createSession(a, 'alice');
    const bob = await createSession(b, 'bob');
    expect((await publish(b, bob, { topic: 'user:alice', body: 'for alice only' })).status).toBe(201);
    // alice's token is seen on b too, then she goes quiet.
    expect((await getJson(b, '/api/poll?topics=room:lobby', alice.auth)).status).toBe(200);
    const mallory = await eventually(() => sessionRequest(b, 'alice'), (answer) => answer.status === 201, idle * 20);
    const malloryToken = asTest('alice', mallory.json.token as string);
    const inbox = await getJson(b, '/api/poll?topics=user:alice&backlog=10', malloryToken.auth);
    expect(inbox.json.messages).toEqual([]);
    // Node a heard the name pass: alice's old token is refused there at once, on receive and publish alike.
    await eventually(async () => (await getJson(a, '/api/poll?topics=room:lobby', alice.auth)).status, (status) => status === 401);
    expect((await publish(a, alice, { topic: 'room:lobby', body: 'as alice?' })).status).toBe(401);
    expect((await publish(b, alice, { topic: 'room:lobby', body: 'as alice?' })).status).toBe(401);
  });

  it('a node that never heard of the passing still never lets the old token publish', async () => {
    const idle = 300;
    const [a] = await nodes(1, { sessionIdleMs: idle });
    const alice = await createSession(a, 'alice');
    await eventually(() => sessionRequest(a, 'alice'), (answer) => answer.status === 201, idle * 20);
    // A node started afterwards knows nothing of alice: its first sight of the old token is checked before it speaks.
    const redisPrefix = prefixes[0] as string;
    const late = await startServer({ redisUrl: REDIS_URL, redisPrefix, secret: 'shared by every node', sessionIdleMs: idle });
    expect(await publish(late, alice, { topic: 'room:lobby', body: 'as alice?' })).toMatchObject({ status: 401, json: { error: { code: 'unauthorized' } } });
    // Once checked, the old token stays refused there for receives too (not served again while another check runs).
    for (let i = 0; i < 3; i++) expect((await getJson(late, '/api/poll?topics=user:alice', alice.auth)).status).toBe(401);
  });

  it('keep a name held while its session holds a connection on one node, though it is idle on the others', async () => {
    const idle = 300;
    const [a, b] = await nodes(2, { sessionIdleMs: idle });
    const alice = await createSession(a, 'alice');
    const start = await getJson(a, '/api/poll?topics=room:lobby', alice.auth);
    const held = fetch(`${a.url}/api/longpoll?topics=room:lobby&wait=10&cursor=${encodeURIComponent(start.json.cursor as string)}`, { headers: alice.auth });
    await eventually(() => a.stats().transports.longpoll.heldRequests, (count) => count === 1);
    const claimedAt = Date.now();
    // Past three idle windows, node a has renewed the lease: b still refuses the name.
    await eventually(() => Date.now() - claimedAt > idle * 3, 'three idle windows to pass');
    expect((await sessionRequest(b, 'alice')).status).toBe(409);
    expect((await publish(b, alice, { topic: 'room:lobby', body: 'still mine' })).status).toBe(201);
    expect(((await (await held).json()) as { messages: unknown[] }).messages).toHaveLength(1);
  });

  it('let the names of a node that stopped go within one idle window, though their sessions held connections there', async () => {
    const idle = 300;
    const [a, b] = await nodes(2, { sessionIdleMs: idle });
    const alice = await createSession(a, 'alice');
    const start = await getJson(a, '/api/poll?topics=room:lobby', alice.auth);
    const held = fetch(`${a.url}/api/longpoll?topics=room:lobby&wait=10&cursor=${encodeURIComponent(start.json.cursor as string)}`, { headers: alice.auth })
      .catch(() => undefined);
    await eventually(() => a.stats().transports.longpoll.heldRequests, (count) => count === 1);
    expect((await sessionRequest(b, 'alice')).status).toBe(409);
    // Node a goes away (its lease renewals stop with it); b gives the name out once the lease runs out.
    await a.close();
    await held;
    const taken = await eventually(() => sessionRequest(b, 'alice'), (answer) => answer.status === 201, idle * 20);
    expect(taken.json).toMatchObject({ name: 'alice', token: expect.any(String) });
  });

  it('forget an inbox that never held a message (a name passing before anyone wrote to it)', async () => {
    const [a] = await nodes(1);
    await expect(a.bus.forget('user:nobody-wrote')).resolves.toBeUndefined();
  });

  it('name themselves in /api/stats', async () => {
    const [a, b] = await nodes(2);
    expect((await getJson(a, '/api/stats')).json.node).toBe('node-0');
    expect((await getJson(b, '/api/stats')).json.node).toBe('node-1');
  });
});
