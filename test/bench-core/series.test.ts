import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../bench/aggregate/index.ts';
import { chartConfigsFor } from '../../bench/report/index.ts';
import { SeriesBuilder } from '../../bench/run/series.ts';
import type { StatsSample } from '../../bench/run/stats-sampler.ts';
import type { StatsSnapshot } from '../../src/protocol/index.ts';
import { makeResultsFixture } from './fixture.ts';

const START = 1_000_000_000n;
const zero = { headers: 0, framing: 0, bodies: 0 };

/** A stats sample `seconds` after START, with only the process figures the series reads. */
function sample(seconds: number, cpuMicros: number, delayP99?: number): StatsSample {
  const process = { cpuUserMicros: cpuMicros, cpuSystemMicros: 0, rssBytes: 50e6, heapUsedBytes: 0, uptimeSeconds: seconds };
  const withDelay = delayP99 === undefined ? process : { ...process, eventLoopDelayMs: { mean: delayP99 / 2, p99: delayP99, max: delayP99 * 2 } };
  return { atNs: START + BigInt(Math.round(seconds * 1e9)), snapshot: { process: withDelay } as unknown as StatsSnapshot };
}

function latency(...values: number[]): string {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.recordMs(value);
  return histogram.encode();
}

describe('SeriesBuilder', () => {
  it('takes the event-loop delay p99 of the sample at the end of each second, null where a sample lacks it', () => {
    const series = new SeriesBuilder();
    series.addTick(0, 1, { deliveries: 10, requests: 4, emptyResponses: 0, up: zero, down: { ...zero, bodies: 500 } }, latency(5, 7));
    series.addTick(0, 2, { deliveries: 25, requests: 9, emptyResponses: 0, up: zero, down: { ...zero, bodies: 1200 } }, latency(6));
    series.addTick(0, 3, { deliveries: 30, requests: 12, emptyResponses: 0, up: zero, down: { ...zero, bodies: 1500 } }, latency(8));
    const samples = [sample(0.1, 0, 1.5), sample(1.05, 200_000, 2.25), sample(2.02, 700_000, 12.5), sample(3.01, 800_000)];
    const points = series.build(START, samples, () => 3);
    expect(points.map((point) => point.eventLoopDelayP99Ms)).toEqual([2.25, 12.5, null]);
    expect(points.map((point) => point.deliveries)).toEqual([10, 15, 5]);
    expect(points[1].serverCpuPercent).toBeCloseTo(100 * 500_000 / 970_000, 5);
  });

  it('has no server figures for a second without any sample', () => {
    const series = new SeriesBuilder();
    series.addTick(0, 1, { deliveries: 1, requests: 1, emptyResponses: 0, up: zero, down: zero }, latency(1));
    expect(series.build(START, [], () => 0)[0]).toMatchObject({ eventLoopDelayP99Ms: null, connections: 0 });
  });
});

describe('the event-loop delay chart', () => {
  it('plots each transport\'s per-second p99 from the file, and nothing for files written before it was recorded', () => {
    const results = makeResultsFixture();
    const chat = results.scenarios[0];
    chat.transports[0].series = chat.transports[0].series.map((point, i) => ({ ...point, eventLoopDelayP99Ms: i === 1 ? null : 3 + i }));
    const spec = chartConfigsFor(results, 'chat').find((candidate) => candidate.id === 'series-event-loop');
    expect(spec?.config.data.datasets[0].data).toEqual(chat.transports[0].series.map((point) => ({ x: point.t, y: point.eventLoopDelayP99Ms })));
    expect(spec?.config.data.datasets[1].data.every((point) => (point as { y: unknown }).y === null)).toBe(true);
  });
});
