/**
 * Finding 10, cursor length: a WebSocket client subscribes to 64 rooms with
 * 64-character names (two frames of 32), then resumes from the newest cursor
 * it was given. Unfixed, that cursor is over the 4 KiB cursor limit and the
 * resume is refused `bad_request`. Fixed, the cursor of whatever the server
 * let the socket follow fits the limit (a cap on topics per connection may
 * refuse the second frame) and the resume is accepted.
 */
import type { WebSocket } from 'ws';
import { above, atMost, equal } from '../checks.ts';
import { MIB } from '../rss.ts';
import type { Attack } from '../types.ts';
import { bearer, createSession, postJson, type Credentials } from '../wire.ts';
import { openWebSocket } from '../ws-wire.ts';

const ROOMS = 64;
const NAME_LENGTH = 64;
/** The protocol's cursor limit (PROTOCOL.md § Cursors). */
export const MAX_CURSOR_CHARS = 4096;

type Frame = { op: string; ref?: string; cursor?: string; code?: string; topics?: string[] };

export const wsCursorLength: Attack = {
  name: 'ws-cursor-length',
  finding: '10',
  tries: `resume a WebSocket subscription to ${ROOMS} rooms with ${NAME_LENGTH}-character names from its cursor`,
  refusalCodes: [],
  serverOptions: {},
  attendeeTransport: 'sse',
  rssBoundBytes: 64 * MIB,
  check: ({ facts }) => [
    ...above(facts, 'topicsFollowed', 0, 'no topic was accepted'),
    ...above(facts, 'cursorChars', 0, 'no cursor'),
    ...atMost(facts, 'cursorChars', MAX_CURSOR_CHARS, 'the cursor is over the limit'),
    ...equal(facts, 'resumeAnswer', 'subscribed', 'the resume from the cursor was refused'),
  ],
  async run(target) {
    const client = await createSession(target.url, `cursor-${process.pid}`);
    const rooms = Array.from({ length: ROOMS }, (_, n) => `room:${String(n).padStart(2, '0')}${'c'.repeat(NAME_LENGTH - 2)}`);
    const first = await openSocket(target.url, client);
    const followed: string[] = [];
    let cursor = '';
    for (const [index, topics] of [rooms.slice(0, 32), rooms.slice(32)].entries()) {
      const answer = await first.ask({ op: 'subscribe', topics, ref: `s${index}` });
      if (answer.op !== 'subscribed') continue;
      followed.push(...topics);
      cursor = answer.cursor ?? cursor;
    }
    first.socket.terminate();
    await postJson(target.url, '/api/messages', { topic: rooms[0], body: 'hi' }, { headers: bearer(client) });
    const resumed = await openSocket(target.url, client);
    const answer = await resumed.ask({ op: 'subscribe', topics: followed.slice(0, 32), cursor, ref: 'r' });
    resumed.socket.terminate();
    return {
      refusals: answer.op === 'error' ? { [answer.code ?? 'none']: 1 } : {},
      facts: { topicsFollowed: followed.length, cursorChars: cursor.length, resumeAnswer: answer.op, resumeCode: answer.code ?? '' },
    };
  },
};

async function openSocket(url: string, client: Credentials): Promise<{ socket: WebSocket; ask(frame: Frame): Promise<Frame> }> {
  const socket = await openWebSocket(url, client);
  return {
    socket,
    ask: (frame) => new Promise((resolve) => {
      const onMessage = (data: Buffer): void => {
        const answer = JSON.parse(data.toString()) as Frame;
        if (answer.ref !== frame.ref) return;
        socket.off('message', onMessage);
        resolve(answer);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify(frame));
    }),
  };
}
