import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { createGunzip, gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import type { StatsSnapshot, TransportName } from '../../src/protocol/index.ts';
import { acceptsGzip } from '../../src/transports/compression.ts';
import { closeAll, createSession, eventually, publish, startServer, type TestSession } from './helpers.ts';
import { TYPESCRIPT_NODE_FLAGS } from '../../src/typescript-loader.ts';

afterEach(closeAll);

/** Issue 11 #6: gzip of poll / long-poll answers and event streams, permessage-deflate on ws, counted as the bytes on the wire. */

const LONG_BODY = 'the quick brown fox jumps over the lazy dog; '.repeat(40);

function outDelta(before: StatsSnapshot, after: StatsSnapshot, name: TransportName): { headers: number; framing: number; bodies: number } {
  const a = before.transports[name].bytesOut;
  const b = after.transports[name].bytesOut;
  return { headers: b.headers - a.headers, framing: b.framing - a.framing, bodies: b.bodies - a.bodies };
}

/** One raw request on a fresh socket; everything until the server closes it. */
async function rawExchange(server: LabServer, request: string): Promise<{ head: string; body: Buffer; total: number }> {
  const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(request);
  await once(socket, 'close');
  const response = Buffer.concat(chunks);
  const end = response.indexOf('\r\n\r\n') + 4;
  return { head: response.subarray(0, end).toString('latin1'), body: response.subarray(end), total: response.length };
}

function pollRequest(session: TestSession, acceptEncoding?: string): string {
  const accept = acceptEncoding === undefined ? '' : `Accept-Encoding: ${acceptEncoding}\r\n`;
  return `GET /api/poll?topics=room:lobby&backlog=5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${session.token}\r\n${accept}Connection: close\r\n\r\n`;
}

describe('Accept-Encoding', () => {
  it('allows gzip only when named (or *) with a q above 0', () => {
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('br, gzip;q=0.5, deflate')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*, gzip;q=0')).toBe(false);
  });
});

describe('gzip of poll answers (httpCompression: gzip)', () => {
  it('gzips an answer over the threshold for a client that accepts it, and counts the compressed bytes as bodies', async () => {
    const server = await startServer({ httpCompression: 'gzip' });
    const alice = await createSession(server, 'alice');
    for (let i = 0; i < 3; i += 1) await publish(server, alice, { topic: 'room:lobby', body: LONG_BODY });
    const before = server.stats();
    const { head, body } = await rawExchange(server, pollRequest(alice, 'gzip, deflate'));
    const d = outDelta(before, server.stats(), 'poll');
    expect(head).toMatch(/content-encoding: gzip\r\n/i);
    expect(head).toMatch(/vary: accept-encoding\r\n/i);
    const json = JSON.parse(gunzipSync(body).toString()) as { messages: Array<{ body: string }> };
    expect(json.messages.map((m) => m.body)).toEqual([LONG_BODY, LONG_BODY, LONG_BODY]);
    expect(body.length).toBeLessThan(LONG_BODY.length);
    expect(d).toEqual({ headers: Buffer.byteLength(head, 'latin1'), framing: 0, bodies: body.length });
  });

  it('answers plain a client that does not accept gzip, an answer under the threshold, and a server with compression off', async () => {
    const gzipServer = await startServer({ httpCompression: 'gzip' });
    const alice = await createSession(gzipServer, 'alice');
    await publish(gzipServer, alice, { topic: 'room:lobby', body: LONG_BODY });
    const plain = await rawExchange(gzipServer, pollRequest(alice));
    expect(plain.head).not.toMatch(/content-encoding/i);
    expect(JSON.parse(plain.body.toString())).toMatchObject({ messages: [{ body: LONG_BODY }] });

    const bob = await createSession(gzipServer, 'bob');
    const small = await rawExchange(gzipServer, pollRequest(bob, 'gzip').replace('room:lobby', 'room:empty'));
    expect(small.head).not.toMatch(/content-encoding/i);
    expect(JSON.parse(small.body.toString())).toMatchObject({ messages: [] });

    const offServer = await startServer();
    const carol = await createSession(offServer, 'carol');
    await publish(offServer, carol, { topic: 'room:lobby', body: LONG_BODY });
    const off = await rawExchange(offServer, pollRequest(carol, 'gzip'));
    expect(off.head).not.toMatch(/content-encoding/i);
    expect(JSON.parse(off.body.toString())).toMatchObject({ messages: [{ body: LONG_BODY }] });
  });

  it('gzips a long-poll answer', async () => {
    const server = await startServer({ httpCompression: 'gzip' });
    const alice = await createSession(server, 'alice');
    await publish(server, alice, { topic: 'room:lobby', body: LONG_BODY });
    const res = await fetch(`${server.url}/api/longpoll?topics=room:lobby&backlog=5&wait=1`, { headers: { ...alice.auth, 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.json()).toMatchObject({ messages: [{ body: LONG_BODY }] });
  });
});

describe('gzip of event streams', () => {
  it('sends each event at once (sync flush), decodable while the stream stays open, bodies = compressed bytes', async () => {
    const server = await startServer({ httpCompression: 'gzip' });
    const alice = await createSession(server, 'alice');
    const before = server.stats();
    const { port } = new URL(server.url);
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events?topics=room:lobby', headers: { ...alice.auth, 'accept-encoding': 'gzip' } });
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(res.headers['content-encoding']).toBe('gzip');
    let compressed = 0;
    let text = '';
    res.on('data', (chunk: Buffer) => { compressed += chunk.length; });
    res.pipe(createGunzip()).on('data', (chunk: Buffer) => { text += chunk.toString(); });
    await eventually(() => text, (t) => t.includes('event: subscribed'));
    await publish(server, alice, { topic: 'room:lobby', body: 'hello, compressed' });
    // The stream is still open: the event came out of zlib by its own flush, not the stream's end.
    await eventually(() => text, (t) => t.includes('"body":"hello, compressed"'));
    expect(res.complete).toBe(false);
    const d = outDelta(before, server.stats(), 'sse');
    expect(d.bodies).toBe(compressed);
    req.destroy();
  });
});

describe('permessage-deflate (wsPerMessageDeflate)', () => {
  async function openDeflating(server: LabServer, session: TestSession): Promise<{ ws: WebSocket; texts: string[] }> {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(session.token)}`, { perMessageDeflate: { threshold: 0 } });
    const texts: string[] = [];
    ws.on('message', (data) => texts.push(data.toString()));
    await once(ws, 'open');
    return { ws, texts };
  }

  it('is negotiated only when the server offers it', async () => {
    const off = await startServer();
    const a = await openDeflating(off, await createSession(off, 'alice'));
    expect(a.ws.extensions).toBe('');
    a.ws.close();
    const on = await startServer({ wsPerMessageDeflate: true });
    const b = await openDeflating(on, await createSession(on, 'bob'));
    expect(b.ws.extensions).toMatch(/permessage-deflate/);
    b.ws.close();
  });

  it('counts compressed payloads as bodies, and the split adds up to the bytes the client read and sent', async () => {
    const server = await startServer({ wsPerMessageDeflate: true });
    const alice = await createSession(server, 'alice');
    const { ws, texts } = await openDeflating(server, alice);
    const socket = (ws as unknown as { _socket: net.Socket })._socket;
    const before = server.stats();
    const readBefore = socket.bytesRead;
    const sentBefore = socket.bytesWritten;
    ws.send(JSON.stringify({ op: 'subscribe', topics: ['room:lobby'], ref: 's' }));
    await eventually(() => texts.length, (n) => n >= 1);
    for (let i = 0; i < 3; i += 1) ws.send(JSON.stringify({ op: 'publish', topic: 'room:lobby', body: LONG_BODY, ref: `p${i}` }));
    await eventually(() => texts.filter((t) => t.includes(LONG_BODY)).length, (n) => n === 3);
    await eventually(() => texts.filter((t) => t.includes('"op":"ack"')).length, (n) => n >= 3);
    const read = socket.bytesRead - readBefore;
    const sent = socket.bytesWritten - sentBefore;
    // The server charges a socket's bytes as it flushes them: wait until all the client read is counted.
    const total = (s: StatsSnapshot): number => { const o = s.transports.ws.bytesOut; return o.headers + o.framing + o.bodies; };
    const after = await eventually(() => server.stats(), (s) => total(s) - total(before) >= read);
    const out = outDelta(before, after, 'ws');
    const a = before.transports.ws.bytesIn;
    const b = after.transports.ws.bytesIn;
    const uncompressed = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
    expect(out.bodies).toBeGreaterThan(0);
    expect(out.bodies).toBeLessThan(uncompressed / 2);
    expect(out.framing).toBeGreaterThan(0);
    expect(out.headers + out.framing + out.bodies).toBe(read);
    expect((b.headers + b.framing + b.bodies) - (a.headers + a.framing + a.bodies)).toBe(sent);
    // The client compressed its publishes too (threshold 0): their compressed payloads are the bodies in.
    expect(b.bodies - a.bodies).toBeLessThan(3 * LONG_BODY.length / 2);
    expect(b.framing - a.framing).toBeGreaterThan(0);
    ws.close();
  });
});

describe('permessage-deflate without context takeover', () => {
  it('sends frames under the threshold plain and counts each frame as it went, compressed or not', async () => {
    const server = await startServer({ wsPerMessageDeflate: true });
    const alice = await createSession(server, 'alice');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(alice.token)}`, { perMessageDeflate: { serverNoContextTakeover: true } });
    const texts: string[] = [];
    ws.on('message', (data) => texts.push(data.toString()));
    await once(ws, 'open');
    const params = (ws as unknown as { _extensions: Record<string, { params: Record<string, unknown> }> })._extensions['permessage-deflate']?.params;
    expect(params?.server_no_context_takeover).toBe(true);
    const socket = (ws as unknown as { _socket: net.Socket })._socket;
    const before = server.stats();
    const readBefore = socket.bytesRead;
    ws.send(JSON.stringify({ op: 'subscribe', topics: ['room:lobby'], ref: 's' }));
    await eventually(() => texts.length, (n) => n >= 1);
    ws.send(JSON.stringify({ op: 'publish', topic: 'room:lobby', body: 'short', ref: 'p0' }));
    ws.send(JSON.stringify({ op: 'publish', topic: 'room:lobby', body: LONG_BODY, ref: 'p1' }));
    await eventually(() => texts.filter((t) => t.includes('"op":"ack"')).length, (n) => n === 2);
    await eventually(() => texts.filter((t) => t.includes('"op":"message"')).length, (n) => n === 2);
    const read = socket.bytesRead - readBefore;
    const total = (s: StatsSnapshot): number => { const o = s.transports.ws.bytesOut; return o.headers + o.framing + o.bodies; };
    const after = await eventually(() => server.stats(), (s) => total(s) - total(before) >= read);
    const out = outDelta(before, after, 'ws');
    const small = texts.filter((t) => Buffer.byteLength(t) < 256);
    const large = texts.filter((t) => Buffer.byteLength(t) >= 256);
    expect(small.length).toBeGreaterThan(0);
    expect(large).toHaveLength(1);
    // The small frames' text counts whole; the large one's compressed payload is far under its text.
    const smallBytes = small.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
    expect(out.bodies).toBeGreaterThan(smallBytes);
    expect(out.bodies).toBeLessThan(smallBytes + Buffer.byteLength(large[0]!) / 2);
    expect(out.headers + out.framing + out.bodies).toBe(read);
    // Frame headers: 2 bytes per small frame at least, so framing is what the split left, and sane.
    expect(out.framing).toBeGreaterThanOrEqual(2 * texts.length);
    ws.close();
  });
});

describe('npm start -- --ws-deflate --gzip', () => {
  it('turns both on (and without them, neither)', { timeout: 60_000 }, async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    for (const on of [true, false]) {
      const child = spawn(process.execPath, [...TYPESCRIPT_NODE_FLAGS, 'src/server/main.ts', '--port', '0', ...(on ? ['--ws-deflate', '--gzip'] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
        const url = (await eventually(() => /listening on (http:\/\/\S+)/.exec(stdout)?.[1], (found) => found !== undefined))!;
        const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'flags' }) });
        const { token } = (await res.json()) as { token: string };
        await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ topic: 'room:flags', body: LONG_BODY }) });
        const poll = await fetch(`${url}/api/poll?topics=room:flags&backlog=5`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } });
        expect(poll.headers.get('content-encoding')).toBe(on ? 'gzip' : null);
        expect(await poll.json()).toMatchObject({ messages: [{ body: LONG_BODY }] });
        const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?token=${encodeURIComponent(token)}`, { perMessageDeflate: true });
        await once(ws, 'open');
        expect(ws.extensions.includes('permessage-deflate')).toBe(on);
        ws.close();
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  });
});
