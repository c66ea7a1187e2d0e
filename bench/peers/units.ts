/**
 * How the peers' figures read, in the terminal and in the HTML report alike:
 * every figure with its unit (req/s, deliveries/s, µs of server CPU per
 * operation, KiB per connection, ms), the median ratio with its spread, and
 * the verdict — or why there is none.
 */
import type { PeerRatio } from '../../src/results/schema.ts';

/** The unit of a ratio's two figures; results written before `unit` existed get it from the wording of their label. */
export function peerUnitOf(ratio: Pick<PeerRatio, 'unit' | 'metric'>): string {
  if (ratio.unit) return ratio.unit;
  if (ratio.metric.includes('RSS')) return 'bytes';
  if (ratio.metric.includes('CPU per')) return 'µs';
  if (ratio.metric.includes('latency') || ratio.metric.includes('to release')) return 'ms';
  if (ratio.metric.includes('deliveries')) return 'deliveries/s';
  return 'req/s';
}

function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatPeerFigure(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'bytes') return `${(value / 1024).toFixed(1)} KiB/conn`;
  if (unit === 'µs') return `${value.toFixed(1)} µs/op`;
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : grouped(value)} ms`;
  return `${grouped(value)} ${unit}`;
}

/** "0.93×", or what stands in for a missing ratio. */
export function formatPeerRatio(ratio: PeerRatio): string {
  if (ratio.ratio !== null) return `${ratio.ratio.toFixed(2)}×`;
  return ratio.saturated !== undefined ? 'saturated' : 'missing';
}

/** "0.88–1.02" (min–max of the per-repeat ratios), or empty. */
export function formatPeerSpread(ratio: PeerRatio): string {
  if (ratio.ratio === null || !ratio.spread) return '';
  return `${ratio.spread.min.toFixed(2)}–${ratio.spread.max.toFixed(2)}`;
}

/** The verdict in words: ahead / behind / not distinguishable / one run / saturated / missing. */
export function formatPeerVerdict(ratio: PeerRatio): string {
  if (ratio.saturated !== undefined) return 'saturated';
  if (ratio.ratio === null) return 'missing';
  return ratio.verdict ?? '';
}

/** pass / FAIL / n/a against the target (judged on the median), or empty without a target. */
export function formatPeerTarget(ratio: PeerRatio): string {
  if (ratio.target === undefined) return '';
  if (ratio.met === true) return 'pass';
  if (ratio.met === false) return 'FAIL';
  return 'n/a';
}
