/**
 * The web app's pure helpers, without a browser: counter rates from two
 * stats snapshots, the wire inspector's byte views, readable errors.
 */
import { describe, expect, it } from 'vitest';
import { LabError, TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import type { StatsSnapshot, TransportStats } from '../../src/protocol/index.ts';
import { ratesBetween } from '../../web/src/lab/stats-rates.ts';
import { frameBytes, fromBase64, visibleText } from '../../web/src/lab/bytes.ts';
import { describeError } from '../../web/src/errors.ts';

function transport(requests: number, headers: number, bodies: number): TransportStats {
  const split = { headers, framing: 0, bodies };
  return { openConnections: 2, heldRequests: 1, requests, emptyResponses: 0, deliveries: requests, publishes: 0, bytesIn: split, bytesOut: split };
}

function snapshot(at: number, requests: number): StatsSnapshot {
  const transports = Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, transport(requests, requests * 100, requests * 10)]));
  return {
    at,
    transports: transports as StatsSnapshot['transports'],
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
  it('divides the difference of two snapshots by the seconds between them', () => {
    const rates = ratesBetween(snapshot(1_000, 10), snapshot(3_000, 30));
    // 20 requests in 2 s; headers 100 B per request each way; bodies 10 B each way.
    expect(rates!.poll).toEqual({
      requestsPerSecond: 10, headerBytesPerSecond: 2_000, framingBytesPerSecond: 0, bodyBytesPerSecond: 200,
      deliveriesPerSecond: 10, openConnections: 2, heldRequests: 1,
    });
  });

  it('never shows a negative rate when the server restarted between snapshots', () => {
    expect(ratesBetween(snapshot(1_000, 30), snapshot(2_000, 5))!.ws.requestsPerSecond).toBe(0);
  });
});

describe('wire inspector bytes', () => {
  it('shows line ends and control bytes instead of hiding them', () => {
    const bytes = fromBase64(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n\u0001').toString('base64'));
    expect(visibleText(bytes)).toBe('GET / HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n\n·');
  });

  it('marks header, mask key and payload bytes of a frame', () => {
    const roles = frameBytes(new Uint8Array([0x81, 0x82, 1, 2, 3, 4, 9, 9]), 6, 4).map((b) => b.role);
    expect(roles).toEqual(['header', 'header', 'mask', 'mask', 'mask', 'mask', 'payload', 'payload']);
    expect(frameBytes(new Uint8Array([0x0a]), 0, 0)[0].hex).toBe('0a');
  });
});

describe('readable errors', () => {
  it('turns each code into a sentence and keeps the server detail', () => {
    expect(describeError(new LabError('name_taken', 'alice is online'))).toMatch(/name is taken.*alice is online/);
    expect(describeError(new LabError('rate_limited', 'slow down', 2))).toMatch(/faster than the server allows.*\(retry in 2 s\)/);
    expect(describeError(new LabError('payload_too_large', 'body over 16384 bytes'))).toMatch(/too long/);
    expect(describeError(new Error('socket hang up'))).toBe('socket hang up');
  });
});
