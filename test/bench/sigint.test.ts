/**
 * Ctrl-C or SIGTERM in the middle of a run: the bench writes what it
 * measured, marked incomplete — never as latest.json — and no process it
 * started is left behind. The signal goes to the bench's whole process group,
 * as a terminal (Ctrl-C) or a supervisor (`kill -TERM -<pgid>`) sends it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateResults } from '../../src/results/validate.ts';
import { descendantsOf, isAlive, startBench, waitForOutput, type BenchProcess } from './helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'bench-sigint-'));
const runs: BenchProcess[] = [];
afterAll(() => {
  // A failed test must not leave the bench running (its children exit with it).
  for (const run of runs) run.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

async function interruptMidRun(signal: NodeJS.Signals, expectedCode: number): Promise<void> {
  const out = path.join(root, signal);
  const run = startBench(
    ['--scenario', 'chat', '--transports', 'sse,ws', '--clients', '3', '--duration', '60', '--network', 'lan', '--out', out],
    { BENCH_TRACE: '1' },
    { detached: true },
  );
  runs.push(run);
  // The measured phase of the first transport has begun once its clients are ready (after the warm-up).
  await waitForOutput(run.stderr, /chat\.sse\. clients ready/, 60_000);
  // Some deliveries measured first (the trace says when the first tick counted any).
  await waitForOutput(run.stderr, /chat\.sse\. first deliveries/, 30_000);
  const children = descendantsOf(run.child.pid ?? -1);
  // The server, a client worker and a delay proxy at least.
  expect(children.length).toBeGreaterThanOrEqual(3);
  process.kill(-(run.child.pid ?? 0), signal);
  const code = await run.exited;
  expect(code, run.stderr()).toBe(expectedCode);
  expect(run.stderr()).not.toMatch(/EPIPE|Error:/);

  // The incomplete run is written, but latest.json does not point at it.
  expect(existsSync(path.join(out, 'latest.json'))).toBe(false);
  expect(run.stdout()).toMatch(/latest: +unchanged \(this run is incomplete\)/);
  const file = readdirSync(out).find((name) => name.endsWith('.json'));
  const validation = validateResults(readFileSync(path.join(out, file ?? 'missing'), 'utf8'));
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
}

// The two runs are independent (their own process groups and output folders) and mostly wait
// for the warm-up and the first deliveries: they run side by side.
describe.concurrent('interrupting a run', () => {
  it('Ctrl-C (SIGINT to the group): an incomplete results file, not latest, and no child left', { timeout: 90_000 }, async () => {
    await interruptMidRun('SIGINT', 130);
  });

  it('SIGTERM to the group behaves as Ctrl-C: no EPIPE, exit 143', { timeout: 90_000 }, async () => {
    await interruptMidRun('SIGTERM', 143);
  });
});
