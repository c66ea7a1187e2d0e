import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, stopChild, waitForLine } from './processes.ts';

/**
 * The cluster's Redis: the one answering at the given URL (by default the
 * machine's, 127.0.0.1:6379), or else a redis-server of its own on a free port
 * in a scratch folder, without persistence, removed with the cluster.
 */

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface ClusterRedis {
  readonly url: string;
  /** True when the cluster started this redis-server (and stops it). */
  readonly owned: boolean;
  /** Deletes every key under `prefix` (a shared Redis keeps nothing of a run that asked for it). */
  deletePrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** True when a Redis answers PING at `url` within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under `prefix` at `url` (SCAN, never KEYS). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const admin = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  admin.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
}

export async function ensureRedis(url = DEFAULT_REDIS_URL): Promise<ClusterRedis> {
  if (await redisAnswers(url)) {
    return { url, owned: false, deletePrefix: (prefix) => deleteKeys(url, prefix), close: async () => {} };
  }
  return startOwnRedis();
}

/** A redis-server of our own: 127.0.0.1, a free port, no RDB or AOF, its folder removed at close. */
export async function startOwnRedis(): Promise<ClusterRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'transport-lab-redis-'));
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `redis://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    await stopChild(child, 'SIGTERM', 3_000);
    await rm(dir, { recursive: true, force: true });
  };
  child.once('error', () => undefined);
  try {
    await waitForLine(child, /Ready to accept connections/, 'redis-server', 10_000);
  } catch (error) {
    await close();
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT' || child.pid === undefined;
    throw missing ? new Error('no Redis answers and redis-server is not installed (Debian: apt-get install redis-server)') : error;
  }
  child.stdout?.resume();
  child.stderr?.resume();
  return { url, owned: true, deletePrefix: (prefix) => deleteKeys(url, prefix), close };
}
