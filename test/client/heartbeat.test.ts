import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveClientOptions } from '../../src/client/base.ts';
import { NetworkError, buildUrl, requestJson } from '../../src/client/http.ts';
import { createClient } from '../../src/client/index.ts';
import type { Client } from '../../src/client/index.ts';
import { Watchdog } from '../../src/client/watchdog.ts';
import { startDelayProxy } from '../../src/net/delay-proxy.ts';
import { startLabServer } from '../../src/server/create.ts';
import { eventually } from '../wait.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await (closers.pop() as () => Promise<void>)();
});

describe('watchdog', () => {
  it('fires once after a silence, and not while it is fed', async () => {
    const fired: number[] = [];
    const fed = new Watchdog(60, (ms) => fired.push(ms));
    const until = Date.now() + 300;
    while (Date.now() < until) {
      fed.feed();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(fired).toEqual([]);
    await eventually(() => fired.length === 1, 'the watchdog to fire after feeding stops');
    expect(fired[0]).toBeGreaterThanOrEqual(60);
    fed.stop();
    const stopped = new Watchdog(20, (ms) => fired.push(ms));
    stopped.stop();
    const witness = new Watchdog(40, (ms) => fired.push(-ms));
    await eventually(() => fired.length === 2, 'a later watchdog to fire');
    expect(fired[1]).toBeLessThan(0);
    witness.stop();
  });
});

describe('client heartbeat options', () => {
  it('fills the documented defaults', () => {
    expect(resolveClientOptions({ baseUrl: 'http://h:1' })).toMatchObject({
      requestTimeoutMs: 10_000, longPollSlackMs: 5_000, sseIdleTimeoutMs: 35_000, wsPingIntervalMs: 15_000, wsPongTimeoutMs: 5_000,
    });
    expect(resolveClientOptions({ baseUrl: 'http://h:1', sseIdleTimeoutMs: 0, wsPingIntervalMs: 0 })).toMatchObject({ sseIdleTimeoutMs: 0, wsPingIntervalMs: 0 });
  });

  it('rejects a bad value, naming the option', () => {
    expect(() => resolveClientOptions({ baseUrl: 'http://h:1', requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs must be above 0/);
    expect(() => resolveClientOptions({ baseUrl: 'http://h:1', wsPongTimeoutMs: -1 })).toThrow(/wsPongTimeoutMs/);
    expect(() => resolveClientOptions({ baseUrl: 'http://h:1', sseIdleTimeoutMs: Number.NaN })).toThrow(/sseIdleTimeoutMs must be 0 \(off\) or more/);
    expect(() => createClient('ws', { baseUrl: 'http://h:1', wsPingIntervalMs: -5 })).toThrow(/wsPingIntervalMs/);
  });
});

describe('request timeout', () => {
  /** A server that takes requests and never answers. */
  async function mute(): Promise<string> {
    const server = http.createServer(() => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('turns no answer into a NetworkError; the caller\'s own abort stays an abort', async () => {
    const base = await mute();
    const timedOut = await requestJson({ method: 'GET', url: buildUrl(base, '/x'), timeoutMs: 100 }).catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(NetworkError);
    expect(String((timedOut as Error).message)).toMatch(/no answer in 100 ms/);
    const caller = new AbortController();
    const pending = requestJson({ method: 'GET', url: buildUrl(base, '/x'), timeoutMs: 10_000, signal: caller.signal }).catch((error: unknown) => error);
    caller.abort();
    const aborted = await pending;
    expect(aborted).not.toBeInstanceOf(NetworkError);
    expect((aborted as Error).name).toBe('AbortError');
  });

  it('a publish over a connection dropped in silence is retried on a new one and stored once', async () => {
    const server = await startLabServer({ host: '127.0.0.1', port: 0, serveWeb: false, log: false });
    closers.push(() => server.close());
    const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: server.port, oneWayDelayMs: 0 });
    closers.push(() => proxy.close());
    const client: Client = createClient('poll', { baseUrl: proxy.url, requestTimeoutMs: 300, backoff: { minMs: 10, maxMs: 50 } });
    closers.push(() => client.close());
    const first = await client.publish('room:hb', 'before');
    proxy.silenceAll();
    const second = await client.publish('room:hb', 'after');
    expect(second.seq).toBe(first.seq + 1);
    expect(proxy.stats().silenced).toBeGreaterThanOrEqual(1);
    expect(proxy.accepted()).toBeGreaterThan(1);
  });
});
