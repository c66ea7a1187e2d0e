import type { Redis } from 'ioredis';
import { LabError } from '../protocol/errors.ts';
import { CLAIM_NAME_LUA, TAKE_TOKENS_LUA } from './redis-shared-scripts.ts';
import type { BucketCheck, BucketRefusal, NameClaim, NameClaimedListener, SharedState } from './types.ts';

/** The commands defined from redis-shared-scripts.ts (EVALSHA, EVAL on a miss). */
interface ScriptedRedis extends Redis {
  labClaimName(holderKey: string, lastKey: string, sessionId: string, leaseMs: number, channel: string, name: string): Promise<[number, number, string?]>;
  labTakeTokens(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<[number, string]>;
}

/**
 * The shared state in Redis, for several nodes (issue 10). Key layout, under
 * the prefix (docs/api.md § Several nodes):
 * - `{user:<name>}:holder` — the session holding the name; its TTL is the lease;
 * - `{user:<name>}:last-holder` — the last session that ever held it (no TTL);
 * - `{rl}:<bucket key>` — a token bucket, the string `<tokens> <at ms>`, gone once refilled;
 * - channel `names` — `[name, sessionId]` when a name passes.
 * A name's keys share its inbox topic's Cluster slot; every bucket shares the
 * `{rl}` slot, so one script may check a session's and its address's buckets
 * together (on a Cluster, all rate limiting lands on one shard).
 */
export class RedisSharedState implements SharedState {
  readonly remote = true;
  readonly #redis: ScriptedRedis;
  readonly #subscriber: Redis;
  readonly #listeners = new Set<NameClaimedListener>();
  readonly #channel: string;
  #closed = false;

  private constructor(redis: Redis, subscriber: Redis, private readonly prefix: string) {
    this.#redis = redis as ScriptedRedis;
    this.#subscriber = subscriber;
    this.#channel = `${prefix}names`;
    this.#redis.defineCommand('labClaimName', { numberOfKeys: 2, lua: CLAIM_NAME_LUA });
    this.#redis.defineCommand('labTakeTokens', { lua: TAKE_TOKENS_LUA });
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.#channel || this.#closed) return;
      const [name, sessionId] = JSON.parse(text) as [string, string];
      for (const listener of this.#listeners) listener(name, sessionId);
    });
  }

  /** Over `redis` (the node's command connection, already connected; closed by its owner). */
  static async connect(redis: Redis, prefix: string): Promise<RedisSharedState> {
    // ioredis resubscribes by itself after a reconnect.
    const subscriber = redis.duplicate({ connectionName: 'lab-shared-sub' });
    subscriber.on('error', () => {});
    const state = new RedisSharedState(redis, subscriber, prefix);
    await subscriber.subscribe(state.#channel);
    return state;
  }

  claimName(name: string, sessionId: string, leaseMs: number): Promise<NameClaim> {
    return this.#run('claim a name', async () => {
      const base = `${this.prefix}{user:${name}}:`;
      const [granted, newHolder, holder] = await this.#redis.labClaimName(
        `${base}holder`, `${base}last-holder`, sessionId, Math.max(1, Math.ceil(leaseMs)), this.#channel, name,
      );
      return granted === 1 ? { granted: true, newHolder: newHolder === 1 } : { granted: false, newHolder: false, holder };
    });
  }

  onNameClaimed(listener: NameClaimedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  take(checks: BucketCheck[]): Promise<BucketRefusal | undefined> {
    return this.#run('check a rate limit', async () => {
      const keys = checks.map((check) => `${this.prefix}{rl}:${check.key}`);
      const args = checks.flatMap((check) => [check.ratePerSecond, check.burst]);
      const [index, wait] = await this.#redis.labTakeTokens(keys.length, ...keys, ...args);
      return index === 0 ? undefined : { index: index - 1, waitSeconds: Number(wait) };
    });
  }

  /** Redis expires leases and buckets by itself. */
  sweep(): void {}

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.#subscriber.quit().catch(() => undefined);
    this.#subscriber.disconnect();
  }

  async #run<T>(what: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new LabError('unavailable', 'the shared state is closed', 1);
    try {
      return await body();
    } catch (error) {
      if (error instanceof LabError) throw error;
      throw new LabError('unavailable', `could not ${what} on Redis: ${(error as Error).message}`, 1);
    }
  }
}
