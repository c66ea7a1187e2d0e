/**
 * When a delay proxy holds no byte in flight. Every chunk leaves one delay
 * after it arrived (later when a bandwidth limit queues it), so once no chunk
 * has arrived for a delay plus the time the bandwidth needs for what came
 * last, everything that entered has left. The bench waits for that before
 * its final reading of both sides' byte counters (issue 13 item 6), so that
 * no request is counted by the client and not yet by the server.
 */

export interface DrainState {
  /** `performance.now()` of the last chunk in either direction. */
  lastChunkMs: number;
  /** Bytes that arrived since the proxy was last quiet for a whole delay. */
  bytesSinceQuiet: number;
}

export interface DrainPath {
  oneWayDelayMs: number;
  bandwidthBytesPerSecond?: number;
}

/** Slack for timers and the loopback hop behind the proxy. */
export const DRAIN_MARGIN_MS = 25;

/** Milliseconds still to wait before nothing is in flight; 0 or less when drained. */
export function drainWaitMs(state: DrainState, nowMs: number, path: DrainPath): number {
  const queueMs = path.bandwidthBytesPerSecond ? (state.bytesSinceQuiet / path.bandwidthBytesPerSecond) * 1000 : 0;
  return state.lastChunkMs + path.oneWayDelayMs + queueMs + DRAIN_MARGIN_MS - nowMs;
}
