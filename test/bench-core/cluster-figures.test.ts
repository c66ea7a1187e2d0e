import { describe, expect, it } from 'vitest';
import { clusterRow, hopRows, parseInfo, projectNodes, redisCounters, redisDelta } from '../../bench/cluster/figures.ts';
import { clusterTables, topCommands } from '../../bench/cluster/report.ts';
import { formatSummary } from '../../bench/report/terminal.ts';
import type { ClusterResult, ClusterRow } from '../../src/results/cluster.ts';
import type { TransportName, TransportResult } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { makeResultsFixture } from './fixture.ts';

/** The cluster scenario's arithmetic against known values, its validation and its report tables. */

const INFO_BEFORE = [
  '# Stats', 'total_commands_processed:1000', 'total_net_input_bytes:50000', 'total_net_output_bytes:80000',
  '# CPU', 'used_cpu_sys:1.500000', 'used_cpu_user:2.000000',
  '# Commandstats', 'cmdstat_evalsha:calls=10,usec=300,usec_per_call=30.00,rejected_calls=0,failed_calls=0', 'cmdstat_get:calls=5,usec=5,usec_per_call=1.00',
].join('\r\n');
const INFO_AFTER = [
  '# Stats', 'total_commands_processed:1400', 'total_net_input_bytes:70000', 'total_net_output_bytes:120000',
  '# CPU', 'used_cpu_sys:1.700000', 'used_cpu_user:2.300000',
  '# Commandstats', 'cmdstat_evalsha:calls=110,usec=3300,usec_per_call=30.00', 'cmdstat_get:calls=5,usec=5,usec_per_call=1.00',
  'cmdstat_xrange:calls=40,usec=80,usec_per_call=2.00',
].join('\r\n');

/** A fixture's transport row with the figures a cluster row reads. */
function measured(transport: TransportName, p50: number, p99: number, received: number, clients = 10, durationSeconds = 5): TransportResult {
  const base = makeResultsFixture().scenarios[0].transports.find((row) => row.transport === transport)!;
  return {
    ...base, clients, durationSeconds,
    latency: { ...base.latency, p50, p99, count: received },
    deliveries: { ...base.deliveries, expected: received, received },
  };
}

describe('cluster figures', () => {
  it('reads INFO fields and command calls, and subtracts two readings less the idle CPU', () => {
    expect(parseInfo(INFO_BEFORE).get('total_net_input_bytes')).toBe('50000');
    const before = redisCounters(INFO_BEFORE);
    expect(before).toEqual({ commands: 1000, netInputBytes: 50_000, netOutputBytes: 80_000, cpuSeconds: 3.5, calls: { evalsha: 10, get: 5 } });
    const delta = redisDelta(before, redisCounters(INFO_AFTER), 0.1);
    expect(delta.commands).toBe(400);
    expect(delta.netInputBytes).toBe(20_000);
    expect(delta.netOutputBytes).toBe(40_000);
    expect(delta.cpuSeconds).toBeCloseTo(0.4, 9);
    // get did not run in between: left out.
    expect(delta.calls).toEqual({ evalsha: 100, xrange: 40 });
    // Idle CPU larger than what was used: never below zero.
    expect(redisDelta(before, redisCounters(INFO_AFTER), 9).cpuSeconds).toBe(0);
  });

  it('divides the nodes\' and Redis\'s cost by the deliveries and by the client-seconds of publishing', () => {
    const delta = redisDelta(redisCounters(INFO_BEFORE), redisCounters(INFO_AFTER));
    const row = clusterRow('redis-2', measured('ws', 3, 9, 200, 10, 5), { seconds: 8, nodeCpuSeconds: [0.3, 0.1] }, delta);
    expect(row.nodes).toBe(2);
    expect(row.nodesCpuSeconds).toBeCloseTo(0.4, 9);
    expect(row.cpuMicrosPerDelivery).toBeCloseTo(2000, 6);
    expect(row.windowSeconds).toBe(8);
    // 0.4 s over 10 clients × 5 s of publishing (the drain's CPU charged to it).
    expect(row.cpuSecondsPerClientSecond).toBeCloseTo(0.008, 9);
    expect(row.redisPerDelivery).toEqual({ commands: 2, netInputBytes: 100, netOutputBytes: 200, cpuMicros: expect.closeTo(2500, 6) as number });
    const memory = clusterRow('memory-1', measured('ws', 1, 4, 0), { seconds: 0, nodeCpuSeconds: [0] }, undefined);
    expect(memory.redis).toBeUndefined();
    expect(memory.cpuMicrosPerDelivery).toBe(0);
  });

  it('sets each Redis row against the in-memory row of its transport', () => {
    const rows = [
      clusterRow('memory-1', measured('sse', 1, 4, 100), { seconds: 5, nodeCpuSeconds: [0.05] }, undefined),
      clusterRow('redis-1', measured('sse', 1.5, 3, 100), { seconds: 5, nodeCpuSeconds: [0.075] }, undefined),
      clusterRow('redis-2', measured('sse', 2, 6, 100), { seconds: 5, nodeCpuSeconds: [0.05, 0.05] }, undefined),
      clusterRow('redis-2', measured('ws', 2, 6, 100), { seconds: 5, nodeCpuSeconds: [0.05, 0.05] }, undefined),
    ];
    expect(hopRows(rows)).toEqual([
      { transport: 'sse', setup: 'redis-1', addedP50Ms: 0.5, addedP99Ms: -1, cpuRatio: 1.5 },
      { transport: 'sse', setup: 'redis-2', addedP50Ms: 1, addedP99Ms: 2, cpuRatio: 2 },
    ]);
  });

  it('projects nodes from the two-node row: ⌈N ÷ ⌊share ÷ c⌋⌉, and Redis\'s share at N and its own ceiling', () => {
    const delta = { commands: 0, netInputBytes: 0, netOutputBytes: 0, cpuSeconds: 0.1, calls: {} };
    // c = 0.5 s ÷ (10 clients × 5 s) = 0.01; 0.7 ÷ 0.01 = 70 clients per node.
    const row = clusterRow('redis-2', measured('ws', 2, 6, 100), { seconds: 7, nodeCpuSeconds: [0.25, 0.25] }, delta);
    const [projection] = projectNodes([row], 0.7);
    expect(projection.clientsPerNode).toBe(70);
    expect(projection.nodes).toEqual([{ clients: 10_000, nodes: 143 }, { clients: 100_000, nodes: 1429 }]);
    // r = 0.1 ÷ 50 client-seconds = 0.002 → 10,000 clients: 20 cores' worth = 2000 %; one Redis at 0.7: 350 clients.
    expect(projection.redisCpuPercent[0].percent).toBeCloseTo(2000, 6);
    expect(projection.clientsPerRedis).toBe(350);
    // The one-node rows are not the projection's basis.
    expect(projectNodes([{ ...row, setup: 'redis-1' }], 0.7)).toEqual([]);
  });
});

function clusterResult(rows: ClusterRow[]): ClusterResult {
  return {
    description: 'test', cores: 2, proxy: 'nginx/1.22.1', errors: [], rows, hop: hopRows(rows),
    settings: { clients: 10, publishRatePerSecond: 1, durationSeconds: 5, bodyBytes: 100, pollIntervalMs: 1000, network: 'loopback', failoverReaders: 6, targetCpuShare: 0.7 },
    redis: { version: '7.0.15', owned: true, keyPrefix: 'bench-cluster-x:', idleCpuPerSecond: 0.001 },
    projection: { formula: 'nodes(N) = …', basis: 'CPU', rows: projectNodes(rows, 0.7) },
    failover: [{ transport: 'ws', readers: 6, noticed: 3, reconnectMs: { p50: 120, max: 300, count: 3 }, unrecovered: 0, sent: 20, expected: 120, delivered: 120, lost: 0, duplicated: 0, gaps: 0 }],
  };
}

describe('cluster results and report', () => {
  const delta = redisDelta(redisCounters(INFO_BEFORE), redisCounters(INFO_AFTER));
  const rows = [
    clusterRow('memory-1', measured('ws', 1, 4, 100), { seconds: 5, nodeCpuSeconds: [0.05] }, undefined),
    clusterRow('redis-2', measured('ws', 2, 6, 100), { seconds: 5, nodeCpuSeconds: [0.05, 0.05] }, delta),
  ];

  it('validates a run with cluster figures, and names a broken row', () => {
    const results = { ...makeResultsFixture(), cluster: clusterResult(rows) };
    expect(validateResults(JSON.parse(JSON.stringify(results)))).toMatchObject({ ok: true });
    const broken = structuredClone(results) as unknown as { cluster: { rows: Record<string, unknown>[] } };
    delete broken.cluster.rows[1].nodeCpuSeconds;
    expect(validateResults(broken)).toMatchObject({ ok: false, failure: 'corrupt', reason: expect.stringContaining('cluster rows[1]') as string });
  });

  it('prints the setups, the commands, the hop, the projection with its formula, the failover, and says why two cores show no gain', () => {
    const results = { ...makeResultsFixture(), cluster: clusterResult(rows) };
    expect(clusterTables(results).map((table) => table.head[0])).toEqual(['setup', 'transport', 'transport', 'transport', 'transport']);
    const text = formatSummary(results);
    expect(text).toContain('a second node cannot add throughput here');
    expect(text).toContain('nodes(N) = …');
    expect(text).toContain('nodes for 10,000');
    expect(text).toContain('+1.00 ms');
    expect(topCommands({ get: 10, evalsha: 30, xrange: 20 }, 10)).toBe('evalsha 3, xrange 2, get 1');
    expect(clusterTables(makeResultsFixture())).toEqual([]);
  });
});
