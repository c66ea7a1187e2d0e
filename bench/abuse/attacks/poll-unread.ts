/**
 * Finding 4: a ~100-byte poll asking for limit=1000&backlog=1000 of a room of
 * large messages, sent many times and never read. Unfixed, each answer is
 * ~15 MB built and held for a reader that never comes; fixed, one answer's
 * bytes are bounded and `more: true` says the rest.
 */
import { LIFTED_PUBLISH_LIMITS } from '../lifted.ts';
import { MIB } from '../rss.ts';
import { equal, atMost, above } from '../checks.ts';
import type { Attack } from '../types.ts';
import { bearer, createSession, openUnread, publishMany, request, requestHead, stats, until } from '../wire.ts';

/**
 * The most bytes one poll answer may carry: the fix's pollMaxAnswerBytes (1 MiB
 * of messages by default) with room for the envelope and one message over.
 */
export const POLL_ANSWER_MAX_BYTES = 1.25 * MIB;
const FILL = 1000;
const BODY = 'y'.repeat(15_000);
const UNREAD = 10;
const ROOM = 'room:poll-unread';
const QUERY = `/api/poll?topics=${ROOM}&limit=1000&backlog=1000`;

export const pollUnread: Attack = {
  name: 'poll-unread',
  finding: '4',
  tries: `${UNREAD} polls of limit=1000&backlog=1000 over ${FILL} messages of 15 kB, never read`,
  refusalCodes: [],
  serverOptions: LIFTED_PUBLISH_LIMITS,
  attendeeTransport: 'sse',
  // Unfixed, 20 unread answers took 1.1 GiB; 10 take about half.
  rssBoundBytes: 128 * MIB,
  check: ({ facts }) => [
    ...equal(facts, 'filled', FILL, 'the room was not filled'),
    ...equal(facts, 'answerStatus', 200, 'the poll failed'),
    ...atMost(facts, 'answerBytes', POLL_ANSWER_MAX_BYTES, 'one answer is unbounded'),
    ...above(facts, 'answerMessages', 0, 'the answer is empty'),
    ...equal(facts, 'more', true, 'the answer does not say more: true'),
  ],
  async run(target) {
    const attacker = await createSession(target.url, `poller-${process.pid}`);
    const published = await publishMany(target.url, attacker, FILL, () => ({ topic: ROOM, body: BODY }));
    const before = (await stats(target.url)).transports.poll.requests;
    const { sockets, refusals } = await openUnread(target.url, requestHead(QUERY, attacker), UNREAD);
    // Every unread poll has been answered (into buffers) before memory is read.
    await until(async () => (await stats(target.url)).transports.poll.requests, (count) => count >= before + UNREAD, 100, 50);
    const read = await request(target.url, QUERY, { headers: bearer(attacker) });
    const answer = JSON.parse(read.text) as { messages: unknown[]; more: boolean };
    for (const socket of sockets) socket.destroy();
    return {
      refusals,
      facts: {
        filled: published['201'] ?? 0,
        unread: UNREAD,
        answerStatus: read.status,
        answerBytes: Buffer.byteLength(read.text),
        answerMessages: answer.messages?.length ?? 0,
        more: answer.more === true,
      },
    };
  },
};
