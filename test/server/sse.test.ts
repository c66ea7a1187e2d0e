import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, eventually, publish, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
}

/** A raw event stream: the text as received, and its events parsed. */
class StreamReader {
  text = '';
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  readonly request: http.ClientRequest;
  readonly ended: Promise<void>;

  constructor(server: LabServer, session: TestSession, query: string, headers: Record<string, string> = {}) {
    let ended: () => void = () => undefined;
    this.ended = new Promise((resolve) => (ended = resolve));
    this.request = http.get(`${server.url}/api/events?${query}`, { headers: { ...session.auth, ...headers } }, (res) => {
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      res.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
      res.on('end', ended);
      res.on('error', ended);
    });
    this.request.on('error', ended);
  }

  events(): SseEvent[] {
    return this.text
      .split('\n\n')
      .filter((block) => block.trim() !== '' && !block.startsWith(':'))
      .map((block) => {
        const event: SseEvent = {};
        for (const line of block.split('\n')) {
          const colon = line.indexOf(': ');
          if (colon > 0) event[line.slice(0, colon) as keyof SseEvent] = line.slice(colon + 2);
        }
        return event;
      });
  }

  async waitFor(count: number, name = 'message'): Promise<SseEvent[]> {
    return eventually(() => this.events().filter((e) => e.event === name), (list) => list.length >= count);
  }
}

describe('GET /api/events', () => {
  it('streams event: message with id: <cursor after it> and the envelope as data', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const stream = new StreamReader(server, alice, 'topics=room:lobby');
    await stream.waitFor(1, 'subscribed');
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    await publish(server, alice, { topic: 'room:lobby', body: 'one' });
    await publish(server, alice, { topic: 'room:lobby', body: 'two' });
    const [first, second] = await stream.waitFor(2);
    expect(JSON.parse(first.data ?? '')).toMatchObject({ topic: 'room:lobby', seq: 1, from: 'alice', body: 'one' });
    expect(JSON.parse(second.data ?? '')).toMatchObject({ seq: 2, body: 'two' });
    expect(first.id).not.toBe(second.id);
    expect(server.stats().transports.sse).toMatchObject({ heldRequests: 1, deliveries: 2 });
    stream.request.destroy();
  });

  it('resumes from Last-Event-ID, which takes precedence over ?cursor', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const first = new StreamReader(server, alice, 'topics=room:lobby');
    await first.waitFor(1, 'subscribed');
    const [subscribed] = first.events();
    await publish(server, alice, { topic: 'room:lobby', body: 'one' });
    const [one] = await first.waitFor(1);
    first.request.destroy();
    await publish(server, alice, { topic: 'room:lobby', body: 'two' });
    await publish(server, alice, { topic: 'room:lobby', body: 'three' });
    // ?cursor says "from the start"; Last-Event-ID says "after one": the header wins.
    const resumed = new StreamReader(server, alice, `topics=room:lobby&cursor=${encodeURIComponent(subscribed.id ?? '')}`, {
      'last-event-id': one.id ?? '',
    });
    const events = await resumed.waitFor(2);
    expect(events.map((e) => JSON.parse(e.data ?? '').body)).toEqual(['two', 'three']);
    resumed.request.destroy();
  });

  it('sends gaps as event: gap', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const bogus = server.bus.encodeCursor({ 'room:lobby': 9 });
    const stream = new StreamReader(server, alice, `topics=room:lobby&cursor=${encodeURIComponent(bogus)}`);
    const [gap] = await stream.waitFor(1, 'gap');
    expect(JSON.parse(gap.data ?? '')).toMatchObject({ topic: 'room:lobby', from: 1, to: 9, reason: 'unknown' });
    stream.request.destroy();
  });

  it('keeps an idle stream alive with a comment line', async () => {
    const server = await startServer({ sseKeepAliveMs: 50 });
    const alice = await createSession(server, 'alice');
    const stream = new StreamReader(server, alice, 'topics=room:lobby');
    const text = await eventually(() => stream.text, (seen) => seen.includes('\n:\n\n') || seen.startsWith(':\n\n'));
    // The keep-alive is a comment: it carries no event, so a client sees nothing but a live stream.
    expect(text).toMatch(/(^|\n):\n\n/);
    expect(stream.events().map((event) => event.event)).toEqual(['subscribed']);
    stream.request.destroy();
  });

  it('frees an aborted stream at once: held count and subscriptions back to 0', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const stream = new StreamReader(server, alice, 'topics=room:lobby,user:alice');
    await stream.waitFor(1, 'subscribed');
    expect(server.stats().transports.sse.heldRequests).toBe(1);
    expect(server.bus.stats().subscriptions).toBe(2);
    stream.request.destroy();
    await eventually(
      () => [server.stats().transports.sse.heldRequests, server.bus.stats().subscriptions],
      ([heldCount, subscriptions]) => heldCount === 0 && subscriptions === 0,
    );
  });

  it('ends streams when the server closes', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const stream = new StreamReader(server, alice, 'topics=room:lobby');
    await stream.waitFor(1, 'subscribed');
    const open = server.stats().transports.sse.openConnections;
    expect(open).toBe(1);
    await server.close();
    await stream.ended;
    expect(server.stats().transports.sse.heldRequests).toBe(0);
    expect(await eventually(() => server.stats().transports.sse.openConnections, (count) => count === 0)).toBe(0);
  });
});
