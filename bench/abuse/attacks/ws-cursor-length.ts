/**
 * Finding 10, cursor length: a WebSocket client subscribed to 64 rooms with
 * long names (two frames of 32) gets a cursor it cannot resume with — over
 * the 4 KiB cursor limit, refused `bad_request`. A cursor must fit what a
 * client may subscribe to.
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { MIB } from '../rss.ts';
import { equal, atMost, above } from '../checks.ts';
import type { Attack } from '../types.ts';
import { createSession, request, bearer, tally, type Credentials } from '../wire.ts';

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
    ...above(facts, 'cursorChars', 0, 'no cursor'),
    ...atMost(facts, 'cursorChars', MAX_CURSOR_CHARS, 'the cursor is over the limit'),
    ...equal(facts, 'resumeAnswer', 'subscribed', 'the resume from the cursor was refused'),
  ],
  async run(target) {
    const client = await createSession(target.url, `cursor-${process.pid}`);
    const rooms = Array.from({ length: ROOMS }, (_, n) => `room:${String(n).padStart(2, '0')}${'c'.repeat(NAME_LENGTH - 2)}`);
    const first = await openSocket(target.url, client);
    await first.ask({ op: 'subscribe', topics: rooms.slice(0, 32), ref: 'a' });
    const second = await first.ask({ op: 'subscribe', topics: rooms.slice(32), ref: 'b' });
    first.socket.terminate();
    const cursor = second.cursor ?? '';
    await request(target.url, '/api/messages', {
      method: 'POST', headers: { ...bearer(client), 'content-type': 'application/json' }, body: JSON.stringify({ topic: rooms[0], body: 'hi' }),
    });
    const resumed = await openSocket(target.url, client);
    const answer = await resumed.ask({ op: 'subscribe', topics: rooms.slice(0, 32), cursor, ref: 'r' });
    resumed.socket.terminate();
    const refusals: Record<string, number> = {};
    if (answer.op === 'error') tally(refusals, answer.code);
    return { refusals, facts: { cursorChars: cursor.length, resumeAnswer: answer.op, resumeCode: answer.code ?? '' } };
  },
};

async function openSocket(url: string, client: Credentials): Promise<{ socket: WebSocket; ask(frame: Frame): Promise<Frame> }> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws?token=${encodeURIComponent(client.token)}`);
  await once(socket, 'open');
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
