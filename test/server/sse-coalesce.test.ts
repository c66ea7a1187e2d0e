import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import type { StatsSnapshot } from '../../src/protocol/index.ts';
import { closeAll, createSession, eventually, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

/** Issue 12: an event stream whose socket is backed up sends the events it gathered meanwhile as one chunk. */

const TOPIC = 'room:coalesce';
const BODY = 'x'.repeat(16_000);
/** Events published once the socket is backed up: they wait for the write in flight, then leave together. */
const HELD = 5;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The server's side of the next event stream opened on `server`. */
function nextStreamResponse(server: LabServer): Promise<http.ServerResponse> {
  return new Promise((resolve) => {
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (!req.url?.startsWith('/api/events')) return;
      server.httpServer.off('request', onRequest);
      resolve(res);
    };
    server.httpServer.on('request', onRequest);
  });
}

/** An event stream read on a bare socket, so that its chunks can be seen (and the socket paused). */
class RawStream {
  received = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
  }

  static async open(server: LabServer, session: TestSession): Promise<RawStream> {
    const socket = net.connect(server.port, '127.0.0.1');
    const stream = new RawStream(socket);
    socket.write(`GET /api/events?topics=${TOPIC} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${session.token}\r\n\r\n`);
    await eventually(() => stream.received.includes('event: subscribed'), 'the subscribed event');
    return stream;
  }

  /** Bytes of the status line and header block. */
  get head(): number {
    return this.received.indexOf('\r\n\r\n') + 4;
  }

  /** The chunked body's chunks, whole ones only. */
  chunks(): Buffer[] {
    const chunks: Buffer[] = [];
    let at = this.head;
    for (;;) {
      const lineEnd = this.received.indexOf('\r\n', at);
      if (lineEnd < 0) return chunks;
      const size = parseInt(this.received.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0 || lineEnd + 2 + size + 2 > this.received.length) return chunks;
      chunks.push(this.received.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }

  text(): string {
    return Buffer.concat(this.chunks()).toString();
  }
}

const messageCount = (text: string): number => text.split('event: message\n').length - 1;
const seqsOf = (text: string): number[] => [...text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1]) as { seq?: number }).seq ?? 0).filter((seq) => seq > 0);
const idsOf = (text: string): string[] => [...text.matchAll(/^event: message\nid: (.*)$/gm)].map((m) => m[1]);
const sseOut = (before: StatsSnapshot, after: StatsSnapshot) => {
  const [a, b] = [before.transports.sse.bytesOut, after.transports.sse.bytesOut];
  return { headers: b.headers - a.headers, framing: b.framing - a.framing, bodies: b.bodies - a.bodies };
};

interface PublishPace {
  body?: () => string;
  /** Waits after each publish (a gzip stream's event reaches the socket only once zlib has done it). */
  settle?: () => Promise<unknown>;
  most?: number;
}

/** Publishes one message per turn of the event loop (as publishes from the network come) until `stop` holds. */
async function publishUntil(server: LabServer, stop: () => boolean, { body = () => BODY, settle = nextTurn, most = 2_000 }: PublishPace = {}): Promise<number> {
  let published = 0;
  while (!stop() && published < most) {
    await server.bus.publish({ topic: TOPIC, from: 'alice', body: body() });
    published += 1;
    await settle();
  }
  return published;
}

describe('SSE coalescing while the socket is backed up (issue 12)', () => {
  it('writes each event at once, as its own chunk, to a stream that keeps up', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const stream = await RawStream.open(server, alice);
    for (let i = 1; i <= 3; i++) {
      await server.bus.publish({ topic: TOPIC, from: 'alice', body: `m${i}` });
      await eventually(() => messageCount(stream.text()) === i, `message ${i}`);
    }
    expect(stream.chunks().map((chunk) => messageCount(chunk.toString()))).toEqual([0, 1, 1, 1]);
    stream.socket.destroy();
  });

  it('writes the first event of a turn at once and the ones after it in that turn as one chunk at its end', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const stream = await RawStream.open(server, alice);
    // Four publishes in one turn, each write leaving before the next publish (its callbacks run
    // on the tick queue), as node runs a publisher's pipelined requests at saturation.
    for (let i = 1; i <= 4; i++) {
      await server.bus.publish({ topic: TOPIC, from: 'alice', body: `m${i}` });
      for (let tick = 0; tick < 5; tick++) await new Promise((resolve) => process.nextTick(resolve));
    }
    await eventually(() => messageCount(stream.text()) === 4, 'four messages');
    expect(stream.chunks().map((chunk) => messageCount(chunk.toString()))).toEqual([0, 1, 3]);
    expect(seqsOf(stream.text())).toEqual([1, 2, 3, 4]);
    stream.socket.destroy();
  });

  it('sends the events that came while its socket was backed up as one chunk, and counts the socket bytes exactly', async () => {
    const server = await startServer({ sseMaxBufferedBytes: 64 * 1024 * 1024 });
    const alice = await createSession(server, 'alice');
    const serverSide = nextStreamResponse(server);
    const before = server.stats();
    const stream = await RawStream.open(server, alice);
    const res = await serverSide;
    stream.socket.pause();

    // Until the kernel's buffers are full and a write stays in flight in the server.
    const published = await publishUntil(server, () => res.writableLength > 0);
    expect(res.writableLength).toBeGreaterThan(0);
    for (let i = 0; i < HELD; i++) {
      await server.bus.publish({ topic: TOPIC, from: 'alice', body: BODY });
      await nextTurn();
    }
    const total = published + HELD;

    stream.socket.resume();
    await eventually(() => messageCount(stream.text()) === total, `${total} messages`, 20_000);
    const chunks = stream.chunks();
    expect(messageCount(chunks[chunks.length - 1]!.toString())).toBe(HELD);
    const text = stream.text();
    // Every event whole and with its own id: EventSource resumes from any of them.
    expect(seqsOf(text)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(idsOf(text)).size).toBe(total);

    // Bytes on the socket: chunk framing counted once per chunk, SSE framing and data per event.
    const dataBytes = [...text.matchAll(/^data: (.*)$/gm)].reduce((sum, m) => sum + Buffer.byteLength(m[1]), 0);
    const body = stream.received.length - stream.head;
    expect(sseOut(before, server.stats())).toEqual({ headers: stream.head, framing: body - dataBytes, bodies: dataBytes });
    stream.socket.destroy();
  });

  it('still cuts a client that stops reading at sseMaxBufferedBytes, counting the held events; those go out before the end', async () => {
    const bound = 256 * 1024;
    const server = await startServer({ sseMaxBufferedBytes: bound });
    const alice = await createSession(server, 'alice');
    const serverSide = nextStreamResponse(server);
    const stream = await RawStream.open(server, alice);
    const res = await serverSide;
    stream.socket.pause();
    const before = server.stats();

    await publishUntil(server, () => server.stats().transports.sse.heldRequests === 0);
    expect(server.stats().transports.sse.heldRequests).toBe(0);
    // What the stream held when it ended — the unsent chunk and the events gathered behind it — stayed
    // within the bound (plus the held events' chunk line and the last chunk, written by the end).
    expect(res.writableLength).toBeLessThanOrEqual(bound + 32);

    stream.socket.resume();
    await eventually(() => stream.received.subarray(-5).toString() === '0\r\n\r\n', 'the last chunk', 20_000);
    const text = stream.text();
    const seqs = seqsOf(text);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // Every event the stream took was written before its end: none was left behind.
    expect(server.stats().transports.sse.deliveries - before.transports.sse.deliveries).toBe(seqs.length);
    stream.socket.destroy();
  });

  it('keeps a gzip stream whole: the held events are compressed together and decode in order', async () => {
    const server = await startServer({ httpCompression: 'gzip', sseMaxBufferedBytes: 64 * 1024 * 1024 });
    const alice = await createSession(server, 'alice');
    const serverSide = nextStreamResponse(server);
    const req = http.get({ host: '127.0.0.1', port: server.port, path: `/api/events?topics=${TOPIC}`, headers: { ...alice.auth, 'accept-encoding': 'gzip' } });
    const [client] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(client.headers['content-encoding']).toBe('gzip');
    const res = await serverSide;
    let text = '';
    const gunzip = createGunzip().on('data', (chunk: Buffer) => (text += chunk.toString()));
    // Not piped: a pipe would resume the response that the test pauses.
    client.on('data', (chunk: Buffer) => gunzip.write(chunk));
    await eventually(() => text.includes('event: subscribed'), 'the subscribed event');
    client.pause();

    // Random bodies, so that zlib cannot shrink them to nothing.
    const socket = res.socket!;
    const published = await publishUntil(server, () => res.writableLength > 0, {
      body: () => randomBytes(12_000).toString('base64'),
      settle: () => {
        const sent = socket.bytesWritten;
        return eventually(() => socket.bytesWritten > sent || res.writableLength > 0, 'the event out of zlib');
      },
    });
    expect(res.writableLength).toBeGreaterThan(0);
    for (let i = 0; i < HELD; i++) {
      await server.bus.publish({ topic: TOPIC, from: 'alice', body: String(i).repeat(10) });
      await nextTurn();
    }
    const total = published + HELD;
    client.resume();
    await eventually(() => messageCount(text) === total, `${total} messages`, 20_000);
    expect(seqsOf(text)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    req.destroy();
  });
});
