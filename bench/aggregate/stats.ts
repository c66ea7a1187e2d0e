/**
 * Plain statistics on a known sample (tested against hand-computed values, as
 * tinybench's utils-mean-and-variance test does). Large streams of latencies go
 * to histogram.ts instead; this is for small samples and for checking it.
 */
import type { LatencySummary } from '../../src/results/schema.ts';

/** Arithmetic mean; 0 for an empty sample (JSON has no NaN). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Nearest-rank percentile (p in 0..100): the smallest value with at least p %
 * of the sample at or below it. (HDR histograms round the rank rather than
 * ceil it, so the two can differ by one rank on small samples.) 0 for an
 * empty sample.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  // toPrecision drops float noise: 99.9 % of 1000 is rank 999, not 999.0000000000001 → 1000.
  const rank = Math.max(1, Math.ceil(Number(((p / 100) * sorted.length).toPrecision(12))));
  return sorted[rank - 1];
}

/** The latency summary of a sample of milliseconds, computed exactly. */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return emptySummary();
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0],
    mean: mean(sorted),
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    p999: percentileOfSorted(sorted, 99.9),
    max: sorted[sorted.length - 1],
  };
}

export function emptySummary(): LatencySummary {
  return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
}

/** `numerator ÷ denominator`, 0 when the denominator is 0 (a transport that delivered nothing). */
export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
