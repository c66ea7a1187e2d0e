import { randomBytes } from 'node:crypto';
import { deleteKeys as deleteKeysAt } from '../../src/cluster/redis.ts';

/** The machine's Redis (CI makes sure it answers), shared by everyone: each test keeps to its own prefix. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of one test's own. */
export function testPrefix(): string {
  return `labtest-${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export function deleteKeys(prefix: string, url = REDIS_URL): Promise<void> {
  return deleteKeysAt(url, prefix);
}
