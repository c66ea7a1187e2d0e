/**
 * The figures of a real run that depend on WHEN things are counted:
 * - issue 13 item 2: requests and seconds over the same window — idle short
 *   polling reads exactly one request per interval per client;
 * - issue 13 item 6: the final reading of both sides waits for the delay
 *   proxy to drain, so client and server count the same bytes on long
 *   polling through `broadband` (a request re-issued at the end used to be
 *   counted by the client while it was still inside the proxy's delay).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { startBench, type BenchProcess } from './helpers.ts';

const out = mkdtempSync(path.join(tmpdir(), 'bench-window-'));
let run: BenchProcess | undefined;
afterAll(() => {
  run?.child.kill('SIGKILL');
  rmSync(out, { recursive: true, force: true });
});

const POLL_MS = 100;

async function benchRun(args: string[], dir: string): Promise<BenchResults> {
  run = startBench([...args, '--out', dir]);
  const code = await run.exited;
  expect(code, run.stderr()).toBe(0);
  const file = readdirSync(dir).find((name) => name.endsWith('.json') && name !== 'latest.json');
  const validation = validateResults(readFileSync(path.join(dir, file ?? 'missing'), 'utf8'));
  if (!validation.ok) throw new Error(validation.reason);
  return validation.results;
}

let idle: BenchResults;
let delayed: BenchResults;

beforeAll(async () => {
  idle = await benchRun(
    ['--scenario', 'idle', '--transports', 'poll', '--clients', '20', '--duration', '3', '--network', 'lan', '--poll-interval', String(POLL_MS)],
    path.join(out, 'idle'),
  );
  // A long delay makes the old race certain: a long poll re-issued as the run ends is still inside the proxy.
  delayed = await benchRun(
    ['--scenario', 'chat', '--transports', 'longpoll,sse', '--clients', '10', '--duration', '2', '--network', '200ms'],
    path.join(out, 'delayed'),
  );
}, 200_000);

describe('counting window and final reading', () => {
  it('idle short polling reads 1000/T requests per client per second, ± 1 %', () => {
    const idlePoll = idle.scenarios.find((s) => s.name === 'idle')?.transports.find((row) => row.transport === 'poll');
    if (!idlePoll) throw new Error('idle × poll missing');
    const perClientPerSecond = idlePoll.requests.total / idlePoll.clients / idlePoll.durationSeconds;
    expect(perClientPerSecond).toBeGreaterThan((1000 / POLL_MS) * 0.99);
    expect(perClientPerSecond).toBeLessThan((1000 / POLL_MS) * 1.01);
  });

  it('client and server count the same bytes through the delay proxy, long polling included', () => {
    for (const scenario of [...idle.scenarios, ...delayed.scenarios]) {
      for (const row of scenario.transports) {
        const where = `${scenario.name} × ${row.transport}`;
        expect(row.errors, where).toEqual([]);
        expect(row.wire.up.difference, where).toEqual({ headers: 0, framing: 0, bodies: 0 });
        expect(row.wire.down.difference, where).toEqual({ headers: 0, framing: 0, bodies: 0 });
      }
    }
  });
});
