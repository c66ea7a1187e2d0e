/**
 * The ratio rules of issue 5: a ratio only when both sides completed the same
 * workload with zero loss, otherwise the reason; targets judged by direction.
 * Issues 12 and 13: the median of the per-repeat ratios with its spread and
 * verdict, and no ratio over a saturated repeat.
 */
import { describe, expect, it } from 'vitest';
import { computeRatio, computeRatios, meetsTarget, ratioSpecs, type RatioSpec } from '../../bench/peers/ratios.ts';
import { FULL_SIZES, type PeerConditions, type PeerMeasurement } from '../../bench/peers/types.ts';

const POLL: RatioSpec = { transport: 'poll', metric: 'poll.rps', label: 'poll requests/s', reference: 'node:http', target: { op: '>=', value: 0.7 }, higherIsBetter: true, unit: 'req/s' };
const RSS: RatioSpec = { transport: 'ws', metric: 'ws.idleRssPerConnection', label: 'RSS per idle connection', reference: 'ws', target: { op: '<=', value: 1.3 }, higherIsBetter: false, unit: 'bytes' };
const CPU: RatioSpec = { transport: 'poll', metric: 'poll.serverCpu', label: 'poll server CPU per request', reference: 'node:http', higherIsBetter: false, unit: 'µs', headline: true };

const QUIET: PeerConditions = { harnessCores: 0.5, otherWorkShare: 0.02, stealShare: 0, loadAverage: 1.1, cores: 2 };
const HARNESS_BOUND: PeerConditions = { ...QUIET, harnessCores: 0.97 };
const BUSY_MACHINE: PeerConditions = { ...QUIET, otherWorkShare: 0.45 };

/** A figure measured `values.length` times, each under `conditions` (QUIET by default); value = their median. */
function repeated(metric: string, contender: PeerMeasurement['contender'], values: number[], conditions: PeerConditions[] = values.map(() => QUIET)): PeerMeasurement {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return figure(metric, contender, middle, { samples: values.map((value, i) => ({ value, conditions: conditions[i] })) });
}

function figure(metric: string, contender: PeerMeasurement['contender'], value: number | null, extra: Partial<PeerMeasurement> = {}): PeerMeasurement {
  return { metric, contender, value, unit: 'x', completed: value !== null, workload: 'same', ...extra };
}

describe('computeRatio', () => {
  it('divides ours by the reference and judges a higher-is-better target', () => {
    const ratio = computeRatio(POLL, [figure('poll.rps', 'ours', 60), figure('poll.rps', 'node:http', 80)]);
    expect(ratio.ratio).toBeCloseTo(0.75);
    expect(ratio).toMatchObject({ ours: 60, theirs: 80, target: '≥ 0.7', met: true, reference: 'node:http' });
    expect(computeRatio(POLL, [figure('poll.rps', 'ours', 50), figure('poll.rps', 'node:http', 80)]).met).toBe(false);
  });

  it('judges a lower-is-better target', () => {
    expect(computeRatio(RSS, [figure('ws.idleRssPerConnection', 'ours', 7000), figure('ws.idleRssPerConnection', 'ws', 6000)]).met).toBe(true);
    expect(computeRatio(RSS, [figure('ws.idleRssPerConnection', 'ours', 9000), figure('ws.idleRssPerConnection', 'ws', 6000)]).met).toBe(false);
  });

  it('gives no ratio, and says why, when a side lost something', () => {
    const ratio = computeRatio(POLL, [
      figure('poll.rps', 'ours', 60, { completed: false, reason: '3 non-2xx, 0 errors, 0 timeouts' }),
      figure('poll.rps', 'node:http', 80),
    ]);
    expect(ratio.ratio).toBeNull();
    expect(ratio.met).toBeNull();
    expect(ratio.reason).toBe('ours: 3 non-2xx, 0 errors, 0 timeouts');
  });

  it('gives no ratio when the reference did not start or was never measured', () => {
    const skipped = computeRatio(POLL, [figure('poll.rps', 'ours', 60), figure('poll.rps', 'node:http', null, { reason: 'server did not start: boom' })]);
    expect(skipped.reason).toBe('node:http: server did not start: boom');
    expect(computeRatio(POLL, [figure('poll.rps', 'ours', 60)]).reason).toBe('node:http: not measured');
  });

  it('refuses to compare different workloads or to divide by a non-positive figure', () => {
    const different = computeRatio(POLL, [figure('poll.rps', 'ours', 60, { workload: 'a' }), figure('poll.rps', 'node:http', 80, { workload: 'b' })]);
    expect(different.reason).toMatch(/different workloads/);
    const negative = computeRatio(RSS, [figure('ws.idleRssPerConnection', 'ours', 100), figure('ws.idleRssPerConnection', 'ws', -20)]);
    expect(negative.ratio).toBeNull();
    expect(negative.reason).toMatch(/nothing to divide by/);
  });
});

describe('computeRatio over interleaved repeats', () => {
  it('is the median of the per-repeat ratios, with their min–max, and pairs repeat i with repeat i', () => {
    // Per-repeat ratios 0.5, 0.8, 0.9: median 0.8 — not ours' median ÷ theirs' median (60 ÷ 100 = 0.6).
    const ratio = computeRatio(POLL, [repeated('poll.rps', 'ours', [50, 80, 60]), repeated('poll.rps', 'node:http', [100, 100, 66.666_666_7])]);
    expect(ratio.repeats?.map((repeat) => repeat.ratio)).toEqual([0.5, 0.8, expect.closeTo(0.9, 6)]);
    expect(ratio.ratio).toBeCloseTo(0.8, 9);
    expect(ratio.spread?.min).toBeCloseTo(0.5, 9);
    expect(ratio.spread?.max).toBeCloseTo(0.9, 9);
    expect(ratio).toMatchObject({ ours: 60, theirs: 100, unit: 'req/s', met: true });
    // The spread (0.4) is wider than the gap to 1 (0.2): no verdict.
    expect(ratio.verdict).toBe('not distinguishable');
  });

  it('gives a verdict when the repeats agree more closely than the gap', () => {
    const behind = computeRatio(POLL, [repeated('poll.rps', 'ours', [70, 72, 75]), repeated('poll.rps', 'node:http', [100, 100, 100])]);
    expect(behind.verdict).toBe('reference ahead');
    const cheaper = computeRatio(CPU, [repeated('poll.serverCpu', 'ours', [8, 8.2, 8.1]), repeated('poll.serverCpu', 'node:http', [10, 10, 10])]);
    expect(cheaper).toMatchObject({ verdict: 'ours ahead', headline: true, unit: 'µs' });
    expect(cheaper.ratio).toBeCloseTo(0.81, 9);
  });

  it('prints no ratio for a throughput figure whose load generator was CPU-bound, and says so', () => {
    const ratio = computeRatio(POLL, [
      repeated('poll.rps', 'ours', [253, 250, 260], [QUIET, QUIET, QUIET]),
      repeated('poll.rps', 'node:http', [937, 900, 950], [QUIET, HARNESS_BOUND, QUIET]),
    ]);
    expect(ratio.ratio).toBeNull();
    expect(ratio.met).toBeNull();
    expect(ratio.verdict).toBeUndefined();
    expect(ratio.saturated).toBe('node:http: load generator CPU-bound (97 % of a core) (1 of 3 repeats)');
    expect(ratio.reason).toBe(`saturated: ${ratio.saturated}`);
    expect(ratio.repeats?.map((repeat) => repeat.saturated)).toEqual([undefined, 'node:http: load generator CPU-bound (97 % of a core)', undefined]);
    // Both medians stay in the results, for the record.
    expect(ratio).toMatchObject({ ours: 253, theirs: 937 });
  });

  it('lets a CPU-bound load generator pass for CPU per operation, but not a busy machine', () => {
    const harnessBound = computeRatio(CPU, [repeated('poll.serverCpu', 'ours', [8, 8, 8], [HARNESS_BOUND, HARNESS_BOUND, HARNESS_BOUND]), repeated('poll.serverCpu', 'node:http', [10, 10, 10])]);
    expect(harnessBound.ratio).toBeCloseTo(0.8, 9);
    const busy = computeRatio(CPU, [repeated('poll.serverCpu', 'ours', [8, 8, 8], [QUIET, BUSY_MACHINE, QUIET]), repeated('poll.serverCpu', 'node:http', [10, 10, 10])]);
    expect(busy.ratio).toBeNull();
    expect(busy.saturated).toBe('ours: other work took 45 % of the 2 cores (1 of 3 repeats)');
  });

  it('never calls memory saturated: RSS does not depend on the machine being quiet', () => {
    const rss = computeRatio(RSS, [repeated('ws.idleRssPerConnection', 'ours', [7000, 7100, 7050], [BUSY_MACHINE, BUSY_MACHINE, BUSY_MACHINE]), repeated('ws.idleRssPerConnection', 'ws', [6000, 6000, 6000])]);
    expect(rss.saturated).toBeUndefined();
    expect(rss.ratio).toBeCloseTo(7050 / 6000, 9);
  });

  it('with one repeat: the ratio of the two figures and no verdict', () => {
    const ratio = computeRatio(POLL, [repeated('poll.rps', 'ours', [80]), repeated('poll.rps', 'node:http', [100])]);
    expect(ratio.ratio).toBeCloseTo(0.8, 9);
    expect(ratio.verdict).toBe('one run');
    expect(ratio.spread).toEqual({ min: 0.8, max: 0.8 });
  });
});

describe('ratioSpecs', () => {
  it('puts server CPU per operation first in each group, throughput second', () => {
    const specs = ratioSpecs(FULL_SIZES);
    const order = specs.map((spec) => spec.metric);
    expect(order.indexOf('poll.serverCpu')).toBeLessThan(order.indexOf('poll.rps'));
    expect(order.indexOf('publish.serverCpu')).toBeLessThan(order.indexOf('publish.rps'));
    expect(order.indexOf('fanout.100.serverCpu')).toBeLessThan(order.indexOf('fanout.100.deliveries'));
    expect(order.indexOf('longpoll.releaseCpu')).toBeLessThan(order.indexOf('longpoll.release'));
    expect(specs.filter((spec) => spec.headline).every((spec) => /cpu/i.test(spec.metric))).toBe(true);
    expect(new Set(specs.map((spec) => spec.unit))).toEqual(new Set(['µs', 'req/s', 'ms', 'deliveries/s', 'bytes']));
  });


  it('covers every target of issues 5 and 12, at every fan-out size', () => {
    const ratios = computeRatios(ratioSpecs(FULL_SIZES), []);
    const targeted = ratios.filter((ratio) => ratio.target !== undefined).map((ratio) => `${ratio.metric} vs ${ratio.reference} ${ratio.target}`);
    expect(targeted).toEqual([
      'poll requests/s at saturation vs node:http ≥ 0.7',
      'publish requests/s at saturation vs node:http ≥ 0.7',
      'long-poll fan-out deliveries/s, 100 subscribers vs socket.io-polling ≥ 1',
      'long-poll fan-out deliveries/s, 100 subscribers vs faye ≥ 1',
      'long-poll fan-out deliveries/s, 100 subscribers vs sockjs ≥ 1',
      'long-poll fan-out deliveries/s, 1,000 subscribers vs socket.io-polling ≥ 1',
      'long-poll fan-out deliveries/s, 1,000 subscribers vs faye ≥ 1',
      'long-poll fan-out deliveries/s, 1,000 subscribers vs sockjs ≥ 1',
      'sse fan-out deliveries/s, 100 subscribers vs better-sse ≥ 1',
      'sse fan-out deliveries/s, 100 subscribers vs sockjs ≥ 1',
      'sse fan-out deliveries/s, 1,000 subscribers vs better-sse ≥ 1',
      'sse fan-out deliveries/s, 1,000 subscribers vs sockjs ≥ 1',
      'fan-out deliveries/s, 100 subscribers vs ws ≥ 0.9',
      'fan-out deliveries/s, 100 subscribers vs socket.io > 1',
      'fan-out deliveries/s, 100 subscribers vs faye ≥ 1',
      'fan-out deliveries/s, 100 subscribers vs sockjs ≥ 1',
      'fan-out deliveries/s, 1,000 subscribers vs ws ≥ 0.9',
      'fan-out deliveries/s, 1,000 subscribers vs socket.io > 1',
      'fan-out deliveries/s, 1,000 subscribers vs faye ≥ 1',
      'fan-out deliveries/s, 1,000 subscribers vs sockjs ≥ 1',
      'RSS per held request at 10,000 vs node:http ≤ 1.25',
      'time to release 10,000 held requests vs node:http ≤ 1.2',
      'time to release 10,000 held requests vs socket.io-polling ≤ 1',
      'time to release 10,000 held requests vs faye ≤ 1',
      'RSS per idle connection at 10,000 vs ws ≤ 1.3',
      'RSS per idle connection at 10,000 vs sse ≤ 1.3',
    ]);
    expect(ratios.every((ratio) => ratio.ratio === null && typeof ratio.reason === 'string')).toBe(true);
  });

  it('meetsTarget follows the operator', () => {
    expect(meetsTarget(1, { op: '>', value: 1 })).toBe(false);
    expect(meetsTarget(1, { op: '>=', value: 1 })).toBe(true);
    expect(meetsTarget(1.2, { op: '<=', value: 1.2 })).toBe(true);
  });
});
