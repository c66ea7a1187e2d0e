import net from 'node:net';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy } from '../../src/net/delay-proxy.ts';
import { eventually } from '../wait.ts';
import type { DelayProxy, DelayProxyOptions } from '../../src/net/delay-proxy.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await (closers.pop() as () => Promise<void>)();
});

/** A TCP echo server that half-closes when its peer does. */
async function echoServer(): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}

async function proxyTo(server: net.Server | http.Server, options: Partial<DelayProxyOptions> = {}): Promise<DelayProxy> {
  const { port } = server.address() as AddressInfo;
  const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: port, oneWayDelayMs: 0, ...options });
  closers.push(() => proxy.close());
  return proxy;
}

async function connect(proxy: DelayProxy): Promise<net.Socket> {
  const socket = net.connect({ host: proxy.host, port: proxy.port, allowHalfOpen: true });
  await once(socket, 'connect');
  socket.on('error', () => undefined);
  closers.push(async () => void socket.destroy());
  return socket;
}

async function roundTrip(socket: net.Socket): Promise<number> {
  const started = performance.now();
  socket.write('x');
  await once(socket, 'data');
  return performance.now() - started;
}

/** Resolves when the socket is closed, whether by FIN or by reset (events.once would reject on the reset). */
function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}


describe('delay proxy', () => {
  it('delays each direction by the one-way delay (a round trip takes at least 2d)', async () => {
    const proxy = await proxyTo(await echoServer(), { oneWayDelayMs: 40 });
    const socket = await connect(proxy);
    expect(await roundTrip(socket)).toBeGreaterThanOrEqual(80);
    proxy.setDelay(60);
    expect(await roundTrip(socket)).toBeGreaterThanOrEqual(120);
  });

  it('delivers every byte intact and in order, both ways', async () => {
    const proxy = await proxyTo(await echoServer(), { oneWayDelayMs: 3 });
    const socket = await connect(proxy);
    const payload = randomBytes(512 * 1024);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    for (let offset = 0; offset < payload.length; offset += 7919) socket.write(payload.subarray(offset, offset + 7919));
    socket.end();
    await once(socket, 'end');
    const echoed = Buffer.concat(received);
    expect(echoed.length).toBe(payload.length);
    expect(createHash('sha256').update(echoed).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('keeps TCP half-close: the server still answers after the client has ended', async () => {
    let serverSawEnd = false;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on('end', () => {
        serverSawEnd = true;
        socket.end('after-fin');
      });
      socket.resume();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const proxy = await proxyTo(server, { oneWayDelayMs: 5 });
    const socket = await connect(proxy);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.end('bye');
    await once(socket, 'end');
    expect(serverSawEnd).toBe(true);
    expect(Buffer.concat(received).toString()).toBe('after-fin');
  });

  it('caps bandwidth per direction (a lower bound on the transfer time)', async () => {
    const proxy = await proxyTo(await echoServer(), { bandwidthBytesPerSecond: 400_000 });
    const socket = await connect(proxy);
    const payload = randomBytes(100_000);
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    const started = performance.now();
    socket.end(payload);
    await once(socket, 'end');
    expect(received).toBe(payload.length);
    // 100 kB at 400 kB/s takes 250 ms up; the echo's way down overlaps it.
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('shows the exact bytes to onChunk, with their direction', async () => {
    const seen: { conn: number; direction: string; text: string }[] = [];
    const proxy = await proxyTo(await echoServer(), { onChunk: (conn, direction, chunk) => seen.push({ conn, direction, text: chunk.toString() }) });
    const socket = await connect(proxy);
    socket.write('ping');
    await once(socket, 'data');
    expect(seen).toEqual([{ conn: 1, direction: 'up', text: 'ping' }, { conn: 1, direction: 'down', text: 'ping' }]);
  });

  it('carries HTTP keep-alive requests', async () => {
    const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const proxy = await proxyTo(server, { oneWayDelayMs: 2 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    closers.push(async () => agent.destroy());
    for (const path of ['/a', '/b']) {
      const body = await new Promise<string>((resolve, reject) => {
        http.get(`${proxy.url}${path}`, { agent }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe(`hello ${path}`);
    }
    expect(proxy.connections()).toBe(1);
  });

  it('dropAll closes every connection, and counts go back to zero', async () => {
    const proxy = await proxyTo(await echoServer(), { oneWayDelayMs: 1 });
    const sockets = [await connect(proxy), await connect(proxy)];
    await eventually(() => proxy.connections() === 2, 'two proxied connections');
    const allClosed = sockets.map(closed);
    proxy.dropAll();
    await Promise.all(allClosed);
    expect(sockets.map((socket) => socket.destroyed)).toEqual([true, true]);
    expect(await eventually(() => proxy.connections(), (count) => count === 0)).toBe(0);
  });

  it('close frees the port and ends open connections', async () => {
    const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: (await echoServer().then((s) => s.address() as AddressInfo)).port, oneWayDelayMs: 1 });
    const socket = await connect(proxy);
    const socketClosed = closed(socket);
    await proxy.close();
    await socketClosed;
    expect(proxy.connections()).toBe(0);
    const refused = net.connect({ host: proxy.host, port: proxy.port });
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('resets the client when the target refuses', async () => {
    const server = await echoServer();
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: port, oneWayDelayMs: 0 });
    closers.push(() => proxy.close());
    const socket = await connect(proxy);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await closed(socket);
    // Nothing from a target that is not there: the client only sees its connection end.
    expect(Buffer.concat(received).length).toBe(0);
    expect(await eventually(() => proxy.connections(), (count) => count === 0)).toBe(0);
  });

  it('setConditions applies to connections accepted afterwards; earlier ones keep theirs', async () => {
    const proxy = await proxyTo(await echoServer());
    const before = await connect(proxy);
    proxy.setConditions({ idleDropMs: 100 });
    const after = await connect(proxy);
    after.write('x');
    await once(after, 'data');
    // The later connection goes silent once idle; the earlier one still echoes.
    await eventually(() => proxy.stats().silenced === 1, 'the later connection silenced');
    expect(await roundTrip(before)).toBeGreaterThanOrEqual(0);
    expect(proxy.stats().silenced).toBe(1);
  });

  it('setConditions starts the cut clock, and refuses a bad value without changing anything', async () => {
    const proxy = await proxyTo(await echoServer());
    expect(() => proxy.setConditions({ jitterMs: -1 })).toThrow(/jitterMs/);
    expect(() => proxy.setConditions({ bandwidthBytesPerSecond: 0 })).toThrow(/bandwidth/);
    const socket = await connect(proxy);
    const cut = closed(socket);
    proxy.setConditions({ cutEveryMs: 100 });
    await cut;
    expect(proxy.stats().cuts).toBeGreaterThanOrEqual(1);
  });

  it('rejects a negative delay or a zero bandwidth', async () => {
    await expect(startDelayProxy({ targetHost: '127.0.0.1', targetPort: 1, oneWayDelayMs: -1 })).rejects.toThrow(/oneWayDelayMs/);
    await expect(startDelayProxy({ targetHost: '127.0.0.1', targetPort: 1, oneWayDelayMs: 0, bandwidthBytesPerSecond: 0 })).rejects.toThrow(/bandwidth/);
  });
});
