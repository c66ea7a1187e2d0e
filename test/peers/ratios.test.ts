/**
 * The ratio rules of issue 5: a ratio only when both sides completed the same
 * workload with zero loss, otherwise the reason; targets judged by direction.
 */
import { describe, expect, it } from 'vitest';
import { computeRatio, computeRatios, meetsTarget, ratioSpecs, type RatioSpec } from '../../bench/peers/ratios.ts';
import { FULL_SIZES, type PeerMeasurement } from '../../bench/peers/types.ts';

const POLL: RatioSpec = { transport: 'poll', metric: 'poll.rps', label: 'poll requests/s', reference: 'node:http', target: { op: '>=', value: 0.7 }, higherIsBetter: true };
const RSS: RatioSpec = { transport: 'ws', metric: 'ws.idle', label: 'RSS per idle connection', reference: 'ws', target: { op: '<=', value: 1.3 }, higherIsBetter: false };

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
    expect(computeRatio(RSS, [figure('ws.idle', 'ours', 7000), figure('ws.idle', 'ws', 6000)]).met).toBe(true);
    expect(computeRatio(RSS, [figure('ws.idle', 'ours', 9000), figure('ws.idle', 'ws', 6000)]).met).toBe(false);
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
    const negative = computeRatio(RSS, [figure('ws.idle', 'ours', 100), figure('ws.idle', 'ws', -20)]);
    expect(negative.ratio).toBeNull();
    expect(negative.reason).toMatch(/nothing to divide by/);
  });
});

describe('ratioSpecs', () => {
  it('covers every target of issue 5, at every fan-out size', () => {
    const ratios = computeRatios(ratioSpecs(FULL_SIZES), []);
    const targeted = ratios.filter((ratio) => ratio.target !== undefined).map((ratio) => `${ratio.metric} vs ${ratio.reference} ${ratio.target}`);
    expect(targeted).toEqual([
      'poll requests/s at saturation vs node:http ≥ 0.7',
      'publish requests/s at saturation vs node:http ≥ 0.7',
      'fan-out deliveries/s, 100 subscribers vs ws ≥ 0.9',
      'fan-out deliveries/s, 100 subscribers vs socket.io > 1',
      'fan-out deliveries/s, 1,000 subscribers vs ws ≥ 0.9',
      'fan-out deliveries/s, 1,000 subscribers vs socket.io > 1',
      'RSS per held request at 10,000 vs node:http ≤ 1.25',
      'time to release 10,000 held requests vs node:http ≤ 1.2',
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
