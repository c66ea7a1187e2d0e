/**
 * A tiny real peers run (about 20 clients per figure, two interleaved
 * repeats): it completes, and every ratio is either the median of its
 * per-repeat ratios, with spread and verdict, or carries the reason it is
 * missing — "saturated" included. No speed is asserted — the machine is shared.
 */
import { describe, expect, it } from 'vitest';
import { formatPeersTable, runPeers } from '../../bench/peers/index.ts';
import { ratioSpecs } from '../../bench/peers/ratios.ts';
import { median } from '../../bench/peers/spread.ts';
import type { ContenderName } from '../../bench/peers/types.ts';

/**
 * Small enough to finish in seconds: throughput pairs repeated twice (so a
 * spread exists), memory runs once (each is a fresh server), no warm-ups.
 */
const TINY = {
  httpConnections: 10,
  httpSeconds: 0.3,
  httpWarmupSeconds: 0,
  fanoutSubscribers: [10],
  fanoutDeliveries: 200,
  fanoutLatencySeconds: 0.3,
  heldClients: 20,
  clientsPerProcess: 10,
  settleMs: 50,
  repeats: 2,
  memoryRepeats: 1,
  warmClients: 0,
};

const BARE: ContenderName[] = ['ours', 'node:http', 'ws', 'ws+cork', 'sse', 'socket.io'];

describe('runPeers (tiny)', () => {
  it('completes with a median ratio or a reason for every pair', async () => {
    const lines: string[] = [];
    // The bare references and socket.io: the library references have their own tests (library-peers, scale).
    const report = await runPeers({ quick: true, pin: false, sizes: TINY, contenders: BARE, onProgress: (line) => lines.push(line) });

    expect(report.incomplete).toBe(false);
    expect(report.sizes.heldClients).toBe(20);
    expect(report.repeats).toBe(2);
    // One ratio for every pair whose reference this run started, and none for a reference it left out.
    expect(report.ratios).toHaveLength(ratioSpecs(report.sizes).filter((spec) => BARE.includes(spec.reference)).length);
    for (const ratio of report.ratios) {
      const name = `${ratio.metric} vs ${ratio.reference}`;
      expect(ratio.unit, name).toMatch(/\S/);
      if (ratio.ratio === null) {
        expect(ratio.reason, name).toMatch(/\S/);
        if (ratio.saturated !== undefined) expect(ratio.reason, name).toBe(`saturated: ${ratio.saturated}`);
        if (ratio.target !== undefined) expect(ratio.met, name).toBeNull();
      } else {
        // Interleaved repeats (two, memory one), each a ratio of its own two figures; the ratio is their median.
        expect(ratio.repeats, name).toHaveLength(/RSS|release/.test(ratio.metric) ? 1 : 2);
        for (const repeat of ratio.repeats ?? []) {
          expect(repeat.ratio, name).toBeCloseTo((repeat.ours ?? Number.NaN) / (repeat.theirs ?? Number.NaN), 9);
          expect(repeat.saturated, name).toBeUndefined();
        }
        expect(ratio.ratio, name).toBeCloseTo(median((ratio.repeats ?? []).map((repeat) => repeat.ratio ?? Number.NaN)), 9);
        expect(ratio.spread?.min, name).toBeLessThanOrEqual(ratio.ratio);
        expect(ratio.spread?.max, name).toBeGreaterThanOrEqual(ratio.ratio);
        expect(['ours ahead', 'reference ahead', 'not distinguishable', ...(ratio.repeats?.length === 1 ? ['one run'] : [])]).toContain(ratio.verdict);
        if (ratio.target !== undefined) expect(typeof ratio.met).toBe('boolean');
      }
    }
    // Every throughput repeat records what the machine and the load generator were doing.
    const rps = report.measurements.find((m) => m.metric === 'poll.rps' && m.contender === 'ours');
    expect(rps?.samples).toHaveLength(2);
    for (const sample of rps?.samples ?? []) {
      expect(sample.conditions?.cores).toBeGreaterThan(0);
      expect(sample.conditions?.loadAverage).toBeGreaterThanOrEqual(0);
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
    expect(table).toMatch(/req\/s/);
    expect(table).toMatch(/µs\/op/);
    expect(table).toMatch(/KiB\/conn/);
  }, 120_000);
});
