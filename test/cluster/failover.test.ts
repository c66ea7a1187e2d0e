import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RunningCluster } from '../../src/cluster/cluster.ts';
import type { Client } from '../../src/client/index.ts';
import { TRANSPORT_NAMES, type StatsSnapshot, type TransportName } from '../../src/protocol/index.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { ClientPool, Recorder, eventually, range } from '../behaviour/harness.ts';
import { NGINX_MISSING, UpstreamRecorder } from './harness.ts';

/**
 * A node killed with SIGKILL mid-run (`npm run cluster`'s nodes, as processes):
 * every client that was on it reconnects through nginx to the other node and
 * resumes from its cursor, with zero loss and zero duplicates, on all four
 * transports. A private redis-server; the cluster and Redis are stopped after.
 */
const TOTAL = 40;
const KILL_AFTER = 20;

async function nodeStats(url: string): Promise<StatsSnapshot | undefined> {
  try {
    const response = await fetch(`${url}/api/stats`);
    return (await response.json()) as StatsSnapshot;
  } catch {
    return undefined;
  }
}

/** Publishes with a fixed id until acknowledged: a retry after the kill is de-duplicated by the bus. */
async function publishSurely(client: Client, topic: string, body: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await client.publish(topic, body, `id-${body}`);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe.skipIf(NGINX_MISSING)(`a node killed mid-run${NGINX_MISSING ? ` — skipped: ${NGINX_MISSING}` : ''}`, () => {
  let redis: OwnRedis;
  let cluster: RunningCluster;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await startCluster({ nodes: 2, redisUrl: redis.url });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    redis?.kill();
  }, 30_000);

  it('loses nothing and repeats nothing on any transport: clients resume from their cursors on the other node', async () => {
    const topic = `room:failover-${Date.now().toString(36)}`;
    const pools = new Map<TransportName, ClientPool>(TRANSPORT_NAMES.map((t) => [t, new ClientPool(t)]));
    const readers: { transport: TransportName; recorder: Recorder; upstreams: UpstreamRecorder }[] = [];
    const join = async (transport: TransportName): Promise<void> => {
      const upstreams = new UpstreamRecorder();
      const recorder = await pools.get(transport)!.join(cluster.url, 'reader', [topic], { fetch: upstreams.fetch });
      readers.push({ transport, recorder, upstreams });
    };
    try {
      for (const transport of TRANSPORT_NAMES) await join(transport);
      // The held transports pin a client to a node: open more until each node holds one of each.
      const [victim, survivor] = cluster.nodes;
      for (let extra = 0; extra < 12; extra += 1) {
        const stats = await Promise.all(cluster.nodes.map((node) => nodeStats(node.url)));
        const missing = (['sse', 'ws'] as const).find((t) => stats.some((s) => (s?.transports[t].openConnections ?? 0) === 0));
        if (!missing) break;
        await join(missing);
      }
      const before = await nodeStats(victim.url);
      expect(before?.transports.sse.openConnections).toBeGreaterThan(0);
      expect(before?.transports.ws.openConnections).toBeGreaterThan(0);

      const writer = await pools.get('poll')!.join(cluster.url, 'writer');
      for (const i of range(1, KILL_AFTER)) await publishSurely(writer.client, topic, `m${i}`);
      for (const { recorder } of readers) {
        await eventually(() => recorder.of(topic).length >= KILL_AFTER, `${recorder.client.transport} reader before the kill`, 15_000);
      }
      // The HTTP transports' requests went to both nodes (round-robin, no stickiness).
      for (const { transport, upstreams } of readers.filter((r) => r.transport === 'poll' || r.transport === 'longpoll')) {
        expect({ transport, nodes: new Set(upstreams.upstreams.filter(Boolean)).size }).toEqual({ transport, nodes: 2 });
      }

      victim.child.kill('SIGKILL');
      await victim.exited;
      for (const i of range(KILL_AFTER + 1, TOTAL)) await publishSurely(writer.client, topic, `m${i}`);

      for (const { recorder } of readers) {
        await eventually(() => recorder.of(topic).length >= TOTAL, `${recorder.client.transport} reader to get all ${TOTAL}`, 30_000);
      }
      // One more round-trip through the survivor, so a late duplicate would have arrived.
      await publishSurely(writer.client, topic, 'last');
      for (const { recorder } of readers) await eventually(() => recorder.bodies(topic).includes('last'), 'the last message');
      for (const { transport, recorder } of readers) {
        expect({ transport, seqs: recorder.seqs(topic) }).toEqual({ transport, seqs: range(1, TOTAL + 1) });
        expect({ transport, gaps: recorder.gaps }).toEqual({ transport, gaps: [] });
      }
      // Every held client of the victim moved: the survivor now holds them all.
      const after = await nodeStats(survivor.url);
      for (const transport of ['sse', 'ws'] as const) {
        const count = readers.filter((r) => r.transport === transport).length;
        expect({ transport, open: after?.transports[transport].openConnections }).toEqual({ transport, open: count });
      }
    } finally {
      await Promise.all([...pools.values()].map((pool) => pool.closeAll()));
    }
  }, 90_000);
});
