/**
 * Issue 11 item 3: the six-connection limit, in real Chromium. Over HTTP/1.1 a
 * browser opens at most six connections per origin, so a seventh event stream
 * waits for one of the six to close; over HTTP/2 every stream shares one
 * connection and none waits. Proved by state (which streams got their
 * `subscribed` event, and how many the server holds), never by a timing threshold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LabServer } from '../../src/server/create.ts';
import { createSession, startServer, closeAll, publish } from '../server/helpers.ts';
import { eventually } from '../wait.ts';
import { ensureWebBuild, launchChromium, startServer as startLabWithWeb } from './harness.ts';

const STREAMS = 7;

let browser: Browser;
let server: LabServer;
let token: string;
let alice: Awaited<ReturnType<typeof createSession>>;

beforeAll(async () => {
  browser = await launchChromium(['--ignore-certificate-errors']);
  server = await startServer({ tlsPort: 0 });
  alice = await createSession(server, 'alice');
  token = alice.token;
});

afterAll(async () => {
  await browser?.close();
  await closeAll();
});

/** What the page saw: per stream, when it was opened and when (page clock, ms) its events came. */
interface StreamState {
  openedAt: number;
  subscribedAt: number | null;
  messages: number;
}

/**
 * Opens a page on `origin` (a hot path's JSON answer is enough of a document:
 * it gives the page that origin, so the streams are same-origin) and there
 * `STREAMS` EventSources on one topic.
 */
async function openStreams(origin: string): Promise<Page> {
  const page = await browser.newPage();
  const query = `topics=room:lobby&token=${encodeURIComponent(token)}`;
  await page.goto(`${origin}/api/poll?${query}`);
  await page.evaluate(({ count, url }) => {
    const states: StreamState[] = [];
    const sources: EventSource[] = [];
    for (let index = 0; index < count; index++) {
      const state: StreamState = { openedAt: performance.now(), subscribedAt: null, messages: 0 };
      const source = new EventSource(url);
      source.addEventListener('subscribed', () => (state.subscribedAt ??= performance.now()));
      source.addEventListener('message', () => (state.messages += 1));
      states.push(state);
      sources.push(source);
    }
    Object.assign(window, { states, sources });
  }, { count: STREAMS, url: `/api/events?${query}` });
  return page;
}

function states(page: Page): Promise<StreamState[]> {
  return page.evaluate(() => (window as unknown as { states: StreamState[] }).states);
}

const subscribed = (list: StreamState[]): number[] => list.flatMap((state, index) => (state.subscribedAt === null ? [] : [index]));

describe('seven event streams to one origin in Chromium', () => {
  it('over HTTP/1.1: six get their first event, the seventh only once one of the six closes', { timeout: 60_000 }, async () => {
    const page = await openStreams(server.url);
    const six = await eventually(() => states(page), (list) => subscribed(list).length === 6);
    // The six are all the server holds: the seventh request never left the browser.
    await eventually(() => server.stats().transports.sse.heldRequests === 6, 'six streams held by the server');
    // A message makes a full round trip to the six while the seventh still waits.
    expect((await publish(server, alice, { topic: 'room:lobby', body: 'to the six' })).status).toBe(201);
    const afterMessage = await eventually(() => states(page), (list) => list.filter((state) => state.messages === 1).length === 6);
    const waiting = afterMessage.findIndex((state) => state.subscribedAt === null);
    expect(subscribed(afterMessage)).toEqual(subscribed(six));
    expect(waiting).toBeGreaterThanOrEqual(0);
    expect(afterMessage[waiting].messages).toBe(0);
    expect(server.stats().transports.sse.heldRequests).toBe(6);

    // Close one of the six: its connection goes back to the pool, and the seventh takes it.
    const closing = subscribed(six)[0];
    const closedAt = await page.evaluate((index) => {
      (window as unknown as { sources: EventSource[] }).sources[index].close();
      return performance.now();
    }, closing);
    const after = await eventually(() => states(page), (list) => list[waiting].subscribedAt !== null);
    expect(after[waiting].subscribedAt!).toBeGreaterThan(closedAt);
    expect(subscribed(after)).toHaveLength(7);
    const ttfe = Math.round(after[waiting].subscribedAt! - after[waiting].openedAt);
    console.info(`six-connections: over HTTP/1.1 the seventh stream's first event came ${ttfe} ms after it was opened (it waited for a close)`);
    await page.close();
    await eventually(() => server.stats().transports.sse.heldRequests === 0, 'the streams released');
  });

  it('over HTTP/2 (the TLS port): all seven get their first event at once, on one connection', { timeout: 60_000 }, async () => {
    const page = await openStreams(server.tlsUrl!);
    const protocol = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol);
    expect(protocol).toBe('h2');
    const list = await eventually(() => states(page), (now) => subscribed(now).length === STREAMS);
    expect(subscribed(list)).toHaveLength(7);
    const stats = server.stats().transports.sse;
    expect(stats.heldRequests).toBe(7);
    // One TCP socket carries them all (its owner is the transport of its latest request).
    expect(stats.openConnections).toBe(1);
    const slowest = Math.round(Math.max(...list.map((state) => state.subscribedAt! - state.openedAt)));
    console.info(`six-connections: over HTTP/2 the slowest of seven streams had its first event ${slowest} ms after it was opened`);
    await page.close();
  });
});

describe('the live lab\'s "seven tabs" demonstration', () => {
  it('shows six streams with a first event and one waiting, until "Close one" lets it in', { timeout: 180_000 }, async () => {
    await ensureWebBuild();
    const lab = await startLabWithWeb();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
      await page.goto(`${lab.url}/#/lab`);
      await page.click('[data-test=seven-open]');
      const rows = (): Promise<Array<{ state: string; waited: string }>> => page.$$eval('[data-test=seven-stream]',
        (nodes) => nodes.map((node) => ({ state: node.getAttribute('data-state') ?? '', waited: node.getAttribute('data-waited') ?? '' })));
      const count = (list: Array<{ state: string }>, state: string): number => list.filter((row) => row.state === state).length;
      const before = await eventually(rows, (list) => count(list, 'streaming') === 6);
      expect(count(before, 'waiting')).toBe(1);
      expect(await page.textContent('[data-test=seven-protocol]')).toBe('http/1.1');
      await page.click('[data-test=seven-close-one]');
      const after = await eventually(rows, (list) => count(list, 'waiting') === 0);
      expect(count(after, 'streaming')).toBe(6);
      expect(count(after, 'closed')).toBe(1);
      expect(after.filter((row) => row.waited === 'true')).toHaveLength(1);
      await page.click('[data-test=seven-close-all]');
      await page.close();
    } finally {
      await lab.close();
    }
  });
});
