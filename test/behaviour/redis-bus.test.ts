import { afterAll } from 'vitest';
import { connectBus } from '../../src/bus/index.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import { RedisTestSpace } from '../bus/redis-test-env.ts';
import { runTest } from './suite.ts';

/**
 * The behaviour suite with every server on a bus over Redis (the machine's,
 * 127.0.0.1:6379): the transports take the asynchronous path of the bus
 * (no readSync), and live messages come back through Redis pub/sub.
 */
const space = new RedisTestSpace();

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
    alongside: true,
    skip: { ...skip, ...ownSkips[transport] },
    // Each transport's servers on a prefix of their own, so no case sees another's users or topics.
    newBus: (options) => connectBus(space.adapter({ prefix: `${space.prefix}${transport}:`, ...options })),
  });
}

afterAll(() => space.close());
