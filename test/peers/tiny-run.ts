/**
 * The tiny real peers run shared by run.test.ts (the throughput part) and
 * run-memory.test.ts (the memory part): its sizes, its contenders, and what
 * every ratio of either part must satisfy. The two parts are two files so
 * that they run at once, each on its own worker.
 */
import { expect } from 'vitest';
import { formatPeersTable, runPeers, type PeersReport } from '../../bench/peers/index.ts';
import { MEMORY_METRICS, RELEASE_CPU_METRIC, RELEASE_METRIC } from '../../bench/peers/measure/memory.ts';
import { ratioSpecs } from '../../bench/peers/ratios.ts';
import { median } from '../../bench/peers/spread.ts';
import { PEERS_PART_GROUPS, type ContenderName } from '../../bench/peers/types.ts';

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

/** The bare references and socket.io: the library references have their own tests (library-peers, scale). */
const BARE: ContenderName[] = ['ours', 'node:http', 'ws', 'ws+cork', 'sse', 'socket.io'];

const MEMORY_PART = new Set([...Object.values(MEMORY_METRICS), RELEASE_METRIC, RELEASE_CPU_METRIC]);

/** Runs one part of the tiny peers run and checks what both parts share; returns the report and its progress lines. */
export async function runTinyPart(part: 'throughput' | 'memory'): Promise<{ report: PeersReport; lines: string[] }> {
  const lines: string[] = [];
  const report = await runPeers({ quick: true, pin: false, sizes: TINY, contenders: BARE, parts: [part], onProgress: (line) => lines.push(line) });

  expect(report.incomplete).toBe(false);
  // A group names its parts; the report lists the parts that ran.
  expect(report.parts).toEqual(PEERS_PART_GROUPS[part]);
  expect(report.sizes.heldClients).toBe(20);
  expect(report.repeats).toBe(2);
  // One ratio for every pair of this part whose reference this run started, and none for a reference it left out.
  const specs = ratioSpecs(report.sizes).filter((spec) => BARE.includes(spec.reference) && MEMORY_PART.has(spec.metric) === (part === 'memory'));
  expect(specs.length).toBeGreaterThan(0);
  expect(report.ratios).toHaveLength(specs.length);
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
  // The references must have run: a skipped one would be listed, never a zero.
  expect(report.skipped.filter((skipped) => skipped.contender !== 'ours')).toEqual([]);
  const reference = report.measurements.filter((measurement) => measurement.contender !== 'ours');
  expect(reference.length).toBeGreaterThan(0);
  for (const measurement of reference) {
    if (!measurement.completed) expect(measurement.reason).toMatch(/\S/);
  }
  expect(lines.length).toBeGreaterThan(0);
  const table = formatPeersTable(report);
  for (const ratio of report.ratios) expect(table).toContain(ratio.metric);
  return { report, lines };
}
