import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveServerOptions } from '../../src/config.ts';
import { ClientAddresses } from '../../src/server/client-address.ts';
import { sessionFrom } from './from-address.ts';
import { closeAll, startServer } from './helpers.ts';
import type { LabServer } from '../../src/server/create.ts';

/**
 * `trustProxy` (issue 10): behind nginx every socket is nginx's, so the
 * per-address limits read the forwarded address — only from a trusted proxy.
 * The same behind the real nginx: test/cluster/trust-proxy.test.ts.
 */

afterEach(closeAll);

function request(remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

describe('ClientAddresses', () => {
  const trusting = new ClientAddresses({ trustProxy: true, trustedProxies: ['loopback', '10.0.0.0/8'] });

  it('off (the default): the socket\'s address, whatever the headers say', () => {
    const off = new ClientAddresses(resolveServerOptions());
    expect(resolveServerOptions().trustProxy).toBe(false);
    expect(off.of(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.8' }))).toBe('127.0.0.1');
    expect(off.isTrustedProxy('127.0.0.1')).toBe(false);
  });

  it('from a trusted proxy: the rightmost untrusted X-Forwarded-For hop, so a forged left part is not believed', () => {
    expect(trusting.of(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' }))).toBe('203.0.113.7');
    expect(trusting.of(request('::ffff:127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.1.2.3' }))).toBe('203.0.113.7');
    expect(trusting.of(request('::1', { 'x-forwarded-for': '2001:db8::1' }))).toBe('2001:db8::1');
    // Every hop trusted: the farthest one.
    expect(trusting.of(request('127.0.0.1', { 'x-forwarded-for': '10.0.0.9, 10.0.0.8' }))).toBe('10.0.0.9');
    // Not an address: stop at the last hop a trusted proxy vouched for.
    expect(trusting.of(request('127.0.0.1', { 'x-forwarded-for': 'evil, 10.0.0.8' }))).toBe('10.0.0.8');
  });

  it('X-Real-IP when there is no X-Forwarded-For; the socket when neither is an address', () => {
    expect(trusting.of(request('127.0.0.1', { 'x-real-ip': '203.0.113.9' }))).toBe('203.0.113.9');
    expect(trusting.of(request('127.0.0.1', { 'x-real-ip': 'nonsense' }))).toBe('127.0.0.1');
    expect(trusting.of(request('127.0.0.1'))).toBe('127.0.0.1');
  });

  it('from a socket that is not a trusted proxy: its own address, headers ignored', () => {
    expect(trusting.of(request('198.51.100.4', { 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.7' }))).toBe('198.51.100.4');
  });

  it('a bad trustedProxies entry fails at start, naming the option', () => {
    expect(() => resolveServerOptions({ trustProxy: true, trustedProxies: ['10.0.0.0/33'] })).toThrow(/trustedProxies/);
    expect(() => resolveServerOptions({ trustedProxies: ['somewhere'] })).toThrow(/trustedProxies/);
    expect(() => resolveServerOptions({ trustProxy: 'yes' as unknown as boolean })).toThrow(/trustProxy/);
  });
});

describe('per-address limits with trustProxy', () => {
  // 127.0.0.1 stands for the proxy; 127.0.0.2 for a client that reaches the node directly.
  const PROXY = '127.0.0.1';
  const DIRECT = '127.0.0.2';
  const limits = { sessionCreateBurstPerAddress: 2, sessionCreateRatePerSecondPerAddress: 0.01, trustProxy: true, trustedProxies: [PROXY] };

  it('count each forwarded address on its own behind the proxy', async () => {
    const server = await startServer(limits);
    const via = (client: string, name: string) => sessionFrom(PROXY, server, name, { 'x-forwarded-for': client });
    expect((await via('203.0.113.1', 'a1')).status).toBe(201);
    expect((await via('203.0.113.1', 'a2')).status).toBe(201);
    const third = await via('203.0.113.1', 'a3');
    expect(third.status).toBe(429);
    expect(third.json.error).toMatchObject({ code: 'rate_limited' });
    // Another client behind the same proxy has its own budget.
    expect((await via('203.0.113.2', 'b1')).status).toBe(201);
  });

  it('a client that is not behind the proxy cannot spoof the header', async () => {
    const server = await startServer(limits);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // A fresh forged address each time: were it believed, none would be refused.
      statuses.push((await sessionFrom(DIRECT, server, `m${i}`, { 'x-forwarded-for': `203.0.113.${10 + i}`, 'x-real-ip': `203.0.113.${20 + i}` })).status);
    }
    expect(statuses).toEqual([201, 201, 429, 429]);
  });
});

/** The status line's code of a GET /healthz on a socket of its own from `from`, held open until every one answered. */
async function healthOnHeldSockets(server: LabServer, from: string, count: number): Promise<number[]> {
  const sockets: net.Socket[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const socket = net.connect({ host: '127.0.0.1', port: server.port, localAddress: from });
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      sockets.push(socket);
    }
    return await Promise.all(sockets.map(async (socket) => {
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.write('GET /healthz HTTP/1.1\r\nHost: lab\r\n\r\n');
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (text.includes('\r\n\r\n')) resolve();
        };
        socket.on('data', check);
        socket.on('close', () => resolve());
      });
      return Number(text.slice(9, 12)) || 0;
    }));
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

describe('socket limits with trustProxy', () => {
  it('the trusted proxy\'s own sockets are not counted per address (it opens them for all its clients); others still are', async () => {
    const server = await startServer({ maxSocketsPerAddress: 2, trustProxy: true, trustedProxies: ['127.0.0.1'] });
    expect(await healthOnHeldSockets(server, '127.0.0.1', 4)).toEqual([200, 200, 200, 200]);
    const direct = await healthOnHeldSockets(server, '127.0.0.2', 3);
    expect(direct.slice(0, 2)).toEqual([200, 200]);
    expect(direct[2]).toBe(503);
  });
});
