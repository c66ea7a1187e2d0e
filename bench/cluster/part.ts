/**
 * The cluster scenario as one part of a bench run (bench/run/run-bench.ts):
 * the chat workload per transport on each setup — the in-memory bus on one
 * node, Redis with one node, Redis with two nodes, all three behind the same
 * nginx so that what differs is the Redis hop and then the second node — each
 * on a rig of its own (bench/run/rig.ts: the client workers, the delay proxy
 * when the network has a delay); then the failover run on the two nodes.
 * Its figures go into `results.cluster`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { TransportName } from '../../src/protocol/index.ts';
import type { BenchResults } from '../../src/results/schema.ts';
import { CLUSTER_SETUPS, type ClusterFailover, type ClusterRow, type ClusterSetupName, type RedisDelta } from '../../src/results/cluster.ts';
import { extraHeadersFor } from '../headers/index.ts';
import { failedTransport } from '../run/assemble.ts';
import { Rig } from '../run/rig.ts';
import { runWorkload, workerCount } from '../run/run-workload.ts';
import { fetchStats } from '../run/stats-sampler.ts';
import { chat } from '../scenarios/workloads.ts';
import type { WorkloadSettings } from '../scenarios/types.ts';
import { clusterRow, hopRows, projectionBasis, projectionFormula, projectNodes, redisDelta, type RedisCounters } from './figures.ts';
import { DEFAULT_FAILOVER, runFailover, type FailoverSettings } from './failover.ts';
import { startBenchRedis, type BenchRedis } from './redis.ts';
import { CLUSTER_DESCRIPTION } from './scenario.ts';
import { nginxVersion, startClusterTarget, type ClusterTarget } from './target.ts';

/** The share of one core a node may use in the projection: headroom for bursts and GC. */
export const TARGET_CPU_SHARE = 0.7;

export interface ClusterPartOptions {
  transports: readonly TransportName[];
  settings: WorkloadSettings;
  quick: boolean;
  pin: boolean;
  signal: AbortSignal;
  onUnit?: (label: string, estimatedSeconds: number) => void;
  onProgress?: (seconds: number) => void;
  /** The bench's warm-up of a fresh rig (run-bench.ts), so the first transport meets warm code. */
  warmUp?: (rig: Rig) => Promise<void>;
  /** The failover run's settings over DEFAULT_FAILOVER (a test makes it small). */
  failover?: Partial<FailoverSettings>;
}

function failoverSettingsFor(options: ClusterPartOptions): FailoverSettings {
  return { ...DEFAULT_FAILOVER, phaseSeconds: options.quick ? 1 : DEFAULT_FAILOVER.phaseSeconds, ...options.failover };
}

const NODES: Record<ClusterSetupName, number> = { 'memory-1': 1, 'redis-1': 1, 'redis-2': 2 };

export async function runClusterPart(results: BenchResults, options: ClusterPartOptions): Promise<void> {
  const { settings, signal } = options;
  const failoverSettings = failoverSettingsFor(options);
  const rows: ClusterRow[] = [];
  const failover: ClusterFailover[] = [];
  const errors: string[] = [];
  let redis: BenchRedis | undefined;
  let idleCpuPerSecond = 0;
  try {
    redis = await startBenchRedis();
    idleCpuPerSecond = await redis.idleCpuPerSecond();
    for (const setup of CLUSTER_SETUPS) {
      if (signal.aborted) break;
      const part = await runSetup(setup, redis, idleCpuPerSecond, options);
      rows.push(...part.rows);
      failover.push(...part.failover);
      errors.push(...part.errors);
    }
  } catch (error) {
    errors.push(`cluster: ${(error as Error).message}`);
  } finally {
    await redis?.close().catch(() => undefined);
  }
  results.cluster = {
    description: CLUSTER_DESCRIPTION,
    settings: {
      clients: settings.clients,
      publishRatePerSecond: settings.publishRatePerSecond,
      durationSeconds: settings.durationSeconds,
      bodyBytes: settings.bodyBytes,
      pollIntervalMs: settings.pollIntervalMs,
      network: settings.network.description ?? `${settings.network.name} (${settings.network.rttMs} ms round trip)`,
      failoverReaders: failoverSettings.readersPerTransport,
      targetCpuShare: TARGET_CPU_SHARE,
    },
    redis: { version: redis?.version ?? 'unknown', owned: redis?.owned ?? false, keyPrefix: redis?.prefix ?? '', idleCpuPerSecond },
    proxy: `${nginxVersion()}, deploy/nginx/transport-lab.conf.template (round-robin, not sticky)`,
    cores: os.availableParallelism(),
    rows,
    hop: hopRows(rows),
    projection: {
      formula: projectionFormula(TARGET_CPU_SHARE),
      basis: projectionBasis(TARGET_CPU_SHARE, settings.clients, settings.publishRatePerSecond),
      rows: projectNodes(rows, TARGET_CPU_SHARE),
    },
    failover,
    errors,
  };
  for (const message of errors) results.errors.push({ source: 'cluster', message });
  const expectedRows = CLUSTER_SETUPS.length * options.transports.length;
  if (errors.length > 0 || rows.length < expectedRows || rows.some((row) => row.incomplete) || failover.length < options.transports.length) {
    results.incomplete = true;
  }
  if (signal.aborted) results.incomplete = true;
}

async function runSetup(
  setup: ClusterSetupName, redis: BenchRedis, idleCpuPerSecond: number, options: ClusterPartOptions,
): Promise<{ rows: ClusterRow[]; failover: ClusterFailover[]; errors: string[] }> {
  const { settings, signal, transports } = options;
  const nodes = NODES[setup];
  const onRedis = setup !== 'memory-1';
  const rows: ClusterRow[] = [];
  const errors: string[] = [];
  let failover: ClusterFailover[] = [];
  const plan = chat.plan(settings, 'x.');
  const workers = workerCount(plan.clients, [...transports]);
  let target: ClusterTarget | undefined;
  let rig: Rig | undefined;
  try {
    options.onUnit?.(`cluster: starting ${setup} (${nodes} node${nodes > 1 ? 's' : ''}${onRedis ? ', Redis' : ', in-memory bus'}, nginx)`, 10);
    rig = await Rig.start(workers, settings.network, options.pin, undefined, [], async () => {
      target = await startClusterTarget({
        nodes, pin: options.pin, ...(onRedis ? { redis: { url: redis.url, prefix: `${redis.prefix}${setup}:` } } : {}),
      });
      return target;
    });
    await options.warmUp?.(rig);
    for (const transport of transports) {
      if (signal.aborted || !target) break;
      options.onUnit?.(`cluster ${setup} × ${transport}`, settings.durationSeconds + 3);
      rows.push(await measure(setup, transport, rig, target, onRedis ? { redis, idleCpuPerSecond } : undefined, options));
    }
    if (setup === 'redis-2' && target && !signal.aborted) {
      options.onUnit?.('cluster: failover (one node SIGKILLed mid-run)', 30);
      // The workers let go of the last row's clients: the failover's readers are the only load.
      await rig.reset();
      const victim = target.nodes[target.nodes.length - 1];
      const kill = async (): Promise<void> => {
        process.kill(victim.pid, 'SIGKILL');
        const deadline = Date.now() + 5_000;
        while (victim.alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      const run = await runFailover(target.url, target.nodes.map((node) => node.url), transports, kill, failoverSettingsFor(options), signal);
      failover = run.rows;
      errors.push(...run.errors);
    }
  } catch (error) {
    errors.push(`${setup}: ${(error as Error).message}`);
  } finally {
    await rig?.stop();
  }
  return { rows, failover, errors };
}

async function measure(
  setup: ClusterSetupName, transport: TransportName, rig: Rig, target: ClusterTarget,
  onRedis: { redis: BenchRedis; idleCpuPerSecond: number } | undefined, options: ClusterPartOptions,
): Promise<ClusterRow> {
  const redis = onRedis?.redis;
  const { settings } = options;
  const cpuBefore: number[] = [];
  const cpuAfter: number[] = [];
  let redisBefore: RedisCounters | undefined;
  let redisAfter: RedisCounters | undefined;
  let startedAt = 0;
  let endedAt = 0;
  const readCpu = async (into: number[]): Promise<void> => {
    // Each node's own address: through nginx a stats request would reach one of them.
    const snapshots = await Promise.all(target.nodes.map((node) => fetchStats(node.url)));
    into.push(...snapshots.map((s) => (s.process.cpuUserMicros + s.process.cpuSystemMicros) / 1e6));
  };
  try {
    const measured = await runWorkload({
      scenario: chat,
      settings,
      transport,
      rig,
      headers: (origin) => extraHeadersFor(settings.headers, { origin }),
      signal: options.signal,
      onProgress: options.onProgress,
      prefix: `cluster.${transport}.`,
      phase: {
        started: async () => {
          [redisBefore] = await Promise.all([redis?.counters(), readCpu(cpuBefore)]);
          startedAt = performance.now();
        },
        ended: async () => {
          [redisAfter] = await Promise.all([redis?.counters(), readCpu(cpuAfter)]);
          endedAt = performance.now();
        },
      },
    });
    const nodeCpu = cpuAfter.length === cpuBefore.length ? cpuAfter.map((after, i) => after - cpuBefore[i]) : target.nodes.map(() => 0);
    const seconds = Math.max(0, (endedAt - startedAt) / 1000);
    const idle = (onRedis?.idleCpuPerSecond ?? 0) * seconds;
    const delta: RedisDelta | undefined = redisBefore && redisAfter ? redisDelta(redisBefore, redisAfter, idle) : undefined;
    return clusterRow(setup, measured, { seconds, nodeCpuSeconds: nodeCpu }, delta);
  } catch (error) {
    const failed = failedTransport(transport, settings, settings.clients, error);
    return clusterRow(setup, failed, { seconds: 0, nodeCpuSeconds: target.nodes.map(() => 0) }, undefined);
  }
}
