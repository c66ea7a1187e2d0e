/**
 * The report's tables as plain rows of text, shared by the HTML report, the
 * terminal summary and the dashboard. Pure: figures are read, not recomputed.
 */
import type { BenchResults, ScenarioResult, TransportResult } from '../schema.ts';
import { TRANSPORT_LABELS } from './chart-spec.ts';
import { formatBytes, formatMbps, formatMs, formatNumber, formatPercent } from './format.ts';
import { formatPeerFigure, formatPeerRatio, formatPeerSpread, formatPeerVerdict, peerUnitOf } from '../peers/units.ts';

export interface Table {
  caption: string;
  head: string[];
  rows: string[][];
}

function label(row: TransportResult): string {
  return TRANSPORT_LABELS[row.transport] ?? row.transport;
}

/** Bandwidth for 1k / 10k / 100k clients, from the measured bytes per client per second. */
export function projectionTable(scenario: ScenarioResult): Table {
  const clientCounts = scenario.transports[0]?.projection.rows.map((row) => row.clients) ?? [];
  return {
    caption:
      'Projected bandwidth of the whole fleet: measured bytes per client per second × clients, in Mbps of 2^20 bits ' +
      '(the unit of the Quantum Leap article, whose 871-byte poll gives 6.6 / 66 / 665 Mbps).',
    head: ['transport', 'bytes / client / s', ...clientCounts.map((count) => `${formatNumber(count, 0)} clients`)],
    rows: scenario.transports.map((row) => [
      label(row),
      formatNumber(row.projection.bytesPerClientPerSecond, 1),
      ...row.projection.rows.map((projected) => `${formatMbps(projected.mebibitsPerSecond)} Mbps`),
    ]),
  };
}

/** The textbook's latency next to the measured one. */
export function theoryTable(scenario: ScenarioResult): Table {
  return {
    caption: 'What theory predicts for this network delay and poll interval, next to what was measured.',
    head: ['transport', 'formula', 'theory mean', 'measured mean', 'theory worst', 'measured p99', 'measured max'],
    rows: scenario.transports.map((row) => [
      label(row),
      row.theory.formula,
      formatMs(row.theory.meanMs),
      formatMs(row.latency.mean),
      `${row.theory.worstIsLowerBound ? '> ' : ''}${formatMs(row.theory.worstMs)}`,
      formatMs(row.latency.p99),
      formatMs(row.latency.max),
    ]),
  };
}

/** The key figures of every transport of a scenario: the terminal's summary and the report's first table. */
export function summaryTable(scenario: ScenarioResult): Table {
  return {
    caption: `${scenario.name}: ${scenario.description}`,
    head: ['transport', 'p50', 'p99', 'max', 'delivered', 'lost', 'dup', 'req/msg', 'bytes/msg', 'hdr/msg', 'conns', 'CPU s', 'client≠server'],
    rows: scenario.transports.map((row) => [
      label(row) + (row.incomplete ? ' (incomplete)' : ''),
      // No delivery (the idle scenario): no latency to show, rather than a misleading 0.
      ...(row.latency.count === 0 ? ['–', '–', '–'] : [formatMs(row.latency.p50), formatMs(row.latency.p99), formatMs(row.latency.max)]),
      formatNumber(row.deliveries.received, 0),
      formatNumber(row.deliveries.lost, 0),
      formatNumber(row.deliveries.duplicated, 0),
      formatNumber(row.perDelivery.requests, 2),
      formatBytes(row.perDelivery.total),
      formatBytes(row.perDelivery.headers),
      formatNumber(row.server.connectionsPeak, 0),
      formatNumber(row.server.cpuSeconds, 2),
      formatPercent(Math.max(row.wire.up.relativeDifference, row.wire.down.relativeDifference), 1),
    ]),
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
