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
/**
 * New connections answered 503 while the server drains, at the least: the
 * drain lasts a deadline (250 ms) and each try takes a few ms, so a listener
 * that stays up answers tens to hundreds. Unfixed, the listener closes at once:
 * at most one try that raced the close is answered, hundreds are refused.
 * (A few refusals at the very end are the drain's last turn: the server stops
 * listening and cuts the last sockets together, and this side may see the
 * closed listener a few tries before it sees its held socket end.)
 */
export const MIN_ANSWERED_WHILE_DRAINING = 10;
/** Requests tried after SIGTERM at most (each is a real request; the drain ends them sooner). */
const TRIES = 2_000;

export const shutdownDrain: Attack = {
  name: 'shutdown-drain',
  finding: '10',
  tries: 'connect while the server drains after SIGTERM',
  refusalCodes: [],
  serverOptions: {},
  attendeeTransport: null,
  rssBoundBytes: 64 * MIB,
  check: ({ facts }) => [
    ...above(facts, 'answeredWhileDraining', MIN_ANSWERED_WHILE_DRAINING - 1, 'the listener did not stay up while the server drained'),
    ...(Number(facts.refusedWhileDraining) < Number(facts.answeredWhileDraining) ? [] : [
      `connections were refused while the server still drained: ${String(facts.refusedWhileDraining)} refused, ${String(facts.answeredWhileDraining)} answered`,
    ]),
    ...equal(facts, 'firstRefusalStatus', 503, 'the first answer after SIGTERM was not a 503'),
    ...equal(facts, 'firstRefusalCode', DRAIN_REFUSAL, `the first answer after SIGTERM was not ${DRAIN_REFUSAL}`),
  ],
  async run(target) {
    // A request in progress (its head read, its body half-sent): the server drains for as long as this socket is held.
    const slow = await connect(target.url);
    let draining = true;
    const drained = (): void => {
      draining = false;
    };
    slow.once('end', drained);
    slow.once('close', drained);
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
    /** Whether the previous try was a refused connection: judged once the next try is done. */
    let refusedBefore = false;
    let tries = 0;
    for (; tries < TRIES && (draining || first === undefined); tries += 1) {
      const answer = await request(target.url, '/healthz', { from: OBSERVER_ADDRESS }).then(
        (got) => ({ status: got.status, code: got.code ?? String(got.status) }),
        (error: NodeJS.ErrnoException) => ({ status: 0, code: error.code ?? 'connection_failed' }),
      );
      // A refusal was early if the server still held the in-flight request a whole try later
      // (the close of that socket and the refusal can race by one event-loop turn at the drain's end).
      if (refusedBefore && draining) refusedWhileDraining += 1;
      refusedBefore = answer.status === 0;
      if (answer.status === 200) continue;
      first ??= answer;
      tally(refusals, answer.code);
      if (answer.status === 503) answeredWhileDraining += 1;
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
