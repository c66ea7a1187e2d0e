/**
 * Ctrl-C in the middle of a run: the bench writes what it measured, marked
 * incomplete, and no process it started is left behind.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateResults, type LatestPointer } from '../../bench/schema.ts';
import { descendantsOf, isAlive, startBench, waitForOutput, type BenchProcess } from './helpers.ts';

const out = mkdtempSync(path.join(tmpdir(), 'bench-sigint-'));
let run: BenchProcess | undefined;
afterAll(() => {
  // A failed test must not leave the bench running (its children exit with it).
  run?.child.kill('SIGKILL');
  rmSync(out, { recursive: true, force: true });
});

describe('Ctrl-C during a run', () => {
  it('writes an incomplete results file and leaves no child process', { timeout: 90_000 }, async () => {
    run = startBench(
      ['--scenario', 'chat', '--transports', 'sse,ws', '--clients', '3', '--duration', '60', '--network', 'lan', '--out', out],
      { BENCH_TRACE: '1' },
    );
    // The measured phase of the first transport has begun once its clients are ready (after the warm-up).
    await waitForOutput(run.stderr, /chat\.sse\. clients ready/, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const children = descendantsOf(run.child.pid ?? -1);
    // The server, a client worker and a delay proxy at least.
    expect(children.length).toBeGreaterThanOrEqual(3);
    run.child.kill('SIGINT');
    const code = await run.exited;
    expect(code).toBe(130);

    const pointer = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as LatestPointer;
    const validation = validateResults(readFileSync(path.join(out, pointer.latest), 'utf8'));
    if (!validation.ok) throw new Error(validation.reason);
    expect(validation.results.incomplete).toBe(true);
    const sse = validation.results.scenarios[0]?.transports[0];
    expect(sse?.transport).toBe('sse');
    expect(sse?.incomplete).toBe(true);
    // What was measured before the interrupt is kept, and every message is accounted for.
    expect(sse?.deliveries.received).toBeGreaterThan(0);
    expect(sse?.deliveries.lost).toBe(0);
    expect(validation.results.scenarios[0]?.transports.map((row) => row.transport)).toEqual(['sse']);

    const deadline = Date.now() + 5000;
    while (children.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(children.filter(isAlive)).toEqual([]);
  });
});
