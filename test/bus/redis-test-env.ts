import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisAdapter, type RedisAdapterOptions } from '../../src/bus/redis-adapter.ts';

/** The machine's Redis (house rules), unless REDIS_URL names another. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A test's own part of the machine's Redis, which others use too: a prefix no
 * other file or run shares, adapters under it, and the deletion of its keys.
 */
export class RedisTestSpace {
  readonly prefix = `labtest-${randomBytes(6).toString('hex')}:`;
  /** A plain client for looking at and deleting the space's keys. */
  readonly admin = new Redis(REDIS_URL);

  /** An adapter (not yet connected) under this space's prefix; `options` go over that (e.g. a longer prefix within it). */
  adapter(options: RedisAdapterOptions = {}): RedisAdapter {
    return new RedisAdapter({ url: REDIS_URL, prefix: this.prefix, ...options });
  }

  /** The keys matching `pattern` under the prefix (SCAN, never KEYS: the Redis may be shared). */
  async keys(pattern = '*'): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.admin.scan(cursor, 'MATCH', `${this.prefix}${pattern}`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  }

  /** Deletes every key under the prefix: what a Redis restarted without persistence looks like to its nodes. */
  async deleteKeys(): Promise<void> {
    const keys = await this.keys();
    if (keys.length > 0) await this.admin.del(...keys);
  }

  /** Deletes the keys and closes the admin client. */
  async close(): Promise<void> {
    await this.deleteKeys();
    await this.admin.quit();
  }
}
