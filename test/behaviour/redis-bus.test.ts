import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { connectBus } from '../../src/bus/index.ts';
import { RedisAdapter } from '../../src/bus/redis-adapter.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import { runTest } from './suite.ts';

/**
 * The behaviour suite with every server on a bus over Redis (the machine's,
 * 127.0.0.1:6379): the transports take the asynchronous path of the bus
 * (no readSync), and live messages come back through Redis pub/sub.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `labtest-${randomBytes(6).toString('hex')}:`;

const skip: Record<string, string> = {
  'recovers when the server restarts, reporting the lost history as a gap':
    'over Redis the history and its epoch outlive the server, so a restart is no gap ' +
    '(test/bus/redis-adapter.test.ts covers Redis losing its data, which is)',
};
const ownSkips: Partial<Record<(typeof TRANSPORT_NAMES)[number], Record<string, string>>> = {
  poll: { 'too_many_connections: over the held-request limit, then recovers': 'as in poll.test.ts: a short poll is never held' },
  ws: { 'too_many_connections: over the held-request limit, then recovers': 'as in ws.test.ts: a WebSocket holds no request' },
};

for (const transport of TRANSPORT_NAMES) {
  runTest({
    transport,
    skip: { ...skip, ...ownSkips[transport] },
    // Each transport's servers on a prefix of their own, so no case sees another's users or topics.
    newBus: (options) => connectBus(new RedisAdapter({ url: REDIS_URL, prefix: `${prefix}${transport}:`, ...options })),
  });
}

afterAll(async () => {
  const admin = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await admin.quit();
});
