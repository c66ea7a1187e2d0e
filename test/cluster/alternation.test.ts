import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { createSessionRaw } from '../behaviour/harness.ts';
import { NGINX_MISSING, startInProcessCluster, type InProcessCluster } from './harness.ts';
import { receiveOnce } from './raw-receive.ts';

/**
 * No stickiness, request by request: one client alone on two nodes behind the
 * shipped nginx config makes strictly sequential requests — publish, receive
 * from its cursor, publish, receive… — and each lands on the other node
 * (nginx's `X-Lab-Upstream`), yet every receive gets exactly the next message:
 * the session is a token any node verifies and the position is the cursor.
 */
const ROUNDS = 5;

describe.skipIf(NGINX_MISSING)(`consecutive requests of one client alternate nodes${NGINX_MISSING ? ` — skipped: ${NGINX_MISSING}` : ''}`, () => {
  let redis: OwnRedis;
  let cluster: InProcessCluster;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await startInProcessCluster(redis.url, 2);
  });
  afterAll(async () => {
    await cluster?.close();
    redis?.kill();
  });

  for (const transport of TRANSPORT_NAMES) {
    it(`${transport}: each request on the other node, every message once and in order`, async () => {
      const topic = `room:alt-${transport}`;
      const session = await createSessionRaw(cluster.url, `alt-${transport}-${Date.now().toString(36)}`);
      const nodes: number[] = [];
      const subscribed = await receiveOnce(transport, cluster.url, session.token, topic);
      nodes.push(cluster.nodeOf(subscribed.upstream));
      let cursor = subscribed.cursor;
      const received: [number, string][] = [];
      for (let i = 1; i <= ROUNDS; i += 1) {
        // A WebSocket publish would ride the socket; over HTTP it is one more request to alternate.
        const via = transport === 'ws' ? '' : `?via=${transport}`;
        const published = await fetch(`${cluster.url}/api/messages${via}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
          body: JSON.stringify({ topic, body: `m${i}` }),
        });
        expect(published.status).toBe(201);
        nodes.push(cluster.nodeOf(published.headers.get('x-lab-upstream')));
        const receipt = await receiveOnce(transport, cluster.url, session.token, topic, cursor);
        nodes.push(cluster.nodeOf(receipt.upstream));
        received.push(...receipt.messages.map((m): [number, string] => [m.seq, m.body]));
        cursor = receipt.cursor;
      }
      expect(nodes).not.toContain(-1);
      // Alternating: no two consecutive requests on the same node.
      for (let i = 1; i < nodes.length; i += 1) expect([i, nodes[i]]).not.toEqual([i, nodes[i - 1]]);
      expect(received).toEqual(Array.from({ length: ROUNDS }, (_, i) => [i + 1, `m${i + 1}`]));
    });
  }
});
