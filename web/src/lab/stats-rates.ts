/**
 * Per-second rates from two `/api/stats` snapshots: the live lab's counters.
 * These are the server's own counts (never the lab's estimate), differenced.
 * The lab's own polling of /api/stats and /api/lab/settings, and its own
 * sends (published without `?via=`), are counted under `other` by the
 * server, so they never show here.
 */
import { TRANSPORT_NAMES } from '../../../src/protocol/index.ts';
import type { ByteSplit, StatsSnapshot, TransportName } from '../../../src/protocol/index.ts';

export interface TransportRates {
  requestsPerSecond: number;
  /** In + out, per second. */
  headerBytesPerSecond: number;
  framingBytesPerSecond: number;
  bodyBytesPerSecond: number;
  deliveriesPerSecond: number;
  openConnections: number;
  heldRequests: number;
}

/**
 * The shortest window a rate is taken over. Two snapshots that land close
 * together (a slow answer, then a prompt one) would turn one request in 25 ms
 * into "40 requests/s"; below this the caller keeps its older snapshot.
 */
export const MIN_RATE_WINDOW_MS = 800;

/** Rates over the window between two snapshots; null when it is shorter than MIN_RATE_WINDOW_MS. */
export function ratesBetween(before: StatsSnapshot, after: StatsSnapshot): Record<TransportName, TransportRates> | null {
  if (after.at - before.at < MIN_RATE_WINDOW_MS) return null;
  const seconds = (after.at - before.at) / 1000;
  const per = (a: number, b: number): number => Math.max(0, b - a) / seconds;
  const both = (split: { bytesIn: ByteSplit; bytesOut: ByteSplit }, part: keyof ByteSplit): number =>
    split.bytesIn[part] + split.bytesOut[part];
  const rates = {} as Record<TransportName, TransportRates>;
  for (const name of TRANSPORT_NAMES) {
    const a = before.transports[name];
    const b = after.transports[name];
    rates[name] = {
      requestsPerSecond: per(a.requests, b.requests),
      headerBytesPerSecond: per(both(a, 'headers'), both(b, 'headers')),
      framingBytesPerSecond: per(both(a, 'framing'), both(b, 'framing')),
      bodyBytesPerSecond: per(both(a, 'bodies'), both(b, 'bodies')),
      deliveriesPerSecond: per(a.deliveries, b.deliveries),
      openConnections: b.openConnections,
      heldRequests: b.heldRequests,
    };
  }
  return rates;
}
