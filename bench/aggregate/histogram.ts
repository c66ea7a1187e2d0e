/**
 * Latency histogram (STYLE habit 8): values recorded in whole microseconds
 * into an HDR histogram (3 significant digits, so a figure is within 0.1 %),
 * read back in milliseconds. Client processes send theirs to the runner with
 * `encode()`; the runner `merge()`s them.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../../src/results/schema.ts';
import { emptySummary } from './stats.ts';

const MICROS_PER_MS = 1000;

function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    // An hour in µs; autoResize stretches it for a stalled run rather than throw.
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

export class LatencyHistogram {
  private histogram: Histogram;
  /** Values below 0 (a clock that went backwards): recorded as 0 and counted here. */
  negativeValues = 0;

  constructor(histogram: Histogram = newHistogram()) {
    this.histogram = histogram;
  }

  /**
   * Records one latency in ms. With `expectedIntervalMs`, also back-fills the
   * samples a stall hid (HdrHistogram's coordinated-omission correction); an
   * open-loop schedule, which measures from the intended send time, needs none.
   */
  recordMs(latencyMs: number, expectedIntervalMs?: number): void {
    if (latencyMs < 0) this.negativeValues++;
    const micros = Math.max(0, Math.round(latencyMs * MICROS_PER_MS));
    if (expectedIntervalMs !== undefined && expectedIntervalMs > 0) {
      this.histogram.recordValueWithExpectedInterval(micros, Math.round(expectedIntervalMs * MICROS_PER_MS));
    } else {
      this.histogram.recordValue(micros);
    }
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  merge(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
    this.negativeValues += other.negativeValues;
  }

  /** Percentiles in ms (rounded to the µs the values were recorded in). */
  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return emptySummary();
    const ms = (micros: number): number => Math.round(micros) / MICROS_PER_MS;
    return {
      count: h.totalCount,
      // minNonZeroValue skips zeros: the 0th percentile is the true minimum.
      min: ms(h.getValueAtPercentile(0)),
      mean: ms(h.mean),
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
    };
  }

  /** Compressed base64 (HdrHistogram's interchange format) for crossing processes. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  static decode(encoded: string): LatencyHistogram {
    const decoded = hdr.decodeFromCompressedBase64(encoded);
    const histogram = newHistogram();
    histogram.add(decoded);
    decoded.destroy();
    return new LatencyHistogram(histogram);
  }

  reset(): void {
    this.histogram.reset();
    this.negativeValues = 0;
  }

  /** Frees the histogram (only needed for WebAssembly-backed ones; harmless otherwise). */
  destroy(): void {
    this.histogram.destroy();
  }
}
