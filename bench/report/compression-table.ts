/**
 * What compression buys and costs (`--compression`, issue 11 #6): each
 * transport next to its compressed twin in the same scenario — bytes on the
 * wire against the server's CPU and memory.
 */
import type { ScenarioResult, TransportResult } from '../../src/results/schema.ts';
import { transportLabel } from './chart-spec.ts';
import { formatBytes, formatNumber, formatPercent } from './format.ts';
import { NO_VALUE, type Table } from './tables.ts';

function perClientSecond(row: TransportResult, value: number): number {
  return row.clients > 0 && row.durationSeconds > 0 ? value / row.clients / row.durationSeconds : 0;
}

function downTotal(row: TransportResult): number {
  const split = row.wire.down.client;
  return split.headers + split.framing + split.bodies;
}

/** Server CPU per delivered message, in µs: compression is paid per answer (gzip) or per frame (deflate). */
function cpuMicrosPerDelivery(row: TransportResult): number | null {
  return row.deliveries.received > 0 ? (row.server.cpuSeconds * 1e6) / row.deliveries.received : null;
}

/** Peak RSS ÷ peak connections: the whole process, so an upper bound on what one connection holds. */
function rssPerConnection(row: TransportResult): number | null {
  return row.server.connectionsPeak > 0 ? row.server.peakRssBytes / row.server.connectionsPeak : null;
}

/** Null unless the scenario has at least one transport measured both plain and compressed. */
export function compressionTable(scenario: ScenarioResult): Table | null {
  const pairs = scenario.transports
    .filter((row) => row.variant === 'compressed')
    .map((compressed) => ({
      // Its plain twin over the same HTTP version and connection (`--http 1.1,2,2-tls` runs each).
      plain: scenario.transports.find((row) =>
        row.transport === compressed.transport && row.variant === undefined && row.http === compressed.http && row.tls === compressed.tls),
      compressed,
    }))
    .filter((pair): pair is { plain: TransportResult; compressed: TransportResult } => pair.plain !== undefined);
  if (pairs.length === 0) return null;
  const row = (r: TransportResult, plain?: TransportResult): string[] => {
    const down = perClientSecond(r, downTotal(r));
    const saved = plain && downTotal(plain) > 0 ? formatPercent(1 - downTotal(r) / downTotal(plain), 1) : '';
    const bodies = r.deliveries.received > 0 ? r.wire.down.client.bodies / r.deliveries.received : null;
    const perConnection = rssPerConnection(r);
    return [
      transportLabel(r) + (r.incomplete ? ' (incomplete)' : ''),
      formatNumber(down, 1),
      saved,
      bodies === null ? NO_VALUE : formatNumber(bodies, 1),
      formatNumber(r.server.cpuSeconds, 2),
      formatNumber(cpuMicrosPerDelivery(r), 1),
      formatBytes(r.server.peakRssBytes),
      perConnection === null ? NO_VALUE : formatBytes(perConnection),
      String(r.deliveries.lost),
    ];
  };
  return {
    caption:
      'Compression on against off (--compression): gzip of poll / long-poll answers and event streams, permessage-deflate on WebSockets. ' +
      'Bytes are counted on the clients\' sockets (bodies = the compressed bytes on the wire); CPU and RSS are the server process\'s, ' +
      'which serves both rows one after the other, so RSS per connection is peak RSS ÷ peak connections (an upper bound). ' +
      `Body size ${scenario.params.bodyBytes} bytes: compression pays on larger bodies. ` +
      (scenario.params.body === 'chat'
        ? 'Bodies: chat-like (--body chat) — words of a small vocabulary with JSON-ish user fields, seeded, as chat text compresses.'
        : 'Bodies: filler (--body filler) — a time stamp padded with "x", far more compressible than real text: read "saved" as an upper bound.'),
    head: ['transport', 'bytes down / client / s', 'saved', 'body bytes / delivery', 'server CPU s', 'CPU µs / delivery', 'peak RSS', 'RSS / connection', 'lost'],
    rows: pairs.flatMap(({ plain, compressed }) => [row(plain), row(compressed, plain)]),
  };
}
