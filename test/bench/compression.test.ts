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
import { compressedPrefix, serverArgsFor, workloadUnits } from '../../bench/run/run-bench.ts';
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
    expect(workloadUnits(['poll', 'ws'], false, true)).toEqual([
      { transport: 'poll', conditional: false },
      { transport: 'poll', conditional: false, compressed: true },
      { transport: 'ws', conditional: false },
      { transport: 'ws', conditional: false, compressed: true },
    ]);
    expect(workloadUnits(['poll', 'ws'], false, false)).toHaveLength(2);
    expect(serverArgsFor({ compression: true })).toEqual(['--ws-deflate', '--gzip']);
    expect(serverArgsFor({ compression: false })).toEqual([]);
    // Names weigh the same in both rows.
    expect(compressedPrefix('chat', 'longpoll')).toHaveLength('chat.longpoll.'.length);
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
