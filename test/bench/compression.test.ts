/**
 * `--compression` (issue 11 item 6): the flag, the compressed twin it adds after
 * each transport, and a short real run in which every compressed row exists,
 * delivers everything, and its clients counted the same bytes as the server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { compressionTable } from '../../bench/report/compression-table.ts';
import { transportColor, transportLabel } from '../../bench/report/chart-spec.ts';
import { compressedPrefix, serverArgsFor, unitName, unitPrefix, workloadUnits } from '../../bench/run/run-bench.ts';
import type { BenchResults, LatestPointer } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { startBench, type BenchProcess } from './helpers.ts';

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

  it('combines with --conditional; with --http 2 or 2-tls it is refused, since the h2 clients do not accept gzip', () => {
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
    for (const http of ['2', '2-tls', '1.1,2']) {
      expect(() => parseCli(['--compression', 'on', '--http', http]), http).toThrow(/--compression is measured over HTTP\/1\.1 only/);
    }
    expect(parseCli(['--compression', 'on', '--http', '1.1']).http).toEqual(['1.1']);
    expect(parseCli(['--compression', 'none', '--http', '1.1,2']).http).toEqual(['1.1', '2']);
  });

  it('names, prefixes, labels and colours compose with h2 (for when the h2 clients accept gzip)', () => {
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

  it('a short real run: a compressed row per transport, nothing lost, client bytes = server bytes, fewer body bytes on 2,000-byte bodies', { timeout: 150_000 }, async () => {
    run = startBench([
      '--scenario', 'chat',
      '--transports', 'poll,longpoll,sse,ws',
      '--clients', '2',
      '--duration', '1',
      '--network', 'loopback',
      '--poll-interval', '250',
      '--body-size', '2000',
      '--compression', 'on',
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
    expect(chat.transports.map((row) => `${row.transport}${row.variant ? `/${row.variant}` : ''}`)).toEqual([
      'poll', 'poll/compressed', 'longpoll', 'longpoll/compressed', 'sse', 'sse/compressed', 'ws', 'ws/compressed',
    ]);
    for (const row of chat.transports) {
      const name = `${row.transport}${row.variant ? `/${row.variant}` : ''}`;
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
      const plain = chat.transports.find((row) => row.transport === transport && row.variant === undefined)!;
      const compressed = chat.transports.find((row) => row.transport === transport && row.variant === 'compressed')!;
      const bodiesPerDelivery = (row: typeof plain): number => row.wire.down.client.bodies / row.deliveries.received;
      expect(bodiesPerDelivery(compressed), transport).toBeLessThan(bodiesPerDelivery(plain));
    }
    const table = compressionTable(chat);
    expect(table?.rows).toHaveLength(8);
  });
});
