/**
 * The cluster scenario's Redis and its counters. A redis-server of the run's
 * own on a free port comes first: `INFO` counts every client of a server, and
 * the machine's Redis serves other runs and tests too, whose commands would be
 * charged to our deliveries. Only when none can be started is the machine's
 * used (flagged in the results, under a key prefix of the run's own, deleted
 * at the end).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ensureRedis, startOwnRedis, type ClusterRedis } from '../../src/cluster/redis.ts';
import { parseInfo, redisCounters, type RedisCounters } from './figures.ts';

const IDLE_SAMPLE_MS = 1_000;

export interface BenchRedis {
  readonly url: string;
  readonly owned: boolean;
  readonly version: string;
  /** Every key of the run starts with it; a setup adds its own part. */
  readonly prefix: string;
  counters(): Promise<RedisCounters>;
  /** Redis's CPU seconds per second over a quiet second (its timers); taken off each row. */
  idleCpuPerSecond(): Promise<number>;
  close(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  let redis: ClusterRedis;
  try {
    redis = await startOwnRedis();
  } catch {
    redis = await ensureRedis();
  }
  const prefix = `bench-cluster-${randomBytes(4).toString('hex')}:`;
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  try {
    const version = parseInfo(await admin.info('server')).get('redis_version') ?? 'unknown';
    return {
      url: redis.url,
      owned: redis.owned,
      version,
      prefix,
      counters: async () => redisCounters(await admin.info('all')),
      idleCpuPerSecond: async () => {
        const before = redisCounters(await admin.info('cpu'));
        const start = performance.now();
        await delay(IDLE_SAMPLE_MS);
        const after = redisCounters(await admin.info('cpu'));
        return Math.max(0, (after.cpuSeconds - before.cpuSeconds) / ((performance.now() - start) / 1000));
      },
      close: async () => {
        admin.disconnect();
        if (!redis.owned) await redis.deletePrefix(prefix).catch(() => undefined);
        await redis.close();
      },
    };
  } catch (error) {
    admin.disconnect();
    await redis.close();
    throw error;
  }
}
