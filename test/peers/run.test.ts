/**
 * A tiny real peers run (about 20 clients per figure, two interleaved
 * repeats), its throughput part: it completes, and every ratio is either the
 * median of its per-repeat ratios, with spread and verdict, or carries the
 * reason it is missing — "saturated" included. No speed is asserted — the
 * machine is shared. The memory part is run-memory.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { formatPeersTable } from '../../bench/peers/index.ts';
import { runTinyPart } from './tiny-run.ts';

describe('runPeers (tiny), throughput', () => {
  it('completes with a median ratio or a reason for every pair', async () => {
    const { report } = await runTinyPart('throughput');
    // Every throughput repeat records what the machine and the load generator were doing.
    const rps = report.measurements.find((m) => m.metric === 'poll.rps' && m.contender === 'ours');
    expect(rps?.samples).toHaveLength(2);
    for (const sample of rps?.samples ?? []) {
      expect(sample.conditions?.cores).toBeGreaterThan(0);
      expect(sample.conditions?.loadAverage).toBeGreaterThanOrEqual(0);
    }
    const table = formatPeersTable(report);
    expect(table).toMatch(/req\/s/);
    expect(table).toMatch(/µs\/op/);
  }, 120_000);
});
