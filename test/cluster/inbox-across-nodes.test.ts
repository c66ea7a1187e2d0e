import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollResponse } from '../../src/protocol/index.ts';
import type { LabServer } from '../../src/server/create.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { createSessionRaw, startServer } from '../behaviour/harness.ts';
import { TEST_SECRET } from './harness.ts';

/**
 * A session is one holder of its name on every node. A node that first sees a
 * session made on another must not take it for a new holder of the name: a new
 * holder's inbox history is forgotten (issue 8, finding 8), so a direct message
 * waiting for its reader would be lost the first time the reader's request
 * lands on another node. Nodes addressed directly, so the route is certain.
 */
describe('an inbox across nodes', () => {
  let redis: OwnRedis;
  const nodes: LabServer[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    const redisPrefix = `labtest-${randomBytes(5).toString('hex')}:`;
    for (const nodeName of ['node-1', 'node-2']) {
      nodes.push(await startServer({ redisUrl: redis.url, redisPrefix, secret: TEST_SECRET, nodeName }));
    }
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    redis?.kill();
  });

  async function poll(baseUrl: string, token: string, topic: string, cursor?: string): Promise<PollResponse> {
    const query = new URLSearchParams({ topics: topic, token, ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${baseUrl}/api/poll?${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as PollResponse;
  }

  it('keeps a waiting direct message when its reader\'s next request lands on another node', async () => {
    const [first, second] = nodes;
    const alice = await createSessionRaw(first.url, `alice-${randomBytes(3).toString('hex')}`);
    const bob = await createSessionRaw(first.url, `bob-${randomBytes(3).toString('hex')}`);
    const inbox = `user:${alice.name}`;
    const { cursor } = await poll(first.url, alice.token, inbox);
    const sent = await fetch(`${first.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bob.token}` },
      body: JSON.stringify({ topic: inbox, body: 'waiting for alice' }),
    });
    expect(sent.status).toBe(201);
    const answer = await poll(second.url, alice.token, inbox, cursor);
    expect(answer.gaps).toEqual([]);
    expect(answer.messages.map((m) => [m.seq, m.from, m.body])).toEqual([[1, bob.name, 'waiting for alice']]);
  });
});
