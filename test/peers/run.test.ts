/**
 * A tiny real peers run (about 20 clients per figure): it completes, and every
 * ratio is either a number or carries the reason it is missing. No speed is
 * asserted — the machine is shared.
 */
import { describe, expect, it } from 'vitest';
import { formatPeersTable, runPeers } from '../../bench/peers/index.ts';
import { ratioSpecs } from '../../bench/peers/ratios.ts';

const TINY = {
  httpConnections: 10,
  httpSeconds: 1,
  fanoutSubscribers: [20],
  fanoutDeliveries: 400,
  fanoutLatencySeconds: 1,
  heldClients: 20,
  clientsPerProcess: 10,
  settleMs: 100,
};

describe('runPeers (tiny)', () => {
  it('completes with a number or a reason for every ratio', async () => {
    const lines: string[] = [];
    const report = await runPeers({ quick: true, pin: false, sizes: TINY, onProgress: (line) => lines.push(line) });

    expect(report.incomplete).toBe(false);
    expect(report.sizes.heldClients).toBe(20);
    expect(report.ratios).toHaveLength(ratioSpecs(report.sizes).length);
    for (const ratio of report.ratios) {
      if (ratio.ratio === null) {
        expect(ratio.reason, `${ratio.metric} vs ${ratio.reference}`).toMatch(/\S/);
        if (ratio.target !== undefined) expect(ratio.met).toBeNull();
      } else {
        expect(Number.isFinite(ratio.ratio)).toBe(true);
        expect(ratio.ratio).toBeCloseTo((ratio.ours ?? Number.NaN) / (ratio.theirs ?? Number.NaN), 9);
        if (ratio.target !== undefined) expect(typeof ratio.met).toBe('boolean');
      }
    }
    // The references must have run: a skipped one would be listed, never a zero.
    expect(report.skipped.filter((skipped) => skipped.contender !== 'ours')).toEqual([]);
    const reference = report.measurements.filter((measurement) => measurement.contender !== 'ours');
    expect(reference.length).toBeGreaterThan(0);
    for (const measurement of reference) {
      if (!measurement.completed) expect(measurement.reason).toMatch(/\S/);
    }
    // Two load processes for 20 clients at 10 per process: the spreading works.
    expect(report.measurements.find((m) => m.metric === 'longpoll.rssPerHeld' && m.contender === 'node:http')?.workload).toMatch(/2 load process/);
    expect(lines.length).toBeGreaterThan(0);

    const table = formatPeersTable(report);
    for (const ratio of report.ratios) expect(table).toContain(ratio.metric);
  }, 300_000);
});
