/**
 * "HTTP/1.1 vs HTTP/2 header bytes per request" (`--http 2`): each HTTP
 * transport's HTTP/1.1 row next to its h2 row of the same scenario, when the
 * run measured both (`--http 1.1,2`), or the h2 row alone. Pure: figures are
 * read from the results, not recomputed.
 */
import type { ScenarioResult, TransportResult } from '../../src/results/schema.ts';
import { transportLabel } from './chart-spec.ts';
import { formatNumber } from './format.ts';
import { NO_VALUE, type Table } from './tables.ts';

function bytes(value: number | undefined, requests = 1): string {
  return value === undefined || requests === 0 ? NO_VALUE : formatNumber(value, 1);
}

/** Client − server bytes of a row, both directions: 0 when both sides counted the same. */
export function clientServerDifference(row: TransportResult): number {
  const { up, down } = row.wire;
  const sum = (split: { headers: number; framing: number; bodies: number }): number => split.headers + split.framing + split.bodies;
  return sum(up.difference) + sum(down.difference);
}

export function http2HeaderTable(scenario: ScenarioResult): Table | null {
  const h2Rows = scenario.transports.filter((row) => row.http === '2');
  if (h2Rows.length === 0) return null;
  const anyTls = h2Rows.some((row) => row.tls);
  const rows = h2Rows.map((h2) => {
    const h1 = scenario.transports.find((row) => row.transport === h2.transport && row.variant === h2.variant && row.http === undefined);
    const figures = h2.http2;
    const receive = figures?.headerBytesPerRequest;
    const publish = figures?.publishHeaderBytesPerRequest;
    return [
      transportLabel({ transport: h2.transport, variant: h2.variant }) + (h2.tls ? ' (TLS)' : '') + (h2.incomplete ? ' (incomplete)' : ''),
      h1?.headerProjection && h1.requests.total > 0 ? formatNumber(h1.headerProjection.bytesPerRequest, 1) : NO_VALUE,
      bytes(receive?.first.total, receive?.first.requests),
      bytes(receive?.steady.total, receive?.steady.requests),
      publish && publish.first.requests > 0 ? `${bytes(publish.first.total)} → ${bytes(publish.steady.total, publish.steady.requests)}` : NO_VALUE,
      bytes(figures?.frameOverheadPerRequest, h2.requests.total),
      h2.headerProjection && h2.requests.total > 0 ? formatNumber(h2.headerProjection.bytesPerRequest, 1) : NO_VALUE,
      formatNumber(clientServerDifference(h2), 0),
      ...(anyTls ? [h2.tls ? bytes(figures?.tlsRecordBytesPerRequest, h2.requests.total) : NO_VALUE] : []),
    ];
  });
  const ws = scenario.transports.some((row) => row.transport === 'ws');
  return {
    caption:
      'HTTP/1.1 vs HTTP/2 header bytes per request (request + response, both directions). HTTP/1.1: the heads on the wire, ' +
      'mean over the measured phase. h2 (one session per client; cleartext h2c unless marked TLS): header blocks after HPACK, counted frame by frame ' +
      'on the clients\' sockets — each session\'s first receive request (HPACK\'s tables empty) and the mean of the later ones ' +
      '(steady state), publishes apart; frame overhead is 9-byte frame headers, SETTINGS, WINDOW_UPDATE, PING per request; ' +
      '"on the wire" is all that is not body or SSE framing, per request. client − server: both sides\' byte counts of the h2 row, ' +
      'which must be 0.' +
      (anyTls ? ' TLS rows: h2 over TLS (ALPN); "TLS records" is the TCP bytes less the h2 bytes they carried, per request (included in "on the wire").' : '') + (ws ? ' WebSocket stays on HTTP/1.1 (an Upgrade; no RFC 8441 here): its row is the same in both.' : ''),
    head: [
      'transport', 'HTTP/1.1 heads / request', 'h2 first (HPACK)', 'h2 steady (HPACK)', 'h2 publish first → steady',
      'h2 frame overhead / request', 'h2 on the wire / request', 'client − server (B)',
      ...(anyTls ? ['TLS records / request'] : []),
    ],
    rows,
  };
}
