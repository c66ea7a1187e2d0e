import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import type { StatsSnapshot, TransportName } from '../../src/protocol/index.ts';
import { closeAll, createSession, eventually, publish, startServer } from './helpers.ts';
import { RawWebSocket } from './raw-ws.ts';

afterEach(closeAll);

/** Sends raw bytes on a fresh socket and collects everything until the server closes it. */
async function rawExchange(server: LabServer, request: string): Promise<Buffer> {
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(request);
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(chunks);
}

/** Writes one request on an open keep-alive socket and reads its whole answer (Content-Length framed). */
async function exchangeOn(socket: net.Socket, request: string, body?: { text: string; after: () => Promise<unknown> }): Promise<Buffer> {
  socket.write(request);
  if (body) {
    await body.after();
    socket.write(body.text);
  }
  let received = Buffer.alloc(0);
  for (;;) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    received = Buffer.concat([received, chunk]);
    const end = received.indexOf('\r\n\r\n');
    const length = /content-length: (\d+)/i.exec(received.subarray(0, end).toString());
    if (end >= 0 && length && received.length >= end + 4 + Number(length[1])) return received;
  }
}

function splitResponse(response: Buffer): { head: number; body: Buffer } {
  const end = response.indexOf('\r\n\r\n') + 4;
  return { head: end, body: response.subarray(end) };
}

function delta(before: StatsSnapshot, after: StatsSnapshot, name: TransportName) {
  const a = before.transports[name];
  const b = after.transports[name];
  const sub = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries(Object.keys(x).map((k) => [k, y[k] - x[k]]));
  return { in: sub({ ...a.bytesIn }, { ...b.bytesIn }), out: sub({ ...a.bytesOut }, { ...b.bytesOut }), requests: b.requests - a.requests };
}

describe('wire accounting', () => {
  it('counts a known publish request and its answer byte for byte, split into headers and bodies', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const body = JSON.stringify({ topic: 'room:lobby', body: 'héllo' });
    const request =
      `POST /api/messages?via=poll HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${alice.token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
    const before = server.stats();
    const response = await rawExchange(server, request);
    const after = server.stats();
    const { head, body: responseBody } = splitResponse(response);
    expect(response.toString()).toMatch(/^HTTP\/1\.1 201/);
    const d = delta(before, after, 'poll');
    expect(d.requests).toBe(1);
    expect(d.in).toEqual({ headers: Buffer.byteLength(request) - Buffer.byteLength(body), framing: 0, bodies: Buffer.byteLength(body) });
    expect(d.out).toEqual({ headers: head, framing: 0, bodies: responseBody.length });
  });

  it('counts a poll request: headers in, JSON body out', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const request = `GET /api/poll?topics=room:lobby HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\nConnection: close\r\n\r\n`;
    const before = server.stats();
    const response = await rawExchange(server, request);
    const d = delta(before, server.stats(), 'poll');
    const { head, body } = splitResponse(response);
    expect(d.in).toEqual({ headers: Buffer.byteLength(request), framing: 0, bodies: 0 });
    expect(d.out).toEqual({ headers: head, framing: 0, bodies: body.length });
    expect(JSON.parse(body.toString())).toMatchObject({ messages: [] });
  });

  it('counts an event stream: status line and headers, chunk and SSE framing, data values as bodies', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const request = `GET /api/events?topics=room:lobby HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\n\r\n`;
    const before = server.stats();
    socket.write(request);
    await eventually(() => received.toString(), (text) => text.includes('event: subscribed'));
    await publish(server, alice, { topic: 'room:lobby', body: 'ünïcode ✓' });
    await eventually(() => received.toString(), (text) => text.includes('event: message'));
    const d = delta(before, server.stats(), 'sse');
    const { head, body } = splitResponse(received);
    const dataValues = [...body.toString().matchAll(/^data: (.*)$/gm)].map((m) => Buffer.byteLength(m[1]));
    const bodies = dataValues.reduce((sum, n) => sum + n, 0);
    expect(dataValues).toHaveLength(2);
    expect(d.in).toEqual({ headers: Buffer.byteLength(request), framing: 0, bodies: 0 });
    expect(d.out).toEqual({ headers: head, framing: body.length - bodies, bodies });
    // Chunked encoding: every event is one chunk whose size line is counted as framing.
    expect(body.toString()).toMatch(/^[0-9a-f]+\r\nevent: subscribed\n/);
    socket.destroy();
  });

  it('counts WebSocket frames: 6-byte client header, 2-byte server header for payloads under 126 bytes', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const before = server.stats();
    const raw = await RawWebSocket.open(server.url, `/ws?token=${encodeURIComponent(alice.token)}`);
    const afterHandshake = server.stats();
    const handshake = delta(before, afterHandshake, 'ws');
    expect(handshake.in).toEqual({ headers: raw.bytesSent, framing: 0, bodies: 0 });
    expect(handshake.out).toEqual({ headers: Buffer.byteLength(raw.handshake, 'latin1'), framing: 0, bodies: 0 });

    const frame = JSON.stringify({ op: 'publish', topic: 'room:x', body: 'hi', ref: '1' });
    expect(frame.length).toBeLessThan(126);
    const written = raw.sendText(frame);
    expect(written).toBe(frame.length + 6);
    await eventually(() => raw.texts().length, (n) => n === 1);
    const [ack] = raw.frames();
    expect(ack.headerBytes).toBe(2);
    const d = delta(afterHandshake, server.stats(), 'ws');
    expect(d.in).toEqual({ headers: 0, framing: 6, bodies: frame.length });
    expect(d.out).toEqual({ headers: 0, framing: 2, bodies: ack.payload.length });

    // Message frames (built from the shared envelope, sized without re-measuring it).
    raw.sendText(JSON.stringify({ op: 'subscribe', topics: ['room:x'] }));
    await eventually(() => raw.texts().length, (n) => n === 2);
    const beforeMessages = server.stats();
    await publish(server, alice, { topic: 'room:x', body: 'ünïcode ✓ '.repeat(20) });
    await publish(server, alice, { topic: 'room:x', body: 'short' });
    await eventually(() => raw.texts().length, (n) => n === 4);
    const messageFrames = raw.frames().slice(2);
    expect(messageFrames.map((f) => JSON.parse(f.payload.toString()).op)).toEqual(['message', 'message']);
    const m = delta(beforeMessages, server.stats(), 'ws');
    expect(m.out).toEqual({
      headers: 0,
      framing: messageFrames.reduce((sum, f) => sum + f.headerBytes, 0),
      bodies: messageFrames.reduce((sum, f) => sum + f.payload.length, 0),
    });
    raw.destroy();
  });

  it('charges each request on one keep-alive socket to its own transport, a body included, whatever came before', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const pollHead = `GET /api/poll?topics=room:lobby HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\n\r\n`;
    const body = JSON.stringify({ topic: 'room:lobby', body: 'hi' });
    const publishHead =
      `POST /api/messages?via=sse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    const before = server.stats();
    const answers = [];
    answers.push(await exchangeOn(socket, pollHead));
    // The body leaves once the server has taken the head (counted its request), as a slow client's would.
    const headTaken = () => eventually(() => server.stats().transports.sse.requests, (count) => count === before.transports.sse.requests + 1);
    answers.push(await exchangeOn(socket, publishHead, { text: body, after: headTaken }));
    answers.push(await exchangeOn(socket, pollHead));
    const after = server.stats();
    socket.destroy();
    expect(answers.map((answer) => answer.toString().slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 201', 'HTTP/1.1 200']);
    const [first, published, second] = answers.map(splitResponse);
    expect(delta(before, after, 'poll')).toMatchObject({
      in: { headers: 2 * Buffer.byteLength(pollHead), framing: 0, bodies: 0 },
      out: { headers: first.head + second.head, framing: 0, bodies: first.body.length + second.body.length },
    });
    expect(delta(before, after, 'sse')).toMatchObject({
      in: { headers: Buffer.byteLength(publishHead), framing: 0, bodies: Buffer.byteLength(body) },
      out: { headers: published.head, framing: 0, bodies: published.body.length },
    });
  });

  it('counts stats and metrics requests under other, never under a transport', async () => {
    const server = await startServer();
    const before = server.stats();
    await (await fetch(`${server.url}/api/stats`)).json();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('lab_wire_bytes_total{transport="poll",direction="in",part="headers"}');
    expect(metrics).toContain('lab_open_connections');
    const after = server.stats();
    for (const name of ['poll', 'longpoll', 'sse', 'ws'] as const) {
      expect(after.transports[name]).toEqual(before.transports[name]);
    }
    expect(after.other.requests - before.other.requests).toBe(2);
    expect(after.other.bytesOut).toBeGreaterThan(before.other.bytesOut);
  });

  it('reports the bus and the process', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    await publish(server, alice, { topic: 'room:lobby', body: 'x' });
    const res = await fetch(`${server.url}/api/stats`);
    const stats = (await res.json()) as StatsSnapshot;
    expect(stats.bus).toMatchObject({ topics: 1, historyMessages: 1, epoch: server.bus.epoch });
    expect(stats.process.rssBytes).toBeGreaterThan(0);
    expect(stats.process.eventLoopDelayMs).toEqual({ mean: expect.any(Number), p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });
  });
});
