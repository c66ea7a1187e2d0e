import { Redis } from 'ioredis';

/** The URL without its password, for messages. */
export function redisWhere(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}

export class RedisUnreachableError extends Error {}

/**
 * A command connection for the shared state, connected now or never: a node
 * fails fast when Redis does not answer at start (see docs/api.md § Several
 * nodes). Later outages are retried by ioredis in the background; each
 * command then fails within `commandTimeoutMs` instead of hanging.
 */
export async function connectRedis(url: string, name: string, commandTimeoutMs: number): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectionName: name,
  });
  let lastError = '';
  // Errors surface through the commands; an unhandled 'error' event would crash the process.
  redis.on('error', (error: Error) => (lastError = error.message));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const why = lastError || (error as Error).message;
    throw new RedisUnreachableError(`cannot reach Redis at ${redisWhere(url)} (${why}): start redis-server there, or give the right URL with --redis / REDIS_URL`);
  }
  return redis;
}
