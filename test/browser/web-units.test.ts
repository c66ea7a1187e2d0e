/**
 * The web app's pure helpers, without a browser: counter rates from two
 * stats snapshots (none over too short a window), the wire inspector's byte
 * views, readable errors.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError, TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import type { StatsSnapshot, TransportStats } from '../../src/protocol/index.ts';
import { MIN_RATE_WINDOW_MS, ratesBetween } from '../../web/src/lab/stats-rates.ts';
import { frameBytes, fromBase64, visibleText } from '../../web/src/lab/bytes.ts';
import { describeError, isConnectionProblem, nameProblem } from '../../web/src/errors.ts';
import { NetworkError } from '../../src/client/index.ts';
import { tabSessionFetch } from '../../web/src/tab-session.ts';
import { REPO, SCREENSHOTS_ENV, screenshotPath } from './harness.ts';

function transport(requests: number, headers: number, bodies: number): TransportStats {
  const split = { headers, framing: 0, bodies };
  return { openConnections: 2, heldRequests: 1, requests, emptyResponses: 0, deliveries: requests, publishes: 0, bytesIn: split, bytesOut: split };
}

function snapshot(at: number, requests: number): StatsSnapshot {
  const transports = Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, transport(requests, requests * 100, requests * 10)]));
  return {
    at,
    transports: transports as StatsSnapshot['transports'],
    other: { requests: 0, bytesIn: 0, bytesOut: 0 },
    sessions: 0,
    bus: { epoch: 'e', topics: 0, historyMessages: 0, historyBytes: 0, subscriptions: 0, fanouts: 0, fanoutMicros: 0 },
    process: {
      cpuUserMicros: 0, cpuSystemMicros: 0, rssBytes: 0, heapUsedBytes: 0,
      eventLoopDelayMs: { mean: 0, p99: 0, max: 0 }, uptimeSeconds: 0,
    },
  };
}

describe('counter rates', () => {
  it('divides the difference of two snapshots by the seconds between them', () => {
    const rates = ratesBetween(snapshot(1_000, 10), snapshot(3_000, 30));
    // 20 requests in 2 s; headers 100 B per request each way; bodies 10 B each way.
    expect(rates!.poll).toEqual({
      requestsPerSecond: 10, headerBytesPerSecond: 2_000, framingBytesPerSecond: 0, bodyBytesPerSecond: 200,
      deliveriesPerSecond: 10, openConnections: 2, heldRequests: 1,
    });
  });

  it('never shows a negative rate when the server restarted between snapshots', () => {
    expect(ratesBetween(snapshot(1_000, 30), snapshot(2_000, 5))!.ws.requestsPerSecond).toBe(0);
  });

  it('makes no rate from two snapshots that landed close together (no "40.8 requests/s")', () => {
    // One ws ping-pong request counted in a 25 ms window would read 40 requests/s.
    expect(ratesBetween(snapshot(1_000, 10), snapshot(1_025, 11))).toBeNull();
    expect(ratesBetween(snapshot(1_000, 10), snapshot(1_000 + MIN_RATE_WINDOW_MS - 1, 11))).toBeNull();
  });

  it('rates over the window from the older snapshot once it is long enough', () => {
    expect(ratesBetween(snapshot(1_000, 10), snapshot(2_025, 11))!.ws.requestsPerSecond).toBeCloseTo(1 / 1.025, 6);
  });
});

describe('wire inspector bytes', () => {
  it('shows line ends and control bytes instead of hiding them', () => {
    const bytes = fromBase64(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n\u0001').toString('base64'));
    expect(visibleText(bytes)).toBe('GET / HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n\n·');
  });

  it('marks header, mask key and payload bytes of a frame', () => {
    const roles = frameBytes(new Uint8Array([0x81, 0x82, 1, 2, 3, 4, 9, 9]), 6, 4).map((b) => b.role);
    expect(roles).toEqual(['header', 'header', 'mask', 'mask', 'mask', 'mask', 'payload', 'payload']);
    expect(frameBytes(new Uint8Array([0x0a]), 0, 0)[0].hex).toBe('0a');
  });
});

describe('readable errors', () => {
  it('turns each code into a sentence and keeps the server detail', () => {
    expect(describeError(new LabError('name_taken', 'alice is online'))).toMatch(/name is taken.*alice is online/);
    expect(describeError(new LabError('rate_limited', 'slow down', 2))).toMatch(/faster than the server allows.*\(retry in 2 s\)/);
    expect(describeError(new LabError('payload_too_large', 'body over 16384 bytes'))).toMatch(/too long/);
    expect(describeError(new Error('socket hang up'))).toBe('socket hang up');
  });

  it('says a send that got no answer in human words, and knows it is about the connection', () => {
    const lost = new NetworkError('POST /api/messages failed: Failed to fetch');
    expect(describeError(lost)).toMatch(/^The server could not be reached/);
    expect(isConnectionProblem(lost)).toBe(true);
    expect(isConnectionProblem(new LabError('shutting_down', 'the server is stopping'))).toBe(true);
    expect(isConnectionProblem(new LabError('payload_too_large', 'too long'))).toBe(false);
  });

  it('says what is wrong with a name the page checks itself', () => {
    expect(nameProblem('carol')).toBe('');
    expect(nameProblem('')).toBe('Type a name first.');
    expect(nameProblem('carol smith')).toMatch(/cannot contain a space/);
    expect(nameProblem('a/b', 'room name')).toMatch(/That room name cannot contain "\/"/);
    expect(nameProblem('x'.repeat(65))).toMatch(/65 characters long: at most 64/);
  });
});

describe('screenshots', () => {
  it('go to a scratch folder in tests, to docs/screenshots only under npm run screenshots', () => {
    const tracked = path.join(REPO, 'docs/screenshots');
    expect(path.dirname(screenshotPath('chat', {}))).not.toBe(tracked);
    expect(screenshotPath('chat', {}).startsWith(REPO)).toBe(false);
    expect(screenshotPath('chat', { [SCREENSHOTS_ENV]: '1' })).toBe(path.join(tracked, 'chat.png'));
    const script = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(script.screenshots).toContain(`${SCREENSHOTS_ENV}=1`);
    expect(script.test).not.toContain(SCREENSHOTS_ENV);
  });
});

/** sessionStorage's shape over a Map, for the wrapper below. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length(): number { return this.#items.size; }
  clear(): void { this.#items.clear(); }
  getItem(key: string): string | null { return this.#items.get(key) ?? null; }
  key(index: number): string | null { return [...this.#items.keys()][index] ?? null; }
  removeItem(key: string): void { this.#items.delete(key); }
  setItem(key: string, value: string): void { this.#items.set(key, value); }
}

describe('one identity per tab (tabSessionFetch)', () => {
  const origin = 'http://127.0.0.1:3000';

  function recorder(answer: (name: string) => unknown) {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const inner = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), init });
      const name = init?.body ? (JSON.parse(String(init.body)) as { name: string }).name : '';
      return new Response(JSON.stringify(answer(name)), { status: 201, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    return { seen, inner };
  }

  it('signs in without cookies, stores the token per name and presents it when the tab signs in again', async () => {
    const { seen, inner } = recorder((name) => ({ name, token: `token-of-${name}` }));
    const storage = new MemoryStorage();
    const tabFetch = tabSessionFetch(inner, storage, origin);
    const post = (name: string) => tabFetch(new URL('/api/session', origin), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }),
    });
    await post('carol');
    expect(seen[0].init?.credentials).toBe('omit');
    expect(new Headers(seen[0].init?.headers).get('authorization')).toBeNull();
    await post('carol');
    expect(new Headers(seen[1].init?.headers).get('authorization')).toBe('Bearer token-of-carol');
    expect(new Headers(seen[1].init?.headers).get('content-type')).toBe('application/json');
    // Another name is not given carol's token.
    await post('dave');
    expect(new Headers(seen[2].init?.headers).get('authorization')).toBeNull();
  });

  it('leaves every other request as it was', async () => {
    const { seen, inner } = recorder(() => ({}));
    const tabFetch = tabSessionFetch(inner, new MemoryStorage(), origin);
    const init = { method: 'GET', headers: { accept: 'application/json' } };
    await tabFetch(`${origin}/api/poll?topics=room:lobby`, init);
    await tabFetch('http://elsewhere.example/api/session', { method: 'POST', body: '{"name":"x"}' });
    expect(seen[0].init).toBe(init);
    expect(seen[1].init?.credentials).toBeUndefined();
  });
});
