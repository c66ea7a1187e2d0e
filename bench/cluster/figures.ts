/**
 * The cluster scenario's arithmetic, pure (STYLE: aggregate is math tested
 * against known values): Redis's INFO read and subtracted, a row's cost per
 * delivery, the hop against the in-memory row, and the nodes a number of
 * clients needs.
 */
import type { TransportResult } from '../../src/results/schema.ts';
import type { ClusterRow, ClusterSetupName, HopRow, NodesProjection, RedisDelta } from '../../src/results/cluster.ts';

/** Redis's counters at one moment (from `INFO stats`, `INFO cpu`, `INFO commandstats`). */
export interface RedisCounters {
  commands: number;
  netInputBytes: number;
  netOutputBytes: number;
  cpuSeconds: number;
  calls: Record<string, number>;
}

/** `INFO` text (any sections) → its `key:value` fields. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export function redisCounters(info: string): RedisCounters {
  const fields = parseInfo(info);
  const number = (key: string): number => Number(fields.get(key) ?? 0);
  const calls: Record<string, number> = {};
  for (const [key, value] of fields) {
    // cmdstat_evalsha:calls=12,usec=345,usec_per_call=28.75,...
    if (!key.startsWith('cmdstat_')) continue;
    const match = /(?:^|,)calls=(\d+)/.exec(value);
    if (match) calls[key.slice('cmdstat_'.length)] = Number(match[1]);
  }
  return {
    commands: number('total_commands_processed'),
    netInputBytes: number('total_net_input_bytes'),
    netOutputBytes: number('total_net_output_bytes'),
    cpuSeconds: number('used_cpu_user') + number('used_cpu_sys'),
    calls,
  };
}

/**
 * After minus before; the commands that did not run in between are left out.
 * `idleCpuSeconds`: what Redis would have spent idle over the window (its
 * timers), taken off, so that a small run does not charge it to deliveries.
 */
export function redisDelta(before: RedisCounters, after: RedisCounters, idleCpuSeconds = 0): RedisDelta {
  const calls: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.calls)) {
    const ran = count - (before.calls[name] ?? 0);
    if (ran > 0) calls[name] = ran;
  }
  return {
    commands: after.commands - before.commands,
    netInputBytes: after.netInputBytes - before.netInputBytes,
    netOutputBytes: after.netOutputBytes - before.netOutputBytes,
    cpuSeconds: Math.max(0, after.cpuSeconds - before.cpuSeconds - idleCpuSeconds),
    calls,
  };
}

function per(value: number, count: number): number {
  return count > 0 ? value / count : 0;
}

/** One transport on one setup: the workload's figures, the nodes' CPU and Redis's counters over the same phase. */
export function clusterRow(
  setup: ClusterSetupName, measured: TransportResult, window: { seconds: number; nodeCpuSeconds: number[] }, redis: RedisDelta | undefined,
): ClusterRow {
  const { nodeCpuSeconds } = window;
  const deliveries = measured.deliveries.received;
  const nodesCpuSeconds = nodeCpuSeconds.reduce((sum, seconds) => sum + seconds, 0);
  return {
    setup,
    transport: measured.transport,
    nodes: nodeCpuSeconds.length,
    incomplete: measured.incomplete,
    errors: measured.errors.map((error) => `${error.source}: ${error.message}`),
    durationSeconds: measured.durationSeconds,
    windowSeconds: window.seconds,
    clients: measured.clients,
    latency: measured.latency,
    deliveries: measured.deliveries,
    nodesCpuSeconds,
    nodeCpuSeconds,
    cpuMicrosPerDelivery: per(nodesCpuSeconds * 1e6, deliveries),
    cpuSecondsPerClientSecond: per(nodesCpuSeconds, measured.clients * measured.durationSeconds),
    ...(redis
      ? {
          redis,
          redisPerDelivery: {
            commands: per(redis.commands, deliveries),
            netInputBytes: per(redis.netInputBytes, deliveries),
            netOutputBytes: per(redis.netOutputBytes, deliveries),
            cpuMicros: per(redis.cpuSeconds * 1e6, deliveries),
          },
        }
      : {}),
  };
}

/** Each Redis row against the in-memory row of its transport. */
export function hopRows(rows: readonly ClusterRow[]): HopRow[] {
  const hops: HopRow[] = [];
  for (const row of rows) {
    if (row.setup === 'memory-1') continue;
    const base = rows.find((other) => other.setup === 'memory-1' && other.transport === row.transport);
    if (!base) continue;
    hops.push({
      transport: row.transport,
      setup: row.setup,
      addedP50Ms: row.latency.p50 - base.latency.p50,
      addedP99Ms: row.latency.p99 - base.latency.p99,
      cpuRatio: per(row.cpuMicrosPerDelivery, base.cpuMicrosPerDelivery),
    });
  }
  return hops;
}

export const PROJECTION_CLIENTS = [10_000, 100_000];

export function projectionFormula(targetCpuShare: number): string {
  return (
    `nodes(N) = ⌈N ÷ ⌊${targetCpuShare} ÷ c⌋⌉, c = node CPU seconds per client per second on the two-node row ` +
    `(summed over the nodes ÷ (clients × seconds of publishing)); Redis core % at N = N × r × 100 and clients per Redis = ⌊${targetCpuShare} ÷ r⌋, ` +
    'r = Redis CPU seconds (beyond its idle) per client per second'
  );
}

/** What N clients means in the projection: more rooms like the measured one, each client's traffic unchanged. */
export function projectionBasis(targetCpuShare: number, clients: number, publishRatePerSecond: number): string {
  return (
    `N clients = N ÷ ${clients} rooms like the measured one, each client publishing ${publishRatePerSecond}/s and receiving ` +
    `${clients * publishRatePerSecond}/s as here (one big room would grow every client's traffic with N). The per-node ceiling is ` +
    `derived from CPU, not from a saturation run: a node is one Node.js process (one core at most), allowed ${targetCpuShare * 100} % of it; ` +
    'Redis is one core too. Memory, sockets and the network are not in it'
  );
}

/** ⌊x⌋, but 349.99999999 (0.7 ÷ 0.002 in binary) is 350. */
function wholeClients(x: number): number {
  return Math.floor(x + 1e-9);
}

/**
 * A node is one Node.js process: one core at most, of which it may use
 * `targetCpuShare`. Its ceiling is what that share buys at the measured cost of
 * a client; Redis is one core too, and its share at N clients is printed
 * beside, because it is the next ceiling.
 */
export function projectNodes(rows: readonly ClusterRow[], targetCpuShare: number, clients = PROJECTION_CLIENTS): NodesProjection[] {
  return rows
    .filter((row) => row.setup === 'redis-2' && row.cpuSecondsPerClientSecond > 0)
    .map((row) => {
      // At least one: a node holds a client however dear (and JSON has no Infinity).
      const clientsPerNode = Math.max(1, wholeClients(targetCpuShare / row.cpuSecondsPerClientSecond));
      const redisPerClientSecond = per(row.redis?.cpuSeconds ?? 0, row.clients * row.durationSeconds);
      return {
        transport: row.transport,
        clientsPerNode,
        clientsPerRedis: redisPerClientSecond > 0 ? Math.max(1, wholeClients(targetCpuShare / redisPerClientSecond)) : 0,
        nodes: clients.map((n) => ({ clients: n, nodes: Math.ceil(n / clientsPerNode) })),
        redisCpuPercent: clients.map((n) => ({ clients: n, percent: n * redisPerClientSecond * 100 })),
      };
    });
}
