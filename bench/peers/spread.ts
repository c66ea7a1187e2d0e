/**
 * Ratios that hold still (issue 12 item 4): each ours/reference pair runs
 * interleaved several times; the table prints the median of the per-repeat
 * ratios with their spread (min–max), and a pair whose spread is at least as
 * wide as the gap it reports is "not distinguishable". Pure arithmetic,
 * tested against known values in test/peers/spread.test.ts.
 */
import type { PeerVerdict } from '../../src/results/schema.ts';

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The gap is how far the median ratio sits from parity (|median − 1|); the
 * spread is max − min of the per-repeat ratios. A spread at least as wide as
 * the gap means the repeats disagree by more than the difference they report.
 * One run has no spread, so it earns no verdict either way.
 */
export function verdictOf(ratios: Spread & { count: number }, higherIsBetter: boolean): PeerVerdict {
  if (ratios.count < 2) return 'one run';
  const gap = Math.abs(ratios.median - 1);
  // The tolerance keeps a spread equal to the gap from losing to rounding (1.15 − 1.05 < 0.1 in binary).
  if (ratios.max - ratios.min >= gap - 1e-9) return 'not distinguishable';
  const oursHigher = ratios.median > 1;
  return oursHigher === higherIsBetter ? 'ours ahead' : 'reference ahead';
}
