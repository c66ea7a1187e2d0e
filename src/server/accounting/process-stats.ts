import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessStats } from '../../protocol/index.ts';

const WINDOW_MS = 10_000;
/** The monitor's timer interval: every sample it records is this interval plus the delay. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

type DelaySummary = ProcessStats['eventLoopDelayMs'];

/**
 * CPU, memory and event-loop delay of this process. The delay is reported over
 * the last complete 10 s window (the current one until the first completes), so a
 * reader sees recent stalls instead of an average diluted since start.
 */
export class ProcessMonitor {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
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

/**
 * The delay beyond the timer's own interval: `monitorEventLoopDelay` records
 * how long each `resolution` ms timer really took, so an idle loop reads about
 * 10 ms; what matters is how late the timer fired (issue 13 item 4).
 */
export function summarize(histogram: Pick<IntervalHistogram, 'count' | 'mean' | 'max' | 'percentile'>): DelaySummary {
  if (histogram.count === 0) return { mean: 0, p50: 0, p99: 0, max: 0 };
  const beyond = (ns: number): number => Math.max(0, Math.round((ns - EVENT_LOOP_RESOLUTION_MS * 1e6) / 1e3) / 1e3);
  return {
    mean: beyond(histogram.mean),
    p50: beyond(histogram.percentile(50)),
    p99: beyond(histogram.percentile(99)),
    max: beyond(histogram.max),
  };
}
