import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, eventually, getJson, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

const TOPIC = 'room:big';

async function fill(server: LabServer, count: number, bodyLength: number): Promise<void> {
  const body = 'x'.repeat(bodyLength);
  for (let i = 0; i < count; i++) await server.bus.publish({ topic: TOPIC, from: 'alice', body });
}

interface Answer {
  messages: { seq: number }[];
  cursor: string;
  more: boolean;
}

/** Follows `more` and the cursors from `first`, returning every seq received and the largest answer's size. */
async function follow(server: LabServer, alice: TestSession, path: string, first: string): Promise<{ seqs: number[]; largest: number }> {
  const seqs: number[] = [];
  let largest = 0;
  let query = first;
  for (let round = 0; round < 200; round++) {
    const res = await fetch(`${server.url}${path}?topics=${TOPIC}&wait=0&limit=1000${query}`, { headers: alice.auth });
    const text = await res.text();
    largest = Math.max(largest, Buffer.byteLength(text));
    const answer = JSON.parse(text) as Answer;
    seqs.push(...answer.messages.map((message) => message.seq));
    if (!answer.more) break;
    query = `&cursor=${encodeURIComponent(answer.cursor)}`;
  }
  return { seqs, largest };
}

const allSeqs = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);

describe('answer size (issue 8 #4)', () => {
  for (const path of ['/api/poll', '/api/longpoll']) {
    it(`${path}: one answer stays within pollMaxAnswerBytes and says more; following the cursors gives every message once`, async () => {
      const server = await startServer({ pollMaxAnswerBytes: 64 * 1024 });
      const alice = await createSession(server, 'alice');
      await fill(server, 100, 8_000);
      const { seqs, largest } = await follow(server, alice, path, '&backlog=1000');
      expect(largest).toBeLessThanOrEqual(64 * 1024 + 1024);
      expect(seqs).toEqual(allSeqs(100));
    });
  }

  it('a held long poll woken by a burst answers within pollMaxAnswerBytes; the rest follows', async () => {
    const server = await startServer({ pollMaxAnswerBytes: 64 * 1024 });
    const alice = await createSession(server, 'alice');
    const start = await getJson(server, `/api/poll?topics=${TOPIC}`, alice.auth);
    const cursor = encodeURIComponent(start.json.cursor as string);
    const held = fetch(`${server.url}/api/longpoll?topics=${TOPIC}&wait=30&limit=1000&cursor=${cursor}`, { headers: alice.auth });
    await eventually(() => server.stats().transports.longpoll.heldRequests, (count) => count === 1);
    await fill(server, 40, 8_000);
    const text = await (await held).text();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024 + 1024);
    const answer = JSON.parse(text) as Answer;
    expect(answer.more).toBe(true);
    const rest = await follow(server, alice, '/api/poll', `&cursor=${encodeURIComponent(answer.cursor)}`);
    expect([...answer.messages.map((m) => m.seq), ...rest.seqs]).toEqual(allSeqs(40));
  });
});

describe('answers nobody reads (issue 8 #4)', () => {
  it('holds at most maxUnflushedAnswerBytes for clients that do not read: the oldest are cut, a reading client is served', async () => {
    const server = await startServer({ pollMaxAnswerBytes: 8 * 1024 * 1024, maxUnflushedAnswerBytes: 8 * 1024 * 1024 });
    const alice = await createSession(server, 'alice');
    await fill(server, 1000, 16_000);
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 8; i++) {
      const socket = net.connect(server.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.on('error', () => undefined);
      // Never read: everything the server answers stays in buffers.
      socket.pause();
      socket.write(`GET /api/poll?topics=${TOPIC}&limit=1000&backlog=1000 HTTP/1.1\r\nHost: x\r\nAuthorization: ${alice.auth.authorization}\r\n\r\n`);
      sockets.push(socket);
    }
    // 8 answers of ~8 MiB: far more than the kernel's buffers take, so the server must cut
    // the oldest unread ones (a paused client does not see its socket go; the server's count does).
    const poll = (): { requests: number; openConnections: number } => server.stats().transports.poll;
    await eventually(poll, (stats) => stats.requests === 8, 10_000);
    expect(poll().openConnections).toBeLessThan(8);
    const { status } = await getJson(server, `/api/poll?topics=${TOPIC}&limit=1`, alice.auth);
    expect(status).toBe(200);
    for (const socket of sockets) socket.destroy();
  });
});
