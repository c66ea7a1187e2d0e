import { describe, expect, it } from 'vitest';
import { runClusterPart } from '../../bench/cluster/part.ts';
import { DEFAULT_SETTINGS } from '../../bench/scenarios/index.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import { CLUSTER_SETUPS } from '../../src/results/cluster.ts';
import type { BenchResults } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { NGINX_MISSING } from '../cluster/harness.ts';
import { makeResultsFixture } from '../bench-core/fixture.ts';

/**
 * The cluster scenario end to end, tiny: four clients for a second per row on
 * each setup (in-memory, Redis one node, Redis two nodes behind nginx), then
 * the failover with a node SIGKILLed. Every figure the report prints must be
 * there, nothing lost or twice, and the readers of the killed node back.
 */
describe.skipIf(NGINX_MISSING)(`cluster scenario${NGINX_MISSING ? ` — skipped: ${NGINX_MISSING}` : ''}`, () => {
  it('measures every setup and transport, and the failover loses nothing', { timeout: 240_000 }, async () => {
    const results: BenchResults = { ...makeResultsFixture(), scenarios: [], errors: [], incomplete: false };
    await runClusterPart(results, {
      transports: [...TRANSPORT_NAMES],
      settings: { ...DEFAULT_SETTINGS, clients: 4, durationSeconds: 1, network: { name: 'loopback', rttMs: 0 } },
      quick: true,
      pin: false,
      signal: new AbortController().signal,
      failover: { readersPerTransport: 2, recoverySeconds: 15 },
    });
    const cluster = results.cluster;
    expect(cluster).toBeDefined();
    if (!cluster) return;
    expect(cluster.errors).toEqual([]);
    expect(results.incomplete).toBe(false);
    expect(cluster.rows.map((row) => `${row.setup}/${row.transport}`)).toEqual(
      CLUSTER_SETUPS.flatMap((setup) => TRANSPORT_NAMES.map((t) => `${setup}/${t}`)),
    );
    for (const row of cluster.rows) {
      const where = `${row.setup}/${row.transport}`;
      expect(row.incomplete, where).toBe(false);
      expect(row.deliveries.received, where).toBeGreaterThan(0);
      expect(row.deliveries.lost, where).toBe(0);
      expect(row.deliveries.duplicated, where).toBe(0);
      expect(row.latency.count, where).toBe(row.deliveries.received);
      expect(row.nodeCpuSeconds.length, where).toBe(row.setup === 'redis-2' ? 2 : 1);
      expect(row.cpuMicrosPerDelivery, where).toBeGreaterThan(0);
      if (row.setup === 'memory-1') {
        expect(row.redis, where).toBeUndefined();
      } else {
        // At least the publish script per message, and the pushes of pub/sub back to the nodes.
        expect(row.redis?.commands, where).toBeGreaterThan(0);
        expect(row.redisPerDelivery?.netInputBytes, where).toBeGreaterThan(0);
        expect(row.redisPerDelivery?.netOutputBytes, where).toBeGreaterThan(0);
      }
    }
    expect(cluster.hop).toHaveLength(2 * TRANSPORT_NAMES.length);
    expect(cluster.projection.rows.map((row) => row.transport)).toEqual([...TRANSPORT_NAMES]);
    for (const row of cluster.projection.rows) expect(row.clientsPerNode).toBeGreaterThan(0);

    expect(cluster.failover.map((row) => row.transport)).toEqual([...TRANSPORT_NAMES]);
    for (const row of cluster.failover) {
      expect(row.sent, row.transport).toBeGreaterThan(0);
      expect(row.lost, row.transport).toBe(0);
      expect(row.duplicated, row.transport).toBe(0);
      expect(row.gaps, row.transport).toBe(0);
      expect(row.delivered, row.transport).toBe(row.expected);
      expect(row.unrecovered, row.transport).toBe(0);
      expect(row.reconnectMs.count, row.transport).toBe(row.noticed);
    }
    // Each node held a reader of each held transport: the killed node's readers noticed and came back.
    for (const transport of ['sse', 'ws']) {
      const row = cluster.failover.find((r) => r.transport === transport);
      expect(row?.noticed, transport).toBeGreaterThan(0);
      expect(row?.reconnectMs.max, transport).toBeGreaterThan(0);
    }
    expect(validateResults(JSON.parse(JSON.stringify(results)))).toMatchObject({ ok: true });
  });
});
