import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisAdapter } from '../../src/bus/redis-adapter.ts';
import { runAdapterSuite } from './adapter-suite.ts';

/** The machine's Redis (house rules); every test works under a prefix of its own and deletes its keys. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key under `prefix` (SCAN, never KEYS: the Redis may be shared). */
async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

runAdapterSuite({
  name: 'redis',
  newBackend: async () => {
    const prefix = `labtest-${randomBytes(6).toString('hex')}:`;
    const admin = new Redis(REDIS_URL);
    return {
      shared: true,
      newAdapter: (options) => new RedisAdapter({ url: REDIS_URL, prefix, ...options }),
      // What a Redis restarted without persistence looks like to its nodes: nothing under the prefix.
      loseData: () => deleteKeys(admin, prefix),
      dispose: async () => {
        await deleteKeys(admin, prefix);
        await admin.quit();
      },
    };
  },
});
