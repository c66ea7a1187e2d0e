/**
 * The report's tables as plain rows of text, shared by the HTML report, the
 * terminal summary and the dashboard. Pure: figures are read, not recomputed.
 */
import type { BenchResults, ScenarioResult, TransportResult } from '../../src/results/schema.ts';
import { TRANSPORT_LABELS, transportLabel } from './chart-spec.ts';
import { formatBytes, formatMbps, formatMs, formatNumber, formatPercent } from './format.ts';
import { formatPeerFigure, formatPeerRatio, formatPeerSpread, formatPeerVerdict, peerUnitOf } from '../peers/units.ts';

export interface Table {
  caption: string;
  head: string[];
  rows: string[][];
}

function label(row: TransportResult): string {
  return transportLabel(row);
}

/** A per-message figure where no message was delivered has no value: "—", not 0 (issue 13 item 5). */
export const NO_VALUE = '—';

/** Nothing delivered on any transport (the idle scenario): per-message figures and latency mean nothing. */
export function nothingDelivered(scenario: ScenarioResult): boolean {
  return scenario.transports.length > 0 && scenario.transports.every((row) => row.deliveries.received === 0);
}

/** "1 publisher", "2 publishers", "1,000 clients". */
export function plural(count: number, noun: string): string {
  return `${formatNumber(count, 0)} ${noun}${count === 1 ? '' : 's'}`;
}

/** Who did what in a scenario, in words: "40 clients · 1 publisher at 10 msg/s" or "nothing published". */
export function workloadText(scenario: ScenarioResult): string {
  const p = scenario.params;
  const publishing = p.publishers === 0
    ? 'nothing published'
    : `${plural(p.publishers, 'publisher')} at ${formatNumber(p.publishRatePerSecond, 2)} msg/s${p.publishers === 1 ? '' : ' each'}`;
  return `${plural(p.clients, 'client')} · ${publishing}`;
}

/** Bandwidth for 1k / 10k / 100k clients, from the measured bytes per client per second. */
export function projectionTable(scenario: ScenarioResult): Table {
  const clientCounts = scenario.transports[0]?.projection.rows.map((row) => row.clients) ?? [];
  return {
    caption:
      'Projected bandwidth of the whole fleet, bodies included: measured bytes per client per second × clients, in Mbps of 2^20 bits ' +
      '(the unit of the Quantum Leap article, whose 871-byte poll gives 6.6 / 66 / 665 Mbps).',
    head: ['transport', 'bytes / client / s', ...clientCounts.map((count) => `${formatNumber(count, 0)} clients`)],
    rows: scenario.transports.map((row) => [
      label(row),
      formatNumber(row.projection.bytesPerClientPerSecond, 1),
      ...row.projection.rows.map((projected) => `${formatMbps(projected.mebibitsPerSecond)} Mbps`),
    ]),
  };
}

/**
 * Headers alone, projected: the article's table counts only the request and
 * response heads of each poll. Null for files written before it existed.
 */
export function headerProjectionTable(scenario: ScenarioResult): Table | null {
  const rows = scenario.transports.filter((row) => row.headerProjection);
  if (rows.length === 0) return null;
  const clientCounts = rows[0].headerProjection?.projection.rows.map((row) => row.clients) ?? [];
  const article = rows.some((row) => row.headerProjection?.basis === 'article');
  return {
    caption:
      'Headers only (request + response heads), projected the same way: the Quantum Leap article\'s table counts nothing else ' +
      '(871 header characters per poll, once a second → 6.6 / 66 / 665 Mbps)' +
      (article ? '; "as the article counted" rows leave out the line ends, as its 871 did (the 2009 replay).' : '; bytes on the wire, line ends included.'),
    head: ['transport', 'requests / client / s', 'header bytes / request', ...clientCounts.map((count) => `${formatNumber(count, 0)} clients`)],
    rows: rows.map((row) => {
      const headers = row.headerProjection!;
      return [
        label(row) + (headers.basis === 'article' ? ' (as the article counted)' : ''),
        headers.requestsPerClientPerSecond.toFixed(2),
        headers.requestsPerClientPerSecond > 0 ? formatNumber(headers.bytesPerRequest, 1) : NO_VALUE,
        ...headers.projection.rows.map((projected) => `${formatMbps(projected.mebibitsPerSecond)} Mbps`),
      ];
    }),
  };
}

/**
 * What If-None-Match saves (`--conditional`): plain short polling next to its
 * conditional twin in the same scenario. An empty plain answer is a 200 with
 * `{"messages":[],"gaps":[],"cursor":"…","more":false}`; a conditional one is a
 * 304, headers only. Null unless the scenario has both rows.
 */
export function conditionalPollTable(scenario: ScenarioResult): Table | null {
  // One pair per HTTP version the run measured (`--http 1.1,2`): plain and conditional over the same version.
  const pairs = [undefined, '2' as const].flatMap((http) => {
    const plain = scenario.transports.find((row) => row.transport === 'poll' && row.variant === undefined && row.http === http);
    const conditional = scenario.transports.find((row) => row.transport === 'poll' && row.variant === 'conditional' && row.http === http);
    return plain && conditional ? [{ plain, conditional }] : [];
  });
  if (pairs.length === 0) return null;
  const perClientSecond = (row: TransportResult, value: number): number =>
    row.clients > 0 && row.durationSeconds > 0 ? value / row.clients / row.durationSeconds : 0;
  const down = (row: TransportResult): number => {
    const split = row.wire.down.client;
    return perClientSecond(row, split.headers + split.framing + split.bodies);
  };
  const up = (row: TransportResult): number => {
    const split = row.wire.up.client;
    return perClientSecond(row, split.headers + split.framing + split.bodies);
  };
  const saved = (plain: TransportResult, conditional: TransportResult, value: (row: TransportResult) => number): string => {
    const before = value(plain);
    const difference = before - value(conditional);
    return `${formatNumber(difference, 1)} (${before > 0 ? formatPercent(difference / before) : NO_VALUE})`;
  };
  const row = (r: TransportResult): string[] => [
    label(r) + (r.incomplete ? ' (incomplete)' : ''),
    perClientSecond(r, r.requests.total).toFixed(2),
    perClientSecond(r, r.requests.empty).toFixed(2),
    formatNumber(up(r), 1),
    formatNumber(down(r), 1),
    formatNumber(up(r) + down(r), 1),
  ];
  return {
    caption:
      'Conditional short polling against plain: an empty plain answer is a 200 with {"messages":[],"gaps":[],"cursor":"…","more":false}, ' +
      'a conditional one a 304 with headers only (the cursor goes up once, as If-None-Match, instead of in the query). ' +
      'Bytes per client per second on the clients\' sockets; "saved" is plain − conditional.',
    head: ['short poll', 'requests / client / s', 'empty / client / s', 'bytes up / client / s', 'bytes down / client / s', 'bytes / client / s'],
    rows: pairs.flatMap(({ plain, conditional }) => [
      row(plain),
      row(conditional),
      [
        plain.http === '2' ? 'saved · h2' : 'saved',
        '', '',
        saved(plain, conditional, up),
        saved(plain, conditional, down),
        saved(plain, conditional, (r) => up(r) + down(r)),
      ],
    ]),
  };
}

/** The textbook's latency next to the measured one, with the formula it came from. */
export function theoryTable(scenario: ScenarioResult): Table {
  const d = scenario.transports[0]?.theory.oneWayDelayMs ?? scenario.params.network.rttMs / 2;
  return {
    caption:
      `What theory predicts on this path (d = ${formatMs(d)} one way, each message up through the delay proxy and down again; ` +
      `T = ${formatMs(scenario.params.pollIntervalMs)}), next to what was measured. ` +
      'D and r are the hosts\' own terms, measured in the same run: D, the server\'s time to hand one message\'s copies to the sockets ' +
      '(a copy waits D/2 on average); r, a long-poll client\'s time from reading an answer to writing its next request.',
    head: ['transport', 'theory mean', 'measured mean', 'theory worst', 'measured p99', 'measured max', 'formula'],
    rows: scenario.transports.map((row) => {
      const measured = row.latency.count > 0;
      return [
        label(row),
        formatMs(row.theory.meanMs),
        measured ? formatMs(row.latency.mean) : NO_VALUE,
        `${row.theory.worstIsLowerBound ? '> ' : ''}${formatMs(row.theory.worstMs)}`,
        measured ? formatMs(row.latency.p99) : NO_VALUE,
        measured ? formatMs(row.latency.max) : NO_VALUE,
        row.theory.formula,
      ];
    }),
  };
}

/**
 * What waiting costs, for a scenario where nothing was delivered (`idle`):
 * requests, empty answers and bytes per client per second, and the
 * connections the server held.
 */
export function idleTable(scenario: ScenarioResult): Table | null {
  if (!nothingDelivered(scenario)) return null;
  const perClientSecond = (row: TransportResult, value: number): number =>
    row.clients > 0 && row.durationSeconds > 0 ? value / row.clients / row.durationSeconds : 0;
  return {
    caption: 'Nothing was published: what waiting costs, per client per second (both directions, counted on the clients\' sockets).',
    head: ['transport', 'requests / client / s', 'empty / client / s', 'bytes / client / s', 'header bytes / client / s', 'held connections (mean)', 'peak'],
    rows: scenario.transports.map((row) => [
      label(row) + (row.incomplete ? ' (incomplete)' : ''),
      perClientSecond(row, row.requests.total).toFixed(2),
      perClientSecond(row, row.requests.empty).toFixed(2),
      formatNumber(row.perClientPerSecond?.total ?? row.projection.bytesPerClientPerSecond, 1),
      row.perClientPerSecond ? formatNumber(row.perClientPerSecond.headers, 1) : NO_VALUE,
      formatNumber(row.server.connectionsMean, 1),
      formatNumber(row.server.connectionsPeak, 0),
    ]),
  };
}

/** The key figures of every transport of a scenario: the terminal's summary and the report's first table. */
export function summaryTable(scenario: ScenarioResult): Table {
  return {
    caption: `Key figures per transport (${workloadText(scenario)}); per-message columns are ${NO_VALUE} where nothing was delivered.`,
    head: ['transport', 'p50', 'p99', 'max', 'delivered', 'lost', 'dup', 'req/msg', 'bytes/msg', 'hdr/msg', 'conns', 'CPU s', 'client≠server'],
    rows: scenario.transports.map((row) => {
      const delivered = row.deliveries.received > 0;
      return [
        label(row) + (row.incomplete ? ' (incomplete)' : ''),
        // No delivery (the idle scenario): no latency to show, rather than a misleading 0.
        ...(row.latency.count === 0 ? [NO_VALUE, NO_VALUE, NO_VALUE] : [formatMs(row.latency.p50), formatMs(row.latency.p99), formatMs(row.latency.max)]),
        formatNumber(row.deliveries.received, 0),
        formatNumber(row.deliveries.lost, 0),
        formatNumber(row.deliveries.duplicated, 0),
        delivered ? formatNumber(row.perDelivery.requests, 2) : NO_VALUE,
        delivered ? formatBytes(row.perDelivery.total) : NO_VALUE,
        delivered ? formatBytes(row.perDelivery.headers) : NO_VALUE,
        formatNumber(row.server.connectionsPeak, 0),
        formatNumber(row.server.cpuSeconds, 2),
        formatPercent(Math.max(row.wire.up.relativeDifference, row.wire.down.relativeDifference), 1),
      ];
    }),
  };
}

/** A poll interval as a person says it: 250 ms, 1 s, 2.5 s. */
function formatInterval(ms: number): string {
  return ms < 1000 ? `${formatNumber(ms, 0)} ms` : `${formatNumber(ms / 1000, 2)} s`;
}

/**
 * The server's ceiling (`http-ceiling`): requests per second one process held
 * on each endpoint → how many short-polling clients at interval T the poll
 * figure serves. Null for a scenario without ceiling figures.
 */
export function ceilingTable(scenario: ScenarioResult): Table | null {
  const ceiling = scenario.ceiling;
  if (!ceiling) return null;
  const intervals = ceiling.pollClients.map((row) => row.intervalMs);
  return {
    caption:
      `Read each row left to right: the requests per second one server process answered on that endpoint (autocannon, ` +
      `${formatNumber(ceiling.connections, 0)} connections, ${formatNumber(ceiling.secondsPerEndpoint, 0)} s each), then — for the ` +
      `poll endpoint — how many short-polling clients asking once every T that rate serves (requests/s × T, before ` +
      `their publishes and the network take a share).`,
    head: ['endpoint', 'req/s', 'p50', 'p99', 'max', 'requests', 'errors', ...intervals.map((ms) => `clients at T = ${formatInterval(ms)}`)],
    rows: ceiling.endpoints.map((endpoint) => {
      const isPoll = endpoint.endpoint.startsWith('GET /api/poll');
      return [
        endpoint.endpoint,
        formatNumber(endpoint.requestsPerSecond, 1),
        formatMs(endpoint.latencyMs.p50),
        formatMs(endpoint.latencyMs.p99),
        formatMs(endpoint.latencyMs.max),
        formatNumber(endpoint.requests, 0),
        endpoint.errors + endpoint.non2xx > 0 ? `${formatNumber(endpoint.errors, 0)} + ${formatNumber(endpoint.non2xx, 0)} non-2xx` : '0',
        ...ceiling.pollClients.map((row) => (isPoll ? formatNumber(row.clients, 0) : '–')),
      ];
    }),
  };
}

/**
 * Ours ÷ reference (issue 5), each figure with its unit; the median of the
 * interleaved repeats with its spread and verdict (issue 12), "saturated"
 * with the reason instead of a ratio when the harness or the machine was
 * (issue 13), and the reason where a ratio is missing.
 */
export function peersTable(results: BenchResults): Table | null {
  if (!results.peers || results.peers.ratios.length === 0) return null;
  const repeats = results.peers.repeats;
  return {
    caption: 'Our figure ÷ the reference server\'s, measured side by side in this run' +
      `${repeats ? `, ${repeats} repeats interleaved (ours, reference, ours …): figures are medians, the ratio is the median of the per-repeat ratios and the spread their min–max` : ''}. ` +
      'Server CPU per operation (*) leads each group; throughput comes second. "not distinguishable": the spread is at least as wide as the gap to 1. ' +
      '"saturated": the load generator or other work on the machine set the pace, so no ratio is printed. A ratio is shown only when both sides completed with zero loss.',
    head: ['transport', 'metric', 'reference', 'ours', 'theirs', 'ours ÷ ref', 'spread', 'verdict', 'target', 'met'],
    rows: results.peers.ratios.map((ratio) => {
      const unit = peerUnitOf(ratio);
      return [
        TRANSPORT_LABELS[ratio.transport] ?? ratio.transport,
        `${ratio.headline ? '* ' : ''}${ratio.metric}`,
        ratio.reference,
        formatPeerFigure(ratio.ours, unit),
        formatPeerFigure(ratio.theirs, unit),
        ratio.saturated !== undefined ? `saturated: ${ratio.saturated}` : ratio.ratio === null ? `– (${ratio.reason ?? 'missing'})` : formatPeerRatio(ratio),
        formatPeerSpread(ratio),
        ratio.ratio === null ? '' : formatPeerVerdict(ratio),
        ratio.target ?? '',
        ratio.met === undefined || ratio.met === null ? '' : ratio.met ? 'yes' : 'no',
      ];
    }),
  };
}
