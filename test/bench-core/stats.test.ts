import { describe, expect, it } from 'vitest';
import { LatencyHistogram, mean, percentile, summarize } from '../../bench/aggregate/index.ts';

describe('mean and percentiles of a known sample', () => {
  const sample = [15, 20, 35, 40, 50];

  it('mean', () => {
    expect(mean(sample)).toBe(32);
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([])).toBe(0);
  });

  it('nearest-rank percentiles (the textbook example 15, 20, 35, 40, 50)', () => {
    expect(percentile(sample, 5)).toBe(15);
    expect(percentile(sample, 30)).toBe(20);
    expect(percentile(sample, 40)).toBe(20);
    expect(percentile(sample, 50)).toBe(35);
    expect(percentile(sample, 100)).toBe(50);
    expect(percentile([50, 15, 40, 20, 35], 50)).toBe(35);
  });

  it('rejects a percentile outside 0..100', () => {
    expect(() => percentile(sample, 101)).toThrow(RangeError);
    expect(() => percentile(sample, -1)).toThrow(RangeError);
  });

  it('summarize 1..1000 ms', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(summarize(values)).toEqual({ count: 1000, min: 1, mean: 500.5, p50: 500, p90: 900, p99: 990, p999: 999, max: 1000 });
  });
});

describe('LatencyHistogram', () => {
  it('records in µs and reports ms within 0.1 % of the exact figures', () => {
    const histogram = new LatencyHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 0.25);
    for (const value of values) histogram.recordMs(value);
    const exact = summarize(values);
    const summary = histogram.summary();
    expect(summary.count).toBe(1000);
    for (const key of ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const) {
      expect(Math.abs(summary[key] - exact[key])).toBeLessThanOrEqual(exact[key] * 0.001 + 0.001);
    }
  });

  it('keeps sub-millisecond resolution', () => {
    const histogram = new LatencyHistogram();
    histogram.recordMs(0.042);
    expect(histogram.summary().max).toBe(0.042);
  });

  it('survives an encode/decode round trip and merges', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) a.recordMs(i);
    for (let i = 101; i <= 200; i++) b.recordMs(i);
    const merged = LatencyHistogram.decode(a.encode());
    merged.merge(LatencyHistogram.decode(b.encode()));
    const summary = merged.summary();
    expect(summary.count).toBe(200);
    expect(summary.min).toBe(1);
    expect(summary.max).toBeCloseTo(200, 0);
    expect(summary.p50).toBeCloseTo(100, 0);
  });

  it('records a negative latency as 0 and counts it', () => {
    const histogram = new LatencyHistogram();
    histogram.recordMs(-2);
    expect(histogram.negativeValues).toBe(1);
    expect(histogram.summary().max).toBe(0);
  });

  it('back-fills a stall with an expected interval (coordinated omission)', () => {
    const histogram = new LatencyHistogram();
    histogram.recordMs(100, 10);
    expect(histogram.count).toBe(10);
    expect(histogram.summary().min).toBeCloseTo(10, 1);
  });

  it('an empty histogram summarises to zeros', () => {
    expect(new LatencyHistogram().summary()).toMatchObject({ count: 0, p99: 0, max: 0 });
  });
});
