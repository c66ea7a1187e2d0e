/**
 * What the textbook predicts for each transport's latency, next to what was
 * measured. d = one-way network delay, T = short-poll interval.
 * - short poll: a message waits for the next poll, on average half an interval:
 *   mean ≈ T/2 + d, worst ≈ T + d;
 * - long poll: the held request answers at once, mean ≈ d; a message that
 *   arrives while the response is in flight waits for it to land and for the
 *   next request to come back up and down: worst > 3d (RFC 6202 § 2.2);
 * - SSE and WebSocket push on an open stream: ≈ d.
 */
import type { TheoryLatency, TransportName } from '../schema.ts';

export function theoryLatency(transport: TransportName, oneWayDelayMs: number, pollIntervalMs: number): TheoryLatency {
  const d = oneWayDelayMs;
  switch (transport) {
    case 'poll':
      return {
        model: 'short-poll',
        oneWayDelayMs: d,
        pollIntervalMs,
        meanMs: pollIntervalMs / 2 + d,
        worstMs: pollIntervalMs + d,
        worstIsLowerBound: false,
        formula: 'mean ≈ T/2 + d, worst ≈ T + d',
      };
    case 'longpoll':
      return {
        model: 'long-poll',
        oneWayDelayMs: d,
        meanMs: d,
        worstMs: 3 * d,
        worstIsLowerBound: true,
        formula: 'mean ≈ d, worst > 3d (RFC 6202)',
      };
    case 'sse':
    case 'ws':
      return {
        model: 'push',
        oneWayDelayMs: d,
        meanMs: d,
        worstMs: d,
        worstIsLowerBound: false,
        formula: 'mean ≈ d, worst ≈ d',
      };
  }
}
