import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy } from '../../src/net/delay-proxy.ts';
import type { DelayProxy, DelayProxyOptions } from '../../src/net/delay-proxy.ts';
import { eventually } from '../wait.ts';

/**
 * The delay proxy's conditions beyond a fixed delay (issue 11 item 4), on
 * real sockets. Asserted by counts and byte order, not by wall-clock
 * precision; where time is inherent the bounds are wide.
 */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await (closers.pop() as () => Promise<void>)();
});

interface Echo {
  server: net.Server;
  /** Every socket the server accepted, in order, with what it received. */
  accepted: { socket: net.Socket; received: Buffer[]; ended: boolean; errored: boolean }[];
}

async function echoServer(): Promise<Echo> {
  const echo: Echo = { server: net.createServer({ allowHalfOpen: true }), accepted: [] };
  echo.server.on('connection', (socket) => {
    const entry = { socket, received: [] as Buffer[], ended: false, errored: false };
    echo.accepted.push(entry);
    socket.on('data', (chunk: Buffer) => {
      entry.received.push(chunk);
      socket.write(chunk);
    });
    socket.on('end', () => {
      entry.ended = true;
      socket.end();
    });
    socket.on('error', () => (entry.errored = true));
  });
  echo.server.listen(0, '127.0.0.1');
  await once(echo.server, 'listening');
  closers.push(async () => {
    for (const { socket } of echo.accepted) socket.destroy();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });
  return echo;
}

async function proxyTo(echo: Echo, options: Partial<DelayProxyOptions> = {}): Promise<DelayProxy> {
  const { port } = echo.server.address() as AddressInfo;
  const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: port, oneWayDelayMs: 0, ...options });
  closers.push(() => proxy.close());
  return proxy;
}

interface Client {
  socket: net.Socket;
  received: () => Buffer;
  events: string[];
}

async function connect(proxy: DelayProxy): Promise<Client> {
  const socket = net.connect({ host: proxy.host, port: proxy.port, allowHalfOpen: true });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  const events: string[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('end', () => events.push('end'));
  socket.on('error', (error: NodeJS.ErrnoException) => events.push(`error:${error.code ?? ''}`));
  socket.on('close', () => events.push('close'));
  closers.push(async () => void socket.destroy());
  return { socket, received: () => Buffer.concat(chunks), events };
}

/** Writes `count` numbered lines, each on its own event-loop turn so that each is a chunk of its own. */
async function writeLines(socket: net.Socket, count: number): Promise<string> {
  let all = '';
  for (let i = 0; i < count; i += 1) {
    const line = `${i}\n`;
    all += line;
    socket.write(line);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return all;
}

describe('delay proxy conditions', () => {
  it('jitter never reorders bytes within a connection', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo, { oneWayDelayMs: 5, jitterMs: 20, jitterDistribution: 'normal', seed: 3 });
    const client = await connect(proxy);
    const sent = await writeLines(client.socket, 300);
    await eventually(() => client.received().length === sent.length, 'all 300 lines back', 15_000);
    expect(client.received().toString()).toBe(sent);
  });

  it('stalls hold bytes (counted) and still deliver them intact and in order', async () => {
    const echo = await echoServer();
    // 600 stalls a minute, 100–200 ms each: a few seconds of traffic meets several.
    const proxy = await proxyTo(echo, { stallsPerMinute: 600, stallMinMs: 100, stallMaxMs: 200, seed: 8 });
    const client = await connect(proxy);
    let sent = '';
    for (let round = 0; round < 20 && proxy.stats().stalls < 2; round += 1) {
      const line = `${round}:${'x'.repeat(100)}\n`;
      sent += line;
      client.socket.write(line);
      await eventually(() => client.received().length === sent.length, 'the echo of the round', 10_000);
    }
    expect(proxy.stats().stalls).toBeGreaterThanOrEqual(2);
    expect(client.received().toString()).toBe(sent);
  });

  it('cuts every connection every cutEveryMs, resetting both sides, and new connections work', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo, { cutEveryMs: 200 });
    const clients = [await connect(proxy), await connect(proxy)];
    await eventually(() => echo.accepted.length === 2, 'both upstream connections');
    await eventually(() => clients.every((c) => c.events.includes('close')), 'both clients cut', 5_000);
    for (const client of clients) expect(client.events).toContain('error:ECONNRESET');
    await eventually(() => echo.accepted.slice(0, 2).every((e) => e.errored || e.ended), 'both server sides cut');
    expect(proxy.stats().cuts).toBeGreaterThanOrEqual(1);
    expect(proxy.stats().connectionsCut).toBeGreaterThanOrEqual(2);
    const fresh = await connect(proxy);
    fresh.socket.write('again');
    await eventually(() => fresh.received().toString() === 'again', 'an echo on a new connection');
  });

  it('an idle connection goes silent: no byte either way, no FIN, no RST, until a peer gives up', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo, { idleDropMs: 150 });
    const client = await connect(proxy);
    client.socket.write('a');
    await eventually(() => client.received().toString() === 'a', 'the echo before the drop');
    await eventually(() => proxy.stats().silenced === 1, 'the idle drop', 5_000);

    client.socket.write('bb');
    await eventually(() => proxy.stats().discardedBytes === 2, 'the bytes after the drop thrown away');
    expect(Buffer.concat(echo.accepted[0].received).toString()).toBe('a');

    // The server gives up (as its ping timeout would): the client hears nothing of it.
    echo.accepted[0].socket.destroy();
    const witness = await connect(proxy);
    witness.socket.write('w');
    await eventually(() => witness.received().toString() === 'w', 'a round trip on another connection');
    expect(client.events).toEqual([]);
    expect(client.received().toString()).toBe('a');
    expect(proxy.connections()).toBe(2);

    // The client gives up: only then is the connection gone.
    client.socket.destroy();
    await eventually(() => proxy.connections() === 1, 'the silent connection released');
  });

  it('traffic keeps a connection out of the idle drop; silenceAll drops every connection at once', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo, { idleDropMs: 400 });
    const busy = await connect(proxy);
    // A heartbeat every ~40 ms for ~1 s: ten times shorter than the idle limit.
    let sent = '';
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      sent += 'h';
      busy.socket.write('h');
      await eventually(() => busy.received().length === sent.length, 'the heartbeat echo');
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(proxy.stats().silenced).toBe(0);
    const other = await connect(proxy);
    await eventually(() => proxy.connections() === 2, 'two connections');
    proxy.silenceAll();
    expect(proxy.stats().silenced).toBe(2);
    busy.socket.write('lost');
    other.socket.write('lost');
    await eventually(() => proxy.stats().discardedBytes === 8, 'both writes thrown away');
    expect(busy.events).toEqual([]);
    expect(other.events).toEqual([]);
  });

  it('rejects out-of-range conditions by name', async () => {
    const base = { targetHost: '127.0.0.1', targetPort: 1, oneWayDelayMs: 0 };
    await expect(startDelayProxy({ ...base, jitterMs: -5 })).rejects.toThrow(/jitterMs/);
    await expect(startDelayProxy({ ...base, cutEveryMs: 1 })).rejects.toThrow(/cutEveryMs/);
    await expect(startDelayProxy({ ...base, stallMinMs: 3000, stallMaxMs: 200 })).rejects.toThrow(/stallMinMs/);
  });
});
