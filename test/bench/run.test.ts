/**
 * A small real run: the bench's own command, the real server process, all
 * four transports, a couple of seconds each. Checks the file it writes, not
 * the speed of this shared machine.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults, LatestPointer } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { startBench, type BenchProcess } from './helpers.ts';

const out = mkdtempSync(path.join(tmpdir(), 'bench-run-'));
let run: BenchProcess | undefined;
afterAll(() => {
  // A failed test must not leave the bench running (its children exit with it).
  run?.child.kill('SIGKILL');
  rmSync(out, { recursive: true, force: true });
});

describe('npm run bench (a small real run)', () => {
  it('writes valid results with zero loss, and short polling costs more requests and header bytes than ws', { timeout: 90_000 }, async () => {
    run = startBench([
      '--scenario', 'chat',
      '--transports', 'poll,longpoll,sse,ws',
      '--clients', '3',
      '--duration', '2',
      '--network', 'loopback',
      '--poll-interval', '250',
      '--out', out,
    ]);
    const code = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/results: .*\.json/);

    const pointer = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as LatestPointer;
    const validation = validateResults(readFileSync(path.join(out, pointer.latest), 'utf8'));
    if (!validation.ok) throw new Error(validation.reason);
    const results: BenchResults = validation.results;
    expect(results.incomplete).toBe(false);
    const chat = results.scenarios.find((scenario) => scenario.name === 'chat');
    expect(chat?.transports.map((row) => row.transport)).toEqual(['poll', 'longpoll', 'sse', 'ws']);
    for (const row of chat?.transports ?? []) {
      expect(row.errors, row.transport).toEqual([]);
      // 3 publishers × 2 s × 1/s, each delivered to all 3 clients.
      expect(row.deliveries.expected, row.transport).toBeGreaterThanOrEqual(3 * 3);
      expect(row.deliveries.received, row.transport).toBe(row.deliveries.expected);
      expect(row.deliveries.lost, row.transport).toBe(0);
      expect(row.deliveries.duplicated, row.transport).toBe(0);
      expect(row.latency.count, row.transport).toBe(row.deliveries.received);
      // Both sides counted the same sockets.
      expect(row.wire.up.client.bodies, row.transport).toBe(row.wire.up.server.bodies);
      expect(row.wire.down.client.bodies, row.transport).toBe(row.wire.down.server.bodies);
    }
    const poll = chat?.transports.find((row) => row.transport === 'poll');
    const ws = chat?.transports.find((row) => row.transport === 'ws');
    if (!poll || !ws) throw new Error('poll or ws missing');
    expect(poll.perDelivery.requests).toBeGreaterThan(ws.perDelivery.requests);
    expect(poll.perDelivery.headers).toBeGreaterThan(ws.perDelivery.headers);
    expect(poll.requests.empty).toBeGreaterThan(0);
  });
});
