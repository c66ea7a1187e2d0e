import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

const TOPIC = 'room:flood';
const BODY = 'x'.repeat(8_000);

/** An event stream whose reader can stop and start reading (TCP backpressure). */
function openStream(server: LabServer, session: TestSession, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get(`${server.url}/api/events?topics=${TOPIC}`, { headers: { ...session.auth, ...headers } }, resolve).on('error', reject);
  });
}

/** Whole events only (a cut stream may end mid-event; EventSource drops that part). */
function wholeEvents(text: string): { event: string; id: string; data: string }[] {
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

const heldStreams = (server: LabServer): number => server.stats().transports.sse.heldRequests;

describe('SSE backpressure (issue 8 #3)', () => {
  it('ends a stream that stops reading once it would hold more than sseMaxBufferedBytes; the client resumes from its last whole event and loses nothing', async () => {
    const server = await startServer({ sseMaxBufferedBytes: 64 * 1024 });
    const alice = await createSession(server, 'alice');
    const res = await openStream(server, alice);
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    while (!text.includes('event: subscribed')) await once(res, 'data');
    res.pause();

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
    const ended = once(res, 'end');
    res.resume();
    await ended;
    const events = wholeEvents(text).filter((event) => event.event === 'message');
    const seqs = events.map((event) => (JSON.parse(event.data) as { seq: number }).seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const lastId = events[events.length - 1].id;

    const again = await openStream(server, alice, { 'last-event-id': lastId });
    let more = '';
    again.setEncoding('utf8');
    again.on('data', (chunk: string) => (more += chunk));
    while (!wholeEvents(more).some((event) => event.event === 'message')) await once(again, 'data');
    const next = wholeEvents(more).find((event) => event.event === 'message');
    expect((JSON.parse(next?.data ?? '{}') as { seq: number }).seq).toBe(seqs.length + 1);
    again.destroy();
  });

  it('keeps a stream that reads, however much goes through it', async () => {
    const server = await startServer({ sseMaxBufferedBytes: 64 * 1024 });
    const alice = await createSession(server, 'alice');
    const res = await openStream(server, alice);
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    while (!text.includes('event: subscribed')) await once(res, 'data');
    for (let i = 0; i < 100; i++) {
      await server.bus.publish({ topic: TOPIC, from: 'alice', body: BODY });
      // One publish per turn of the event loop, as publishes from the network come.
      await new Promise((resolve) => setImmediate(resolve));
    }
    while (wholeEvents(text).filter((event) => event.event === 'message').length < 100) await once(res, 'data');
    expect(heldStreams(server)).toBe(1);
    res.destroy();
  });
});

describe('SSE replay (issue 8 #3)', () => {
  it('a replay much larger than sseMaxBufferedBytes reaches a reading client whole: the catch-up waits for it', async () => {
    const server = await startServer({ sseMaxBufferedBytes: 64 * 1024 });
    const alice = await createSession(server, 'alice');
    for (let i = 0; i < 600; i++) await server.bus.publish({ topic: TOPIC, from: 'alice', body: BODY });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${server.url}/api/events?topics=${TOPIC}&backlog=1000&limit=5`, { headers: alice.auth }, resolve).on('error', reject);
    });
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    const ended = once(res, 'end');
    let count = 0;
    while (count < 600) {
      await Promise.race([once(res, 'data'), ended]);
      count = wholeEvents(text).filter((event) => event.event === 'message').length;
      if (heldStreams(server) === 0) break;
    }
    expect(count).toBe(600);
    expect(heldStreams(server)).toBe(1);
    res.destroy();
  });
});
