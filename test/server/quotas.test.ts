import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, eventually, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

interface Reply {
  status: number;
  body: string;
  res: http.IncomingMessage;
}

/**
 * A GET from a chosen local address (all of 127.0.0.0/8 is loopback on Linux,
 * so 127.0.0.2 is "another attendee"). Resolves on the head; the body is read
 * to its end unless `stream` (an event stream stays open).
 */
function getFrom(server: LabServer, path: string, options: { from?: string; headers?: Record<string, string>; stream?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: server.port, path, localAddress: options.from ?? '127.0.0.1', headers: options.headers, agent: false },
      (res) => {
        if (options.stream && res.statusCode === 200) {
          resolve({ status: 200, body: '', res });
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, res }));
      },
    );
    req.on('error', reject);
  });
}

/** A raw socket from `from`, connected, optionally having sent `text` (e.g. half a request). */
async function rawSocket(server: LabServer, from: string, text = ''): Promise<net.Socket> {
  const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress: from });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  if (text) socket.write(text);
  return socket;
}

const eventsPath = (session: TestSession, topic = 'room:lobby'): string =>
  `/api/events?topics=${topic}&token=${encodeURIComponent(session.token)}`;

describe('per-session quotas (issue 8 #6)', () => {
  it('one session holds at most maxHeldPerSession streams, long polls and sockets; another session is not refused', async () => {
    const server = await startServer({ maxHeldPerSession: 3 });
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    const held: http.IncomingMessage[] = [];
    for (let i = 0; i < 3; i++) held.push((await getFrom(server, eventsPath(alice), { stream: true })).res);
    const refused = await getFrom(server, eventsPath(alice));
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'too_many_connections' } });
    expect(refused.body).toContain('maxHeldPerSession');
    expect(refused.res.headers['retry-after']).toBe('1');
    const longPoll = await getFrom(server, `/api/longpoll?topics=room:lobby&wait=30&token=${encodeURIComponent(alice.token)}`);
    expect(longPoll.status).toBe(503);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(alice.token)}`);
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1013);
    const other = await getFrom(server, eventsPath(bob), { stream: true });
    expect(other.status).toBe(200);
    // A stream that ends gives its slot back.
    held[0].destroy();
    await eventually(() => server.stats().transports.sse.heldRequests, (count) => count === 3);
    expect((await getFrom(server, eventsPath(alice), { stream: true })).status).toBe(200);
    for (const res of [...held, other.res]) res.destroy();
  });
});

describe('per-address quotas (issue 8 #6)', () => {
  it('one address holds at most maxSocketsPerAddress sockets (loopback included); /healthz and others from another address answer', async () => {
    const server = await startServer({ maxSocketsPerAddress: 5 });
    const bob = await createSession(server, 'bob');
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 5; i++) sockets.push(await rawSocket(server, '127.0.0.1', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    const refused = await getFrom(server, '/healthz');
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('maxSocketsPerAddress');
    expect(refused.res.headers.connection).toBe('close');
    expect((await getFrom(server, '/healthz', { from: '127.0.0.2' })).status).toBe(200);
    expect((await getFrom(server, `/api/poll?topics=room:lobby&token=${encodeURIComponent(bob.token)}`, { from: '127.0.0.2' })).status).toBe(200);
    sockets[0].destroy();
    await eventually(async () => (await getFrom(server, '/healthz')).status, (status) => status === 200);
    for (const socket of sockets) socket.destroy();
  });

  it('half-sent requests: past maxUnfinishedRequestsPerAddress the address is refused, another address is served', async () => {
    const server = await startServer({ maxUnfinishedRequestsPerAddress: 5 });
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 5; i++) sockets.push(await rawSocket(server, '127.0.0.1', 'GET /api/poll HTTP/1.1\r\nHost: x\r\n'));
    const refused = await getFrom(server, '/healthz');
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('maxUnfinishedRequestsPerAddress');
    expect((await getFrom(server, '/healthz', { from: '127.0.0.2' })).status).toBe(200);
    // A request that completes no longer counts as unfinished.
    sockets[0].write('\r\n');
    await eventually(async () => (await getFrom(server, '/healthz')).status, (status) => status === 200);
    for (const socket of sockets) socket.destroy();
  });

  it('a request head that does not arrive within headersTimeoutMs is cut', async () => {
    const server = await startServer({ headersTimeoutMs: 500 });
    const socket = await rawSocket(server, '127.0.0.1', 'GET /api/poll HTTP/1.1\r\nHost: x\r\n');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('one address holds at most maxHeldPerAddress long polls and streams, across its sessions', async () => {
    const server = await startServer({ maxHeldPerAddress: 2 });
    const sessions = await Promise.all(['a1', 'a2', 'a3'].map((name) => createSession(server, name)));
    const held = [
      (await getFrom(server, eventsPath(sessions[0]), { stream: true })).res,
      (await getFrom(server, eventsPath(sessions[1]), { stream: true })).res,
    ];
    const refused = await getFrom(server, eventsPath(sessions[2]));
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('maxHeldPerAddress');
    const elsewhere = await getFrom(server, eventsPath(sessions[2]), { from: '127.0.0.2', stream: true });
    expect(elsewhere.status).toBe(200);
    for (const res of [...held, elsewhere.res]) res.destroy();
  });
});
