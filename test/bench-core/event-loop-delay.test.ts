/**
 * Issue 13 item 4: the server reports how late its event loop ran beyond the
 * monitor's own 10 ms timer, not the whole interval — an idle loop reads
 * under a millisecond, not 10.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_RESOLUTION_MS, ProcessMonitor, summarize } from '../../src/server/accounting/process-stats.ts';

describe('event-loop delay beyond the timer resolution', () => {
  it('subtracts the resolution from every figure, never below 0', () => {
    const ms = 1e6;
    const histogram = {
      count: 3,
      mean: 10.4 * ms,
      max: 25 * ms,
      percentile: (p: number) => (p === 50 ? 10.2 * ms : p === 99 ? 9.9 * ms : 0),
    };
    expect(EVENT_LOOP_RESOLUTION_MS).toBe(10);
    expect(summarize(histogram)).toEqual({ mean: 0.4, p50: 0.2, p99: 0, max: 15 });
  });

  it('an idle loop reads p50 far under the 10 ms interval (under 1 ms on a quiet machine)', { timeout: 20_000 }, async () => {
    const monitor = new ProcessMonitor();
    try {
      // Wait for samples (polled state, not a fixed sleep): max turns above 0 once the timer has fired late at all,
      // and a few dozen samples keep one late start-up turn from being the median.
      const deadline = Date.now() + 15_000;
      let delay = monitor.snapshot().eventLoopDelayMs;
      const started = Date.now();
      while ((delay.max === 0 || Date.now() - started < 500) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        delay = monitor.snapshot().eventLoopDelayMs;
      }
      expect(delay.max).toBeGreaterThan(0);
      // The old reading could not go below the 10 ms interval; on a quiet machine p50 is well under 1 ms
      // (the bench's idle server reads 0.10 ms), and a machine busy with other work (tests in parallel)
      // adds a few ms of its own: the bound is the interval the old reading could never go under.
      expect(delay.p50).toBeLessThan(EVENT_LOOP_RESOLUTION_MS);
    } finally {
      monitor.close();
    }
  });
});
