/**
 * Finding 10, shutdown: while the server drains after SIGTERM, a new
 * connection must be answered 503 shutting_down (a client then knows to retry
 * elsewhere or later), not refused by a closed listener. A half-sent request
 * keeps the server draining for its full deadline. This attack stops the server.
 */
import { MIB } from '../rss.ts';
import type { Attack } from '../types.ts';
import { OBSERVER_ADDRESS, connect, request } from '../wire.ts';

/** What a request that arrives while the server drains gets. */
export const DRAIN_REFUSAL = 'shutting_down';
/** Requests tried after SIGTERM before giving up on seeing the server answer anything but 200. */
const TRIES = 5_000;

export const shutdownDrain: Attack = {
  name: 'shutdown-drain',
  finding: '10',
  tries: 'connect while the server drains after SIGTERM',
  refusalCodes: [DRAIN_REFUSAL],
  serverOptions: {},
  attendeeTransport: null,
  rssBoundBytes: 64 * MIB,
  async run(target) {
    const slow = await connect(target.url);
    slow.write('GET /healthz HTTP/1.1\r\nhost: lab\r\n');
    target.terminate();
    // Each try is a real request: the first answer that is not 200 is what draining looks like.
    let first = { status: 200, code: undefined as string | undefined };
    let tries = 0;
    for (; tries < TRIES && first.status === 200; tries += 1) {
      first = await request(target.url, '/healthz', { from: OBSERVER_ADDRESS }).then(
        (answer) => ({ status: answer.status, code: answer.code }),
        (error: NodeJS.ErrnoException) => ({ status: 0, code: error.code ?? 'connection_failed' }),
      );
    }
    slow.destroy();
    return {
      refusals: { [first.code ?? String(first.status)]: 1 },
      facts: { firstRefusalStatus: first.status, firstRefusalCode: first.code ?? '', tries },
    };
  },
};
