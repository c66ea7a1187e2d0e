/**
 * Finding 10, shutdown: while the server drains after SIGTERM, a new
 * connection must be answered 503 shutting_down (a client then knows to retry
 * elsewhere or later), not refused by a closed listener. A request whose body
 * is half-sent keeps the server draining until its deadline. This attack stops the server.
 */
import { MIB } from '../rss.ts';
import { above, equal } from '../checks.ts';
import type { Attack } from '../types.ts';
import { OBSERVER_ADDRESS, connect, request, stats, tally, until } from '../wire.ts';

/** What a request that arrives while the server drains gets. */
export const DRAIN_REFUSAL = 'shutting_down';
/** Requests tried after SIGTERM at most (each is a real request; the drain ends them sooner). */
const TRIES = 2_000;

export const shutdownDrain: Attack = {
  name: 'shutdown-drain',
  finding: '10',
  tries: 'connect while the server drains after SIGTERM',
  refusalCodes: [DRAIN_REFUSAL],
  serverOptions: {},
  attendeeTransport: null,
  rssBoundBytes: 64 * MIB,
  check: ({ facts }) => [
    ...above(facts, 'answeredWhileDraining', 0, 'no connection was answered while the server drained'),
    ...equal(facts, 'refusedWhileDraining', 0, 'connections were refused while the server still drained'),
    ...equal(facts, 'firstRefusalStatus', 503, 'the first answer after SIGTERM was not a 503'),
  ],
  async run(target) {
    // A request in progress (its head read, its body half-sent): the server drains for as long as this socket is held.
    const slow = await connect(target.url);
    let draining = true;
    slow.once('close', () => {
      draining = false;
    });
    slow.write('POST /api/session HTTP/1.1\r\nhost: lab\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"name":');
    // The server has the head once it counts the request (each look is a request of its own, counted too).
    let looks = 0;
    await until(async () => {
      looks += 1;
      return (await stats(target.url)).other.requests - looks;
    }, (others) => others >= 1, 100, 10);
    target.terminate();
    const refusals: Record<string, number> = {};
    let first: { status: number; code: string } | undefined;
    let answeredWhileDraining = 0;
    let refusedWhileDraining = 0;
    let tries = 0;
    for (; tries < TRIES && (draining || first === undefined); tries += 1) {
      const answer = await request(target.url, '/healthz', { from: OBSERVER_ADDRESS }).then(
        (got) => ({ status: got.status, code: got.code ?? String(got.status) }),
        (error: NodeJS.ErrnoException) => ({ status: 0, code: error.code ?? 'connection_failed' }),
      );
      if (answer.status === 200) continue;
      first ??= answer;
      tally(refusals, answer.code);
      // Judged after the answer: still draining means the listener went away too early.
      if (answer.status === 503) answeredWhileDraining += 1;
      else if (draining) refusedWhileDraining += 1;
    }
    slow.destroy();
    return {
      refusals,
      facts: {
        firstRefusalStatus: first?.status ?? 200,
        firstRefusalCode: first?.code ?? '',
        answeredWhileDraining,
        refusedWhileDraining,
        tries,
      },
    };
  },
};
