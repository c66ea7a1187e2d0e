import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORT_NAMES, type TransportName } from '../../src/protocol/index.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { runTest } from '../behaviour/suite.ts';
import { NGINX_MISSING, startInProcessCluster } from './harness.ts';

/**
 * The behaviour suite against two nodes on one Redis behind the real nginx with
 * the shipped config: round-robin, not sticky, so one client's consecutive
 * requests land on alternating nodes (test/cluster/alternation.test.ts proves
 * the alternation request by request; here the access log shows every
 * transport's requests spread over both nodes). A private redis-server.
 */
const skip: Record<string, string> = {
  'recovers when the server restarts, reporting the lost history as a gap':
    'over Redis the history and its epoch outlive the nodes, so a restart is no gap ' +
    '(test/cluster/redis-restart.test.ts covers Redis losing its data, which is)',
  'too_many_connections: over the held-request limit, then recovers':
    'maxHeldRequests is a limit of each node: behind round-robin the second held request goes to the other node, which has room',
};

let redis: OwnRedis | undefined;
/** Per transport: how many requests each node served, read from nginx's access log at each cluster's close. */
const served = new Map<TransportName, number[]>();

if (NGINX_MISSING) {
  it.skip(`the behaviour suite behind nginx — skipped: ${NGINX_MISSING}`, () => {});
} else {
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(() => {
    redis?.kill();
  });

  // The four transports, and short polling with If-None-Match (its ETag is the cursor, so any node answers 304 alike).
  const runs: { transport: TransportName; clientOptions?: { conditional: true } }[] = [
    ...TRANSPORT_NAMES.map((transport) => ({ transport })),
    { transport: 'poll', clientOptions: { conditional: true } },
  ];
  for (const { transport, clientOptions } of runs) {
    runTest({
      transport,
      clientOptions,
      skip,
      alongside: true,
      newServer: async (overrides) => {
        if (!redis) throw new Error('the test-owned redis-server did not start');
        const cluster = await startInProcessCluster(redis.url, 2, overrides);
        const close = async (): Promise<void> => {
          const counts = served.get(transport) ?? [0, 0];
          for (const node of await cluster.upstreamsLogged()) if (node >= 0) counts[node] += 1;
          served.set(transport, counts);
          await cluster.close();
        };
        let closing: Promise<void> | undefined;
        return { ...cluster, close: () => (closing ??= close()) };
      },
    });
  }

  describe('behind nginx', () => {
    it('spread every transport\'s requests over both nodes (round-robin, no stickiness)', () => {
      for (const transport of TRANSPORT_NAMES) {
        const [first, second] = served.get(transport) ?? [0, 0];
        expect({ transport, bothServed: first > 10 && second > 10 }).toEqual({ transport, bothServed: true });
        // Round-robin over two nodes: near-even halves (held requests end out of order, so not exactly).
        expect(Math.abs(first - second)).toBeLessThan((first + second) / 4);
      }
    });
  });
}
