import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster } from '../../src/cluster/cluster.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { sessionFrom } from '../server/from-address.ts';
import { NGINX_MISSING, startInProcessCluster, type InProcessCluster } from './harness.ts';

/**
 * trustProxy behind the real nginx (issue 10): the shipped config forwards
 * X-Real-IP and X-Forwarded-For, the nodes trust nginx's address (127.0.0.1),
 * so the per-address limits count each client (127.0.0.2, 127.0.0.3: all of
 * 127/8 is this machine) across both nodes — not nginx — and neither a header
 * a client sends through nginx nor one sent to a node directly moves it to
 * another address's budget.
 */
const ALICE = '127.0.0.2';
const BOB = '127.0.0.3';

describe.skipIf(NGINX_MISSING)(`per-address limits behind nginx${NGINX_MISSING ? ` — skipped: ${NGINX_MISSING}` : ''}`, () => {
  let redis: OwnRedis;
  let cluster: InProcessCluster;
  const nginx = (): { host: string; port: number } => ({ host: '127.0.0.1', port: cluster.port });

  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await startInProcessCluster(redis.url, 2, {
      trustProxy: true,
      trustedProxies: ['127.0.0.1'],
      // Two sessions per address, next to no refill while the test runs.
      sessionCreateBurstPerAddress: 2,
      sessionCreateRatePerSecondPerAddress: 0.01,
    });
  });
  afterAll(async () => {
    await cluster?.close();
    redis?.kill();
  });

  it('each forwarded address has its own budget, agreed by both nodes; a forged X-Forwarded-For changes nothing', async () => {
    const alice = [];
    for (let i = 0; i < 2; i++) alice.push(await sessionFrom(ALICE, nginx(), `alice${i}`));
    expect(alice.map((answer) => answer.status)).toEqual([201, 201]);
    // The two sessions were made on different nodes (round-robin), and still count together.
    expect(new Set(alice.map((answer) => cluster.nodeOf(String(answer.headers['x-lab-upstream']))))).toEqual(new Set([0, 1]));
    // Through nginx, a forged header is to the left of the address nginx appends: not believed.
    const forged = await sessionFrom(ALICE, nginx(), 'alice2', { 'x-forwarded-for': '203.0.113.50', 'x-real-ip': '203.0.113.51' });
    expect(forged.status).toBe(429);
    // Bob behind the same nginx is another address.
    expect((await sessionFrom(BOB, nginx(), 'bob0')).status).toBe(201);
  });

  it('a client that reaches a node directly cannot spoof the header', async () => {
    const node = cluster.nodes[0];
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await sessionFrom('127.0.0.4', node, `direct${i}`, { 'x-forwarded-for': `203.0.113.${60 + i}`, 'x-real-ip': `203.0.113.${70 + i}` })).status);
    }
    expect(statuses).toEqual([201, 201, 429]);
  });

  it('npm run cluster starts its nodes with --trust-proxy (nginx forwards from loopback)', async () => {
    const started = await startCluster({ nodes: 1, redisUrl: redis.url });
    try {
      expect(started.nodes[0].child.spawnargs).toContain('--trust-proxy');
    } finally {
      await started.close();
    }
  });
});
