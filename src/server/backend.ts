import type { Redis } from 'ioredis';
import { connectBus, createMemoryBus } from '../bus/index.ts';
import { RedisAdapter } from '../bus/redis-adapter.ts';
import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import { MemorySharedState } from '../shared/memory-shared-state.ts';
import { connectRedis } from '../shared/redis-connection.ts';
import { RedisHealth } from '../shared/redis-health.ts';
import { RedisSharedState } from '../shared/redis-shared-state.ts';
import type { SharedState } from '../shared/types.ts';
import { claimSecretFingerprint, secretFingerprint } from '../shared/secret-fingerprint.ts';

/** What a node runs on: the bus, and the shared state (names held, rate limits). */
export interface Backend {
  readonly bus: MessageBus;
  readonly shared: SharedState;
  /** The command connection of the shared state; absent in memory. */
  readonly redis?: Redis;
  /** Undefined while all is well; else why this node is degraded (`/healthz`). */
  problem(): string | undefined;
  /** Closes what this backend opened (a bus handed in by the caller stays open). */
  close(): Promise<void>;
}

/**
 * The in-memory bus by default; with `redisUrl`, the Redis bus after two
 * start-up checks that fail fast with a sentence: Redis answers, and every node
 * signs tokens with the same secret (secret-fingerprint.ts).
 */
export async function openBackend(options: ServerOptions, givenBus?: MessageBus): Promise<Backend> {
  if (givenBus) return { bus: givenBus, shared: new MemorySharedState(), problem: () => undefined, close: async () => {} };
  if (options.redisUrl === '') {
    const bus = createMemoryBus({
      historyPerTopic: options.historyPerTopic, historyMaxBytes: options.historyMaxBytes, maxTopics: options.maxTopics,
    });
    return { bus, shared: new MemorySharedState(), problem: () => undefined, close: () => bus.close() };
  }
  const secret = options.secret || process.env.TRANSPORT_LAB_SECRET || '';
  if (secret === '') {
    throw new Error(
      'with --redis (REDIS_URL) every node must sign tokens with one secret: set TRANSPORT_LAB_SECRET to the same value on every node ' +
      '(without it each node picks a random one and refuses the tokens of the others)',
    );
  }
  const redis = await connectRedis(options.redisUrl, 'lab-shared', options.redisCommandTimeoutMs);
  let shared: RedisSharedState | undefined;
  try {
    const fingerprintKey = `${options.redisPrefix}secret`;
    await claimSecretFingerprint(redis, fingerprintKey, secretFingerprint(secret));
    shared = await RedisSharedState.connect(redis, options.redisPrefix);
    const adapter = new RedisAdapter({
      url: options.redisUrl, prefix: options.redisPrefix, historyPerTopic: options.historyPerTopic,
      commandTimeoutMs: options.redisCommandTimeoutMs,
    });
    const bus = await connectBus(adapter);
    const health = new RedisHealth(redis, fingerprintKey, secretFingerprint(secret), Math.min(1_000, options.redisCommandTimeoutMs));
    return {
      bus,
      shared,
      redis,
      // The shared-state connection's beat, then the bus's own two connections (they reconnect apart).
      problem: () => health.problem ?? adapter.problem(),
      close: async () => {
        health.close();
        await bus.close();
        await shared?.close();
        await redis.quit().catch(() => undefined);
        redis.disconnect();
      },
    };
  } catch (error) {
    await shared?.close();
    redis.disconnect();
    throw error;
  }
}
