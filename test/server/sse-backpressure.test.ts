import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

const TOPIC = 'room:flood';
const BODY = 'x'.repeat(8_000);

interface SseEvent {
  event: string;
  id: string;
  data: string;
}

/** Whole events only (a cut stream may end mid-event; EventSource drops that part). */
function wholeEvents(text: string): SseEvent[] {
  const blocks = text.split('\n\n');
  blocks.pop();
  return blocks
    .filter((block) => !block.startsWith(':'))
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) fields[line.slice(0, line.indexOf(': '))] = line.slice(line.indexOf(': ') + 2);
      return { event: fields.event, id: fields.id, data: fields.data };
    });
}

const seqOf = (event: SseEvent | undefined): number => (JSON.parse(event?.data ?? '{}') as { seq: number }).seq;

/** An event stream whose reader can stop and start reading (TCP backpressure), keeping all it read as text. */
class Stream {
  text = '';

  constructor(readonly res: http.IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (this.text += chunk));
  }

  messages(): SseEvent[] {
    return wholeEvents(this.text).filter((event) => event.event === 'message');
  }

  /** Reads on until `done` holds. */
  async readUntil(done: () => boolean): Promise<void> {
    while (!done()) await once(this.res, 'data');
  }
}

function openStream(server: LabServer, session: TestSession, options: { query?: string; headers?: Record<string, string> } = {}): Promise<Stream> {
  const url = `${server.url}/api/events?topics=${TOPIC}${options.query ?? ''}`;
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { ...session.auth, ...options.headers } }, (res) => resolve(new Stream(res))).on('error', reject);
  });
}

/** A server that holds at most 64 KiB for a stream, and alice signed in to it. */
async function smallBufferServer(): Promise<{ server: LabServer; alice: TestSession }> {
  const server = await startServer({ sseMaxBufferedBytes: 64 * 1024 });
  return { server, alice: await createSession(server, 'alice') };
}

const heldStreams = (server: LabServer): number => server.stats().transports.sse.heldRequests;

describe('SSE backpressure (issue 8 #3)', () => {
  it('ends a stream that stops reading once it would hold more than sseMaxBufferedBytes; the client resumes from its last whole event and loses nothing', async () => {
    const { server, alice } = await smallBufferServer();
    const stream = await openStream(server, alice);
    await stream.readUntil(() => stream.text.includes('event: subscribed'));
    stream.res.pause();

    // Far more than the bound plus what the kernel's socket buffers take (a few MiB on loopback).
    let published = 0;
    while (heldStreams(server) > 0 && published < 4_000) {
      for (let i = 0; i < 50; i++) {
        await server.bus.publish({ topic: TOPIC, from: 'alice', body: BODY });
        published += 1;
      }
    }
    expect(heldStreams(server)).toBe(0);
    expect(published).toBeLessThan(4_000);

    // The client reads what it was sent, then resumes from the last whole event's id.
    const ended = once(stream.res, 'end');
    stream.res.resume();
    await ended;
    const events = stream.messages();
    const seqs = events.map(seqOf);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const lastId = events[events.length - 1].id;

    const again = await openStream(server, alice, { headers: { 'last-event-id': lastId } });
    await again.readUntil(() => again.messages().length > 0);
    expect(seqOf(again.messages()[0])).toBe(seqs.length + 1);
    again.res.destroy();
  });

  it('keeps a stream that reads, however much goes through it', async () => {
    const { server, alice } = await smallBufferServer();
    const stream = await openStream(server, alice);
    await stream.readUntil(() => stream.text.includes('event: subscribed'));
    for (let i = 0; i < 100; i++) {
      await server.bus.publish({ topic: TOPIC, from: 'alice', body: BODY });
      // One publish per turn of the event loop, as publishes from the network come.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await stream.readUntil(() => stream.messages().length >= 100);
    expect(heldStreams(server)).toBe(1);
    stream.res.destroy();
  });
});

describe('SSE replay (issue 8 #3)', () => {
  it('a replay much larger than sseMaxBufferedBytes reaches a reading client whole: the catch-up waits for it', async () => {
    const { server, alice } = await smallBufferServer();
    for (let i = 0; i < 600; i++) await server.bus.publish({ topic: TOPIC, from: 'alice', body: BODY });
    const stream = await openStream(server, alice, { query: '&backlog=1000&limit=5' });
    const ended = once(stream.res, 'end');
    let count = 0;
    while (count < 600) {
      await Promise.race([once(stream.res, 'data'), ended]);
      count = stream.messages().length;
      if (heldStreams(server) === 0) break;
    }
    expect(count).toBe(600);
    expect(heldStreams(server)).toBe(1);
    stream.res.destroy();
  });
});
