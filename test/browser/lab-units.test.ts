/** The lab page's pure helpers, without a browser: counter rates over a minimum window. */
import { describe, expect, it } from 'vitest';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import type { StatsSnapshot, TransportStats } from '../../src/protocol/index.ts';
import { MIN_RATE_WINDOW_MS, ratesBetween } from '../../web/src/lab/stats-rates.ts';

function snapshot(at: number, requests: number): StatsSnapshot {
  const split = { headers: requests * 100, framing: 0, bodies: 0 };
  const stats: TransportStats = {
    openConnections: 1, heldRequests: 0, requests, emptyResponses: 0, deliveries: 0, publishes: 0, bytesIn: split, bytesOut: split,
  };
  return {
    at,
    transports: Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, stats])) as StatsSnapshot['transports'],
    other: { requests: 0, bytesIn: 0, bytesOut: 0 },
    sessions: 0,
    bus: { epoch: 'e', topics: 0, historyMessages: 0, historyBytes: 0, subscriptions: 0 },
    process: {
      cpuUserMicros: 0, cpuSystemMicros: 0, rssBytes: 0, heapUsedBytes: 0,
      eventLoopDelayMs: { mean: 0, p99: 0, max: 0 }, uptimeSeconds: 0,
    },
  };
}

describe('counter rates', () => {
  it('makes no rate from two snapshots that landed close together (no "40.8 requests/s")', () => {
    // One ws ping-pong request counted in a 25 ms window would read 40 requests/s.
    expect(ratesBetween(snapshot(1_000, 10), snapshot(1_025, 11))).toBeNull();
    expect(ratesBetween(snapshot(1_000, 10), snapshot(1_000 + MIN_RATE_WINDOW_MS - 1, 11))).toBeNull();
  });

  it('rates over the window from the older snapshot once it is long enough', () => {
    expect(ratesBetween(snapshot(1_000, 10), snapshot(2_025, 11))!.ws.requestsPerSecond).toBeCloseTo(1 / 1.025, 6);
  });
});
