import { once } from 'node:events';
import https from 'node:https';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, eventually, startServer } from './helpers.ts';
import { connectH2, H2Request, type H2Client } from './h2-client.ts';

afterEach(closeAll);

const open: H2Client[] = [];
afterEach(() => {
  for (const client of open.splice(0)) client.session.destroy();
});

async function client(url: string | undefined): Promise<H2Client> {
  if (!url) throw new Error('the server does not listen for HTTP/2');
  const connected = await connectH2(url);
  open.push(connected);
  return connected;
}

/** Every byte the server counted on its sockets, in and out, over all owners. */
function countedBytes(server: LabServer): { in: number; out: number } {
  const stats = server.stats();
  let bytesIn = stats.other.bytesIn;
  let bytesOut = stats.other.bytesOut;
  for (const transport of Object.values(stats.transports)) {
    bytesIn += transport.bytesIn.headers + transport.bytesIn.framing + transport.bytesIn.bodies;
    bytesOut += transport.bytesOut.headers + transport.bytesOut.framing + transport.bytesOut.bodies;
  }
  return { in: bytesIn, out: bytesOut };
}

describe.each([
  ['TLS with ALPN h2', 'tlsUrl'],
  ['cleartext h2 (prior knowledge)', 'h2cUrl'],
] as const)('poll, long poll and SSE over HTTP/2: %s', (_label, which) => {
  it('answers a poll with what was published, and the session negotiated h2', async () => {
    const server = await startServer({ tlsPort: 0, h2cPort: 0 });
    const alice = await createSession(server, 'alice');
    const { session } = await client(server[which]);
    if (which === 'tlsUrl') expect(session.alpnProtocol).toBe('h2');
    const published = new H2Request(session, '/api/messages?via=poll', { ...alice.auth, 'content-type': 'application/json' },
      JSON.stringify({ topic: 'room:lobby', body: 'over h2' }));
    expect((await published.json()).seq).toBe(1);
    expect(published.status).toBe(201);
    const poll = new H2Request(session, '/api/poll?topics=room:lobby&backlog=10', alice.auth);
    const answer = await poll.json();
    expect(poll.status).toBe(200);
    expect((answer.messages as Array<{ body: string }>).map((message) => message.body)).toEqual(['over h2']);
  });

  it('holds a long poll until a publish on the same session releases it', async () => {
    const server = await startServer({ tlsPort: 0, h2cPort: 0 });
    const alice = await createSession(server, 'alice');
    const { session } = await client(server[which]);
    const held = new H2Request(session, '/api/longpoll?topics=room:lobby&wait=30', alice.auth);
    await eventually(() => server.stats().transports.longpoll.heldRequests === 1, 'the long poll held');
    expect(held.status).toBe(0);
    const published = new H2Request(session, '/api/messages?via=longpoll', { ...alice.auth, 'content-type': 'application/json' },
      JSON.stringify({ topic: 'room:lobby', body: 'wake up' }));
    await published.ended;
    const answer = await held.json();
    expect(held.status).toBe(200);
    expect((answer.messages as Array<{ body: string }>).map((message) => message.body)).toEqual(['wake up']);
    expect(server.stats().transports.longpoll.heldRequests).toBe(0);
  });

  it('streams SSE events: subscribed, then each message published', async () => {
    const server = await startServer({ tlsPort: 0, h2cPort: 0 });
    const alice = await createSession(server, 'alice');
    const { session } = await client(server[which]);
    const stream = new H2Request(session, '/api/events?topics=room:lobby', alice.auth);
    await eventually(() => stream.events().some((event) => event.event === 'subscribed'), 'the subscribed event');
    for (const body of ['one', 'two']) {
      await new H2Request(session, '/api/messages?via=sse', { ...alice.auth, 'content-type': 'application/json' },
        JSON.stringify({ topic: 'room:lobby', body })).ended;
    }
    const messages = await eventually(() => stream.events().filter((event) => event.event === 'message'), (list) => list.length === 2);
    expect(messages.map((event) => (JSON.parse(event.data) as { body: string }).body)).toEqual(['one', 'two']);
    expect(stream.status).toBe(200);
  });

  it.each(['poll', 'longpoll', 'sse'] as const)('counts a %s session\'s bytes, to the byte, as they crossed its TCP socket', async (transport) => {
    const server = await startServer({ tlsPort: 0, h2cPort: 0 });
    const alice = await createSession(server, 'alice');
    const before = countedBytes(server);
    const { session, wire } = await client(server[which]);
    const publish = (body: string): Promise<void> => new H2Request(session, `/api/messages?via=${transport}`,
      { ...alice.auth, 'content-type': 'application/json' }, JSON.stringify({ topic: 'room:lobby', body })).ended;
    if (transport === 'sse') {
      const stream = new H2Request(session, '/api/events?topics=room:lobby', alice.auth);
      await eventually(() => stream.events().length === 1, 'the subscribed event');
      await publish('counted');
      await eventually(() => stream.events().length === 2, 'the message event');
      stream.stream.close();
    } else if (transport === 'longpoll') {
      const held = new H2Request(session, '/api/longpoll?topics=room:lobby&wait=30', alice.auth);
      await eventually(() => server.stats().transports.longpoll.heldRequests === 1, 'the long poll held');
      await publish('counted');
      await held.ended;
    } else {
      await publish('counted');
      await new H2Request(session, '/api/poll?topics=room:lobby&backlog=10', alice.auth).ended;
    }
    session.close();
    await eventually(() => wire.destroyed, 'the client socket closed');
    // The server settles a socket's bytes when it closes.
    const counted = await eventually(() => countedBytes(server), (now) => now.in - before.in === wire.bytesWritten);
    expect(counted.in - before.in).toBe(wire.bytesWritten);
    expect(counted.out - before.out).toBe(wire.bytesRead);
    // Past the session's first request, every byte is the transport's (the preface and SETTINGS before it are other's).
    const split = server.stats().transports[transport].bytesOut;
    expect(split.bodies).toBeGreaterThan(0);
    expect(split.headers).toBeGreaterThan(0);
  });
});

describe('the TLS port', () => {
  it('also answers HTTP/1.1 (a client without ALPN h2): hot paths and express routes', async () => {
    const server = await startServer({ tlsPort: 0 });
    const alice = await createSession(server, 'alice');
    const get = (path: string): Promise<{ status: number; body: string; protocol: string }> => new Promise((resolve, reject) => {
      https.get(`${server.tlsUrl}${path}`, { rejectUnauthorized: false, headers: alice.auth }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol: res.httpVersion }));
      }).on('error', reject);
    });
    const poll = await get('/api/poll?topics=room:lobby');
    expect(poll).toMatchObject({ status: 200, protocol: '1.1' });
    expect(JSON.parse(poll.body)).toMatchObject({ messages: [] });
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok' });
  });

  it('serves a certificate the user gives instead of its own', async () => {
    const { selfSignedIdentity } = await import('../../src/server/tls-cert.ts');
    const given = selfSignedIdentity('given-by-the-user');
    const server = await startServer({ tlsPort: 0, tlsCert: given.cert, tlsKey: given.key });
    const { session } = await client(server.tlsUrl);
    const socket = session.socket as import('node:tls').TLSSocket;
    expect(socket.getPeerX509Certificate()?.subject).toBe('CN=given-by-the-user');
  });

  it('answers a cold route over h2 with 404 naming the HTTP/1.1 port, and stays up', async () => {
    const server = await startServer({ tlsPort: 0 });
    const { session } = await client(server.tlsUrl);
    const cold = new H2Request(session, '/api/session', { 'content-type': 'application/json' }, JSON.stringify({ name: 'bob' }));
    const answer = await cold.json();
    expect(cold.status).toBe(404);
    expect(answer).toMatchObject({ error: { code: 'not_found' } });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('sends no Connection header over h2 when an error closes an HTTP/1.1 connection', async () => {
    const server = await startServer({ tlsPort: 0 });
    const alice = await createSession(server, 'alice');
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      const { session } = await client(server.tlsUrl);
      const tooLarge = new H2Request(session, '/api/messages', { ...alice.auth, 'content-type': 'application/json' },
        JSON.stringify({ topic: 'room:lobby', body: 'x'.repeat(server.options.maxFrameBytes + 10) }));
      await tooLarge.ended;
      expect(tooLarge.status).toBe(413);
      // Node warns (asynchronously) when a response sets a connection header over h2.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((message) => /connection header/i.test(message))).toEqual([]);
  });

  it('ends held long polls and event streams over h2 when it closes, and close resolves', async () => {
    const server = await startServer({ tlsPort: 0, h2cPort: 0 });
    const alice = await createSession(server, 'alice');
    const { session } = await client(server.tlsUrl);
    const held = new H2Request(session, '/api/longpoll?topics=room:lobby&wait=30', alice.auth);
    const stream = new H2Request(session, '/api/events?topics=room:lobby', alice.auth);
    await eventually(() => server.stats().transports.longpoll.heldRequests === 1 && stream.events().length === 1, 'both held');
    await server.close();
    await Promise.all([held.ended, stream.ended]);
    expect(held.status).toBe(503);
    expect(JSON.parse(held.text)).toMatchObject({ error: { code: 'shutting_down' } });
    expect(stream.status).toBe(200);
  });

  it('advertises http2MaxConcurrentStreams: a stream past it waits (client-side) until a held one ends', async () => {
    const server = await startServer({ h2cPort: 0, http2MaxConcurrentStreams: 2 });
    const alice = await createSession(server, 'alice');
    const { session } = await client(server.h2cUrl);
    await eventually(() => session.remoteSettings.maxConcurrentStreams === 2, 'the server\'s SETTINGS');
    const first = new H2Request(session, '/api/longpoll?topics=room:a&wait=30', alice.auth);
    const second = new H2Request(session, '/api/longpoll?topics=room:b&wait=30', alice.auth);
    await eventually(() => server.stats().transports.longpoll.heldRequests === 2, 'two long polls held');
    const third = new H2Request(session, '/api/poll?topics=room:c', alice.auth);
    // A full round trip on another session: the third stream still has not reached the server.
    const other = await client(server.h2cUrl);
    await new H2Request(other.session, '/api/poll?topics=room:d', alice.auth).ended;
    expect(server.stats().transports.poll.requests).toBe(1);
    expect(third.status).toBe(0);
    await new H2Request(other.session, '/api/messages', { ...alice.auth, 'content-type': 'application/json' },
      JSON.stringify({ topic: 'room:a', body: 'free a slot' })).ended;
    await first.ended;
    await third.ended;
    expect(third.status).toBe(200);
    expect(second.status).toBe(0);
  });

  it.each(['tlsUrl', 'h2cUrl'] as const)('cuts a socket on %s that sends no request within headersTimeoutMs', async (which) => {
    const server = await startServer({ tlsPort: 0, h2cPort: 0, headersTimeoutMs: 300 });
    const { port } = new URL(server[which]!);
    const silent = async (): Promise<void> => {
      const socket = net.connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      // Read what comes (a TLS alert, a GOAWAY), so the end is seen.
      socket.resume();
      await once(socket, 'connect');
      await once(socket, 'close');
    };
    await silent();
    // A socket that did send a request outlives a silent one opened after it.
    const { session } = await client(server[which]);
    await new H2Request(session, '/api/poll?topics=room:lobby').ended;
    await silent();
    expect(session.destroyed).toBe(false);
    expect(session.closed).toBe(false);
  });

  it('refuses a WebSocket on the TLS port (404): ws is on the HTTP/1.1 port only', async () => {
    const server = await startServer({ tlsPort: 0 });
    const ws = new WebSocket(`${server.tlsUrl!.replace('https', 'wss')}/ws`, { rejectUnauthorized: false });
    ws.on('error', () => undefined);
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number; resume(): void }];
    response.resume();
    expect(response.statusCode).toBe(404);
    ws.terminate();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('ends only the session of a client that sends garbage after the h2c preface; others go on', async () => {
    const server = await startServer({ h2cPort: 0 });
    const alice = await createSession(server, 'alice');
    const good = await client(server.h2cUrl);
    const stream = new H2Request(good.session, '/api/events?topics=room:lobby', alice.auth);
    await eventually(() => stream.events().length === 1, 'the subscribed event');
    const { port } = new URL(server.h2cUrl!);
    const bad = net.connect(Number(port), '127.0.0.1');
    bad.on('error', () => undefined);
    bad.resume();
    await once(bad, 'connect');
    // The preface, then a frame header announcing a 16 MiB SETTINGS frame on stream 7: a protocol error.
    bad.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0xff, 0xff, 0xff, 4, 0, 0, 0, 0, 7]), Buffer.alloc(64, 0xee)]));
    await once(bad, 'close');
    await new H2Request(good.session, '/api/messages?via=sse', { ...alice.auth, 'content-type': 'application/json' },
      JSON.stringify({ topic: 'room:lobby', body: 'still here' })).ended;
    await eventually(() => stream.events().some((event) => event.data.includes('still here')), 'the message on the good session');
  });

  it('fails to start when the TLS port is taken, leaving nothing listening', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const httpPort = (free.address() as net.AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));
    try {
      await expect(startServer({ port: httpPort, tlsPort: port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      // The HTTP/1.1 port it had opened is free again.
      const again = net.createServer();
      await new Promise<void>((resolve, reject) => again.once('error', reject).listen(httpPort, '127.0.0.1', resolve));
      await new Promise((resolve) => again.close(resolve));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
