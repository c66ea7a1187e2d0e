import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessStats } from '../../protocol/index.ts';

const WINDOW_MS = 10_000;

type DelaySummary = ProcessStats['eventLoopDelayMs'];

/**
 * CPU, memory and event-loop delay of this process. The delay is reported over
 * the last complete 10 s window (the current one until the first completes), so a
 * reader sees recent stalls instead of an average diluted since start.
 */
export class ProcessMonitor {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  readonly #rotate: NodeJS.Timeout;
  #lastWindow: DelaySummary | undefined;

  constructor() {
    this.#histogram.enable();
    this.#rotate = setInterval(() => {
      this.#lastWindow = summarize(this.#histogram);
      this.#histogram.reset();
    }, WINDOW_MS);
    this.#rotate.unref();
  }

  snapshot(): ProcessStats {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    return {
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      eventLoopDelayMs: this.#lastWindow ?? summarize(this.#histogram),
      uptimeSeconds: process.uptime(),
    };
  }

  close(): void {
    clearInterval(this.#rotate);
    this.#histogram.disable();
  }
}

function summarize(histogram: IntervalHistogram): DelaySummary {
  if (histogram.count === 0) return { mean: 0, p99: 0, max: 0 };
  const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
  return { mean: ms(histogram.mean), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
}
