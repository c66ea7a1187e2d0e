/**
 * "The 2009 replay, HTTP/1.1 against HTTP/2" (`--headers websocket.org-2009`
 * on `idle`, issue 11): the Quantum Leap article's poll as its rows measured
 * it — byte for byte over HTTP/1.1 (as the article counted: no line ends), and
 * the same header set after HPACK over h2 — each projected as the article did,
 * once a second for 1,000 / 10,000 / 100,000 clients. Pure: figures are read
 * from the results (`replay2009`), not recomputed.
 */
import type { ScenarioResult } from '../../src/results/schema.ts';
import { transportLabel } from './chart-spec.ts';
import { formatMbps, formatNumber } from './format.ts';
import { clientServerDifference } from './h2-table.ts';
import type { Table } from './tables.ts';

export function replay2009Table(scenario: ScenarioResult): Table | null {
  const rows = scenario.transports.filter((row) => row.replay2009);
  if (rows.length === 0) return null;
  const clientCounts = rows[0].replay2009?.projection.rows.map((row) => row.clients) ?? [];
  return {
    caption:
      'The 2009 replay: the poll of "HTML5 Web Sockets: A Quantum Leap in Scalability for the Web" (871 header bytes, once a second → ' +
      '6.6 / 66 / 665 Mbps), measured. HTTP/1.1: the article\'s request byte for byte, counted as the article counted (no line ends). ' +
      'h2: the same header set (Host as :authority, no Keep-Alive or Connection) on one session per client, header blocks after HPACK ' +
      'counted frame by frame, request + response — each session\'s first poll (HPACK\'s tables empty) and the mean of the later ones. ' +
      '"on the wire" is all that is not body per poll (h2: frame headers, control frames and TLS records too). Projection: the steady ' +
      'figure once a second per client, in Mbps of 2^20 bits as the article. client − server: both sides\' byte counts, which must be 0.',
    head: [
      'poll', 'header bytes: first', 'header bytes: steady', 'on the wire / poll',
      ...clientCounts.map((count) => `${formatNumber(count, 0)} clients`), 'client − server (B)',
    ],
    rows: rows.map((row) => {
      const replay = row.replay2009!;
      const how = replay.basis === 'article' ? ' (as the article counted)' : ' (HPACK)';
      return [
        transportLabel(row) + (row.http === '2' ? '' : ' · HTTP/1.1') + how + (row.incomplete ? ' (incomplete)' : ''),
        formatNumber(replay.firstBytesPerRequest, 1),
        formatNumber(replay.steadyBytesPerRequest, 1),
        formatNumber(replay.wireBytesPerRequest, 1),
        ...replay.projection.rows.map((projected) => `${formatMbps(projected.mebibitsPerSecond)} Mbps`),
        formatNumber(clientServerDifference(row), 0),
      ];
    }),
  };
}
