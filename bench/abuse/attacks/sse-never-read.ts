/**
 * Finding 3: event streams that are opened and never read while their room is
 * busy. Unfixed, every event the socket cannot take waits in the server's
 * memory for ever; fixed, a stream past its buffer limit is ended (the client
 * may resume from its last id), as a WebSocket is cut with 1013.
 */
import { LIFTED_PUBLISH_LIMITS } from '../lifted.ts';
import { MIB } from '../rss.ts';
import { equal } from '../checks.ts';
import type { Attack } from '../types.ts';
import { createSession, openUnread, publishMany, requestHead, stats, until } from '../wire.ts';

const STREAMS = 5;
const MESSAGES = 2000;
/** Near maxBodyBytes (16 KiB): 2,000 of them are ~30 MiB per stream that never reads. */
const BODY = 'x'.repeat(15_000);
const ROOM = 'room:sse-never-read';

export const sseNeverRead: Attack = {
  name: 'sse-never-read',
  finding: '3',
  tries: `${STREAMS} event streams that never read, while ${MESSAGES} messages of 15 kB go to their room`,
  refusalCodes: [],
  serverOptions: LIFTED_PUBLISH_LIMITS,
  attendeeTransport: 'longpoll',
  // The room's own history (1,000 × 15 kB) is ~15 MiB of this, and publishing 30 MB leaves garbage:
  // fixed (1 MiB per stream) the rise measured 53–61 MiB; unfixed 89–94 MiB, the streams holding every
  // message they were not sent (one shared copy each: the frames are encoded once for all streams).
  rssBoundBytes: 80 * MIB,
  check: ({ facts }) => [
    ...equal(facts, 'opened', STREAMS, 'a stream did not open'),
    ...equal(facts, 'published', MESSAGES, 'not every message was published'),
    ...equal(facts, 'streamsStillHeld', 0, 'the never-read streams were not ended'),
  ],
  async run(target) {
    const reader = await createSession(target.url, `sse-reader-${process.pid}`);
    const writer = await createSession(target.url, `sse-writer-${process.pid}`);
    const { sockets, opened, refusals } = await openUnread(target.url, requestHead(`/api/events?topics=${ROOM}`, reader, { accept: 'text/event-stream' }), STREAMS);
    const published = await publishMany(target.url, writer, MESSAGES, () => ({ topic: ROOM, body: BODY }));
    // Fixed, the server ends the streams it can no longer feed; held requests say so.
    const held = await until(async () => (await stats(target.url)).transports.sse.heldRequests, (count) => count === 0, 50, 100);
    for (const socket of sockets) socket.destroy();
    return {
      refusals,
      facts: { streams: STREAMS, opened, published: published['201'] ?? 0, streamsStillHeld: held },
    };
  },
};
