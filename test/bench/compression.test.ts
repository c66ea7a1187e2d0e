/**
 * `--compression` (issue 11 item 6): the flag, the compressed twin it adds after
 * each transport, and a short real run in which every compressed row exists,
 * delivers everything, and its clients counted the same bytes as the server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { compressionTable } from '../../bench/report/compression-table.ts';
import { transportColor, transportLabel } from '../../bench/report/chart-spec.ts';
import { compressedPrefix, serverArgsFor, unitName, unitPrefix, workloadUnits } from '../../bench/run/run-bench.ts';
import type { BenchResults, LatestPointer } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { startBench, type BenchProcess } from './helpers.ts';
import { recordingSink, simOptions } from './sim-window.ts';
import { chatBodies } from '../../bench/sim/chat-body.ts';
import { H2SseSimClient } from '../../bench/sim/h2-sse.ts';
import { PollSimClient } from '../../bench/sim/poll.ts';
import type { MeterReading } from '../../bench/sim/meter.ts';
import type { TransportStats } from '../../src/protocol/index.ts';
import { closeAll, createSession, publish, startServer } from '../server/helpers.ts';
import { eventually } from '../wait.ts';

afterEach(closeAll);

const out = mkdtempSync(path.join(tmpdir(), 'bench-compression-'));
let run: BenchProcess | undefined;
afterAll(() => {
  run?.child.kill('SIGKILL');
  rmSync(out, { recursive: true, force: true });
});

describe('bench --compression', () => {
  it('is none by default; on and deflate turn it on; anything else is refused', () => {
    expect(parseCli([]).compression).toBe(false);
    expect(parseCli(['--compression', 'none']).compression).toBe(false);
    expect(parseCli(['--compression', 'on']).compression).toBe(true);
    expect(parseCli(['--compression', 'deflate']).compression).toBe(true);
    expect(() => parseCli(['--compression', 'brotli'])).toThrow(UsageError);
  });

  it('runs each transport\'s compressed twin right after it, on a server started with --ws-deflate --gzip', () => {
    expect(workloadUnits(['poll', 'ws'], false, ['1.1'], true)).toEqual([
      { transport: 'poll', conditional: false },
      { transport: 'poll', conditional: false, compressed: true },
      { transport: 'ws', conditional: false },
      { transport: 'ws', conditional: false, compressed: true },
    ]);
    expect(workloadUnits(['poll', 'ws'], false, ['1.1'], false)).toHaveLength(2);
    expect(serverArgsFor({ compression: true })).toEqual(['--ws-deflate', '--gzip']);
    expect(serverArgsFor({ compression: false })).toEqual([]);
    // Names weigh the same in both rows.
    expect(compressedPrefix('chat', 'longpoll')).toHaveLength('chat.longpoll.'.length);
  });

  it('combines with --conditional and with --http 2 and 2-tls', () => {
    const both = parseCli(['--compression', 'on', '--conditional', '--transports', 'poll,ws']);
    expect(both.compression).toBe(true);
    expect(both.conditional).toBe(true);
    expect(workloadUnits(['poll', 'ws'], true, ['1.1'], true)).toEqual([
      { transport: 'poll', conditional: false },
      { transport: 'poll', conditional: true },
      { transport: 'poll', conditional: false, compressed: true },
      { transport: 'ws', conditional: false },
      { transport: 'ws', conditional: false, compressed: true },
    ]);
    expect(parseCli(['--compression', 'on', '--http', '1.1,2,2-tls']).http).toEqual(['1.1', '2', '2-tls']);
    expect(parseCli(['--compression', 'on', '--http', '1.1']).http).toEqual(['1.1']);
    expect(parseCli(['--compression', 'none', '--http', '1.1,2']).http).toEqual(['1.1', '2']);
  });

  it('names, prefixes, labels and colours compose with h2', () => {
    const units = workloadUnits(['longpoll', 'ws'], false, ['2'], true);
    expect(units).toEqual([
      { transport: 'longpoll', conditional: false, http2: true },
      { transport: 'longpoll', conditional: false, compressed: true, http2: true },
      { transport: 'ws', conditional: false },
      { transport: 'ws', conditional: false, compressed: true },
    ]);
    expect(units.map(unitName)).toEqual(['longpoll-h2', 'longpoll-compressed-h2', 'ws', 'ws-compressed']);
    // Every row's prefix weighs what the plain HTTP/1.1 row's does, and no two rows share one.
    const prefixes = units.map((unit) => unitPrefix('chat', unit) ?? `chat.${unit.transport}.`);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const [i, unit] of units.entries()) expect(prefixes[i], unitName(unit)).toHaveLength(`chat.${unit.transport}.`.length);
    expect(unitPrefix('chat', { transport: 'sse', conditional: false, compressed: true, http2: true, tls: true })).toBe('chat.ssz_');

    expect(transportLabel({ transport: 'longpoll', variant: 'compressed', http: '2' })).toBe('long poll (gzip) · h2');
    expect(transportLabel({ transport: 'sse', variant: 'compressed', http: '2', tls: true })).toBe('SSE (gzip) · h2 TLS');
    expect(transportLabel({ transport: 'ws', variant: 'compressed' })).toBe('WebSocket (deflate)');
    const plain = transportColor({ transport: 'longpoll' });
    const h2 = transportColor({ transport: 'longpoll', http: '2' });
    expect(h2).not.toBe(plain);
    expect(transportColor({ transport: 'longpoll', variant: 'compressed' })).toBe(`${plain}88`);
    expect(transportColor({ transport: 'longpoll', variant: 'compressed', http: '2' })).toBe(`${h2}88`);
  });

  it.each([
    ['poll', 'h2cUrl'],
    ['sse', 'h2cUrl'],
    ['poll', 'tlsUrl'],
    ['sse', 'tlsUrl'],
  ] as const)('over h2, a simulated %s client on %s takes gzip, inflates it, and counts the compressed bytes as the server does', async (transport, which) => {
    const server = await startServer({ h2cPort: 0, tlsPort: 0, httpCompression: 'gzip' });
    const url = server[which];
    if (!url) throw new Error(`no ${which}`);
    const alice = await createSession(server, 'alice');
    const { sink, requests, messages } = recordingSink();
    const topic = `room:zip-${transport}`;
    const Client = transport === 'poll' ? PollSimClient : H2SseSimClient;
    // As the bench's worker makes a compressed row's clients: Accept-Encoding gzip on every request.
    const client = new Client(simOptions(server, sink, {
      transport, topics: [topic], h2Url: new URL(url), headers: { 'accept-encoding': 'gzip' }, compression: true, pollIntervalMs: 20,
    }));
    const counts = (): { client: MeterReading; server: TransportStats } => ({ client: client.meter.read(), server: server.stats().transports[transport] });
    try {
      await client.open();
      // The session's setup (the client's SETTINGS ACK) settles over its first requests: count from a held point after them.
      await eventually(() => requests.length >= (transport === 'poll' ? 3 : 1), 'the first requests');
      await client.pause();
      const before = counts();
      client.resume();
      // Chat-like text well over the 256-byte threshold: each answer or event goes gzipped.
      const body = chatBodies({ seed: 3, bytes: 1500 }).next(0);
      for (let i = 0; i < 3; i += 1) expect((await publish(server, alice, { topic, body })).status).toBe(201);
      await eventually(() => messages.length === 3, 'the three messages, inflated');
      expect(messages.map((message) => message.body)).toEqual([body, body, body]);
      await client.pause();
      const after = await eventually(counts, (now) => now.client.down.bodies - before.client.down.bodies === now.server.bytesOut.bodies - before.server.bytesOut.bodies);
      for (const part of ['headers', 'framing', 'bodies'] as const) {
        expect(after.client.up[part] - before.client.up[part], `up ${part}`).toBe(after.server.bytesIn[part] - before.server.bytesIn[part]);
        expect(after.client.down[part] - before.client.down[part], `down ${part}`).toBe(after.server.bytesOut[part] - before.server.bytesOut[part]);
      }
      // Compressed on the wire: three 1,500-byte bodies (and their envelopes) in far fewer bytes.
      const bodies = after.client.down.bodies - before.client.down.bodies;
      expect(bodies).toBeGreaterThan(0);
      expect(bodies).toBeLessThan(3 * 1500 * 0.6);
      // Over h2 an event stream has no chunk lines: all it carries is the compressed body.
      if (transport === 'sse') expect(after.client.down.framing - before.client.down.framing).toBe(0);
    } finally {
      client.close();
    }
  });

  it('a short real run over HTTP/1.1 and h2: a compressed row per transport, nothing lost, client bytes = server bytes, fewer body bytes on 2,000-byte chat bodies', { timeout: 240_000 }, async () => {
    run = startBench([
      '--scenario', 'chat',
      '--transports', 'poll,longpoll,sse,ws',
      '--clients', '2',
      '--duration', '1',
      '--network', 'loopback',
      '--poll-interval', '250',
      '--body-size', '2000',
      '--compression', 'on',
      '--http', '1.1,2',
      '--out', out,
    ]);
    const code = await run.exited;
    expect(code, run.stderr()).toBe(0);

    const pointer = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as LatestPointer;
    const validation = validateResults(readFileSync(path.join(out, pointer.latest), 'utf8'));
    if (!validation.ok) throw new Error(validation.reason);
    const results: BenchResults = validation.results;
    const chat = results.scenarios.find((scenario) => scenario.name === 'chat');
    if (!chat) throw new Error('no chat scenario');
    // Chat-like bodies are the default of a compressed run, and the report says so.
    expect(chat.params.body).toBe('chat');
    expect(compressionTable(chat)?.caption).toMatch(/Bodies: chat-like/);
    const nameOf = (row: (typeof chat.transports)[number]): string => `${row.transport}${row.variant ? `/${row.variant}` : ''}${row.http === '2' ? '·h2' : ''}`;
    expect(chat.transports.map(nameOf)).toEqual([
      'poll', 'poll/compressed', 'poll·h2', 'poll/compressed·h2',
      'longpoll', 'longpoll/compressed', 'longpoll·h2', 'longpoll/compressed·h2',
      'sse', 'sse/compressed', 'sse·h2', 'sse/compressed·h2',
      'ws', 'ws/compressed',
    ]);
    for (const row of chat.transports) {
      const name = nameOf(row);
      expect(row.errors, name).toEqual([]);
      expect(row.deliveries.expected, name).toBeGreaterThan(0);
      expect(row.deliveries.lost, name).toBe(0);
      expect(row.deliveries.duplicated, name).toBe(0);
      for (const direction of ['up', 'down'] as const) {
        const { client, server } = row.wire[direction];
        expect(client.bodies, `${name} ${direction} bodies`).toBe(server.bodies);
        expect(client.headers + client.framing + client.bodies, `${name} ${direction} total`).toBe(server.headers + server.framing + server.bodies);
      }
    }
    for (const transport of ['poll', 'longpoll', 'sse', 'ws'] as const) {
      for (const http of transport === 'ws' ? [undefined] : [undefined, '2' as const]) {
        const plain = chat.transports.find((row) => row.transport === transport && row.variant === undefined && row.http === http)!;
        const compressed = chat.transports.find((row) => row.transport === transport && row.variant === 'compressed' && row.http === http)!;
        const bodiesPerDelivery = (row: typeof plain): number => row.wire.down.client.bodies / row.deliveries.received;
        // Chat text gzips to about a third; filler would have gone to almost nothing.
        expect(bodiesPerDelivery(compressed), nameOf(compressed)).toBeLessThan(bodiesPerDelivery(plain) * 0.7);
        if (http === '2') expect(compressed.wire.down.difference, nameOf(compressed)).toEqual({ headers: 0, framing: 0, bodies: 0 });
      }
    }
    const table = compressionTable(chat);
    expect(table?.rows).toHaveLength(14);
    // Each compressed row follows its own plain twin: the h2 row after the h2 row.
    expect(table?.rows.map((cells) => cells[0]).slice(0, 4)).toEqual(['short poll', 'short poll (gzip)', 'short poll · h2', 'short poll (gzip) · h2']);
  });
});
