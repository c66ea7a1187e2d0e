/**
 * `--http 2` (issue 11 item 1, the bench part): the flag, the units it adds,
 * a simulated h2 poller's bytes against the server's, and a small real run
 * whose h2 rows exist, match the server to the byte, and show HPACK at work.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { http2HeaderTable } from '../../bench/report/h2-table.ts';
import { workloadUnits } from '../../bench/run/run-bench.ts';
import { PollSimClient } from '../../bench/sim/poll.ts';
import type { LatestPointer } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { closeAll, startServer } from '../server/helpers.ts';
import { startBench, type BenchProcess } from './helpers.ts';
import { countWindow, expectClientEqualsServer, recordingSink, simOptions } from './sim-window.ts';

afterEach(closeAll);

const out = mkdtempSync(path.join(tmpdir(), 'bench-h2-'));
let run: BenchProcess | undefined;
afterAll(() => {
  run?.child.kill('SIGKILL');
  rmSync(out, { recursive: true, force: true });
});

describe('bench --http', () => {
  it('is HTTP/1.1 by default, takes 2 or 1.1,2, and refuses anything else by name', () => {
    expect(parseCli([]).http).toEqual(['1.1']);
    expect(parseCli(['--http', '2']).http).toEqual(['2']);
    expect(parseCli(['--http', '2,1.1']).http).toEqual(['1.1', '2']);
    expect(parseCli(['--http', '2-tls,1.1']).http).toEqual(['1.1', '2-tls']);
    expect(() => parseCli(['--http', '3'])).toThrow(UsageError);
    expect(() => parseCli(['--http', '3'])).toThrow(/unknown HTTP version "3"/);
    expect(() => parseCli(['--http', ','])).toThrow(/names no version/);
    expect(() => parseCli(['--http', '2', '--transports', 'ws'])).toThrow(/--transports must include one of them/);
    expect(parseCli(['--http', '1.1', '--transports', 'ws']).http).toEqual(['1.1']);
  });

  it('runs each HTTP transport once per version (the conditional poll too), and ws once, over HTTP/1.1', () => {
    expect(workloadUnits(['poll', 'ws'], true, ['1.1', '2'])).toEqual([
      { transport: 'poll', conditional: false },
      { transport: 'poll', conditional: true },
      { transport: 'poll', conditional: false, http2: true },
      { transport: 'poll', conditional: true, http2: true },
      { transport: 'ws', conditional: false },
    ]);
    expect(workloadUnits(['sse', 'ws'], false, ['2'])).toEqual([
      { transport: 'sse', conditional: false, http2: true },
      { transport: 'ws', conditional: false },
    ]);
  });

  it('a simulated conditional poller over h2c: 304s, its bytes equal the server\'s, and HPACK shrinks the answers', async () => {
    const server = await startServer({ h2cPort: 0 });
    if (!server.h2cUrl) throw new Error('no h2c port');
    const { sink, requests } = recordingSink();
    const client = new PollSimClient(simOptions(server, sink, {
      name: 'sim-h2', topics: ['room:h2'], h2Url: new URL(server.h2cUrl), conditional: true,
    }));
    try {
      const window = await countWindow(server, client, requests);
      const { before, after } = window;
      expect(window.requests.every((empty) => empty)).toBe(true);
      expectClientEqualsServer(window);
      // A 304 over h2 is a HEADERS frame only.
      expect(after.client.down.bodies - before.client.down.bodies).toBe(0);
      const frames = after.frames;
      if (!frames) throw new Error('no h2 counters');
      expect(frames.first.requests).toBe(1);
      expect(frames.rest.requests).toBeGreaterThanOrEqual(3);
      // The server's response headers go into HPACK's dynamic table once, then cost a few index bytes.
      expect(frames.rest.down / frames.rest.requests).toBeLessThan(frames.first.down);
    } finally {
      client.close();
    }
  });

  it('a simulated poller over h2 with TLS (ALPN): client = server to the byte, TLS records counted apart from the frames', async () => {
    const server = await startServer({ tlsPort: 0 });
    if (!server.tlsUrl) throw new Error('no TLS port');
    const { sink, requests } = recordingSink();
    const client = new PollSimClient(simOptions(server, sink, { name: 'sim-h2-tls', topics: ['room:h2tls'], h2Url: new URL(server.tlsUrl) }));
    try {
      const window = await countWindow(server, client, requests);
      expectClientEqualsServer(window);
      const { before, after } = window;
      if (!before.frames || !after.frames) throw new Error('no h2 counters');
      // Every poll went up and came down in TLS records: their overhead is what the frames do not explain.
      expect(after.frames.up.tls - before.frames.up.tls).toBeGreaterThan(0);
      expect(after.frames.down.tls - before.frames.down.tls).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });

  it('a small real run: h2 rows for poll, longpoll and sse next to HTTP/1.1, equal to the server\'s count, HPACK at work', { timeout: 150_000 }, async () => {
    run = startBench([
      '--scenario', 'chat',
      '--transports', 'poll,longpoll,sse,ws',
      '--http', '1.1,2',
      '--clients', '2',
      '--duration', '1',
      '--network', 'loopback',
      '--poll-interval', '250',
      // Browser-like request headers: what HPACK indexes once and then refers to.
      '--headers', 'browser',
      '--out', out,
    ]);
    const code = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/HTTP\/1\.1 vs HTTP\/2 header bytes per request/);

    const pointer = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as LatestPointer;
    const validation = validateResults(readFileSync(path.join(out, pointer.latest), 'utf8'));
    if (!validation.ok) throw new Error(validation.reason);
    const results = validation.results;
    expect(results.config.http).toEqual(['1.1', '2']);
    const chat = results.scenarios.find((scenario) => scenario.name === 'chat');
    if (!chat) throw new Error('no chat scenario');
    expect(chat.transports.map((row) => `${row.transport}${row.http === '2' ? '·h2' : ''}`)).toEqual([
      'poll', 'poll·h2', 'longpoll', 'longpoll·h2', 'sse', 'sse·h2', 'ws',
    ]);
    for (const row of chat.transports) {
      const name = `${row.transport}${row.http === '2' ? ' h2' : ''}`;
      expect(row.errors, name).toEqual([]);
      expect(row.deliveries.lost, name).toBe(0);
      expect(row.deliveries.duplicated, name).toBe(0);
      expect(row.deliveries.received, name).toBe(row.deliveries.expected);
      if (row.http !== '2') {
        expect(row.http2, name).toBeUndefined();
        continue;
      }
      // Bytes client = server, part by part, both directions.
      expect(row.wire.up.difference, name).toEqual({ headers: 0, framing: 0, bodies: 0 });
      expect(row.wire.down.difference, name).toEqual({ headers: 0, framing: 0, bodies: 0 });
      const h2 = row.http2;
      if (!h2) throw new Error(`${name}: no http2 section`);
      expect(h2.sessions, name).toBe(2);
      expect(h2.frames.up.frameHeaders, name).toBeGreaterThan(0);
      expect(h2.frames.up.frameHeaders % 9, name).toBe(0);
      const { first, steady } = h2.headerBytesPerRequest;
      expect(first.requests, name).toBe(2);
      expect(steady.requests, name).toBeGreaterThan(0);
      // HPACK at work: after the first request, the same headers cost index bytes.
      expect(steady.total, name).toBeLessThan(first.total);
      // And an h2 request's headers are smaller than the same request's HTTP/1.1 heads.
      const h1 = chat.transports.find((other) => other.transport === row.transport && other.http === undefined);
      expect(steady.total, name).toBeLessThan(h1?.headerProjection?.bytesPerRequest ?? 0);
    }
    const table = http2HeaderTable(chat);
    expect(table?.rows.map((cells) => cells[0])).toEqual(['short poll', 'long poll', 'SSE']);
    expect(table?.rows.every((cells) => cells[cells.length - 1] === '0')).toBe(true);
  });

  it('the 2009 replay over HTTP/1.1 and h2: 871 B as the article counted, far fewer after HPACK, projected once a second, client = server', { timeout: 120_000 }, async () => {
    const replayOut = path.join(out, 'replay');
    run = startBench([
      '--scenario', 'idle',
      '--transports', 'poll',
      '--headers', 'websocket.org-2009',
      '--http', '1.1,2',
      '--clients', '2',
      '--duration', '2',
      '--network', 'loopback',
      '--out', replayOut,
    ]);
    const code = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/The 2009 replay/);
    const pointer = JSON.parse(readFileSync(path.join(replayOut, 'latest.json'), 'utf8')) as LatestPointer;
    const validation = validateResults(readFileSync(path.join(replayOut, pointer.latest), 'utf8'));
    if (!validation.ok) throw new Error(validation.reason);
    const idle = validation.results.scenarios.find((scenario) => scenario.name === 'idle');
    if (!idle) throw new Error('no idle scenario');
    const [h1, h2] = idle.transports;
    expect(h1.replay2009).toMatchObject({ basis: 'article', firstBytesPerRequest: 871, steadyBytesPerRequest: 871 });
    expect(h1.replay2009?.projection.rows.map((row) => row.mebibitsPerSecond.toFixed(1))).toEqual(['6.6', '66.5', '664.5']);
    if (!h2.replay2009 || !h2.http2) throw new Error('no h2 replay figures');
    expect(h2.http).toBe('2');
    expect(h2.replay2009.basis).toBe('hpack');
    // Measured, not assumed: the figures are the h2 row's own frame counts.
    expect(h2.replay2009.firstBytesPerRequest).toBe(h2.http2.headerBytesPerRequest.first.total);
    expect(h2.replay2009.steadyBytesPerRequest).toBe(h2.http2.headerBytesPerRequest.steady.total);
    expect(h2.http2.headerBytesPerRequest.steady.requests).toBeGreaterThan(0);
    expect(h2.replay2009.steadyBytesPerRequest).toBeLessThan(871 / 8);
    expect(h2.replay2009.projection.rows[0].mebibitsPerSecond).toBeLessThan(1);
    // Cross-checked with the server, part by part, on both rows.
    for (const row of [h1, h2]) {
      expect(row.wire.up.difference).toEqual({ headers: 0, framing: 0, bodies: 0 });
      expect(row.wire.down.difference).toEqual({ headers: 0, framing: 0, bodies: 0 });
    }
  });
});
