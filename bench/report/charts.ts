/**
 * The one chart module (issue 3 and 4): the bench's self-contained HTML report
 * and the web dashboard both call `chartConfigsFor()` and hand each config to
 * chart.js. Pure functions of a results file: no DOM, no chart.js at run time
 * (types only), no statistic recomputed — every figure is read from the file.
 * Configs are plain data (no callbacks), so they survive structuredClone and JSON.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { BenchResults, PerDelivery, ScenarioResult, TransportResult } from '../../src/results/schema.ts';
import { transportColor, transportLabel } from './chart-spec.ts';
import type { ChartSpec } from './chart-spec.ts';
import { seriesChart } from './series-charts.ts';

export { CHART_IDS, TRANSPORT_COLORS, TRANSPORT_LABELS } from './chart-spec.ts';
export type { ChartId, ChartSpec } from './chart-spec.ts';

const PART_COLORS = { headers: '#9467bd', framing: '#8c564b', bodies: '#17becf' };
const SHADES = ['#4e79a7', '#59a14f', '#f28e2b', '#e15759', '#76b7b2'];
const MIB = 1024 * 1024;

export function findScenario(results: BenchResults, scenario: string): ScenarioResult {
  const found = results.scenarios.find((candidate) => candidate.name === scenario);
  if (!found) {
    throw new Error(`no scenario "${scenario}" in run ${results.runId}: it has ${results.scenarios.map((s) => s.name).join(', ')}`);
  }
  return found;
}

/**
 * Every chart of one scenario, in reading order; none for a scenario with no
 * transport rows (`http-ceiling` is a table, an interrupted scenario has nothing to draw).
 */
export function chartConfigsFor(results: BenchResults, scenario: string): ChartSpec[] {
  const found = findScenario(results, scenario);
  const rows = found.transports;
  if (rows.length === 0) return [];
  // Nothing delivered (idle): no latency to draw — no empty charts, no "measured mean 0.000 ms".
  const delivered = rows.some((row) => row.deliveries.received > 0);
  return [
    ...(delivered ? [latencyChart(rows), theoryChart(rows)] : []),
    requestsChart(rows),
    bytesChart(rows),
    connectionsChart(rows),
    resourcesChart(rows),
    ...(delivered ? [seriesChart(rows, 'series-deliveries'), seriesChart(rows, 'series-latency')] : []),
    seriesChart(rows, 'series-bytes'),
    seriesChart(rows, 'series-event-loop'),
  ];
}

/** The chart ids drawn for a scenario (what the report and the dashboard put canvases for). */
export function chartIdsFor(results: BenchResults, scenario: string): string[] {
  return chartConfigsFor(results, scenario).map((spec) => spec.id);
}

/**
 * A log axis's tick label: only powers of ten are labelled, grouped and with
 * no trailing zeros ("0.001", "1", "1,000"), so labels never crowd or
 * overlap ("1,000" over "800") however many decades the axis spans.
 */
export function logTickLabel(value: number): string {
  if (!(value > 0)) return '';
  const exponent = Math.log10(value);
  if (Math.abs(exponent - Math.round(exponent)) > 1e-9) return '';
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/**
 * Gives every logarithmic axis of a config `logTickLabel` as its tick labels.
 * A callback cannot travel in the plain-data configs of `chartConfigsFor`, so
 * whoever draws a config calls this first (the report's page does; so should
 * the dashboard).
 */
export function withLogTickLabels<T extends ChartConfiguration>(config: T): T {
  const scales = (config.options as { scales?: Record<string, { type?: string; ticks?: Record<string, unknown> }> } | undefined)?.scales;
  for (const scale of Object.values(scales ?? {})) {
    if (scale.type !== 'logarithmic') continue;
    scale.ticks = { ...scale.ticks, autoSkip: false, callback: (value: number | string) => logTickLabel(Number(value)) };
  }
  return config;
}

/**
 * Per delivered message, unless nothing was delivered (the idle scenario):
 * then per client per second, the cost of waiting.
 */
interface Basis {
  kind: 'delivery' | 'client-second';
  unit: string;
}

function basisOf(rows: TransportResult[]): Basis {
  const nothingDelivered = rows.every((row) => row.deliveries.received === 0);
  return nothingDelivered && rows.every((row) => row.perClientPerSecond !== undefined)
    ? { kind: 'client-second', unit: 'per client per second' }
    : { kind: 'delivery', unit: 'per delivered message' };
}

function costOf(row: TransportResult, basis: Basis): PerDelivery {
  return basis.kind === 'client-second' && row.perClientPerSecond ? row.perClientPerSecond : row.perDelivery;
}

function labels(rows: TransportResult[]): string[] {
  return rows.map((row) => transportLabel(row));
}

function barOptions(
  yTitle: string,
  extra: { stacked?: boolean; logarithmic?: boolean; min?: number } = {},
): ChartConfiguration<'bar'>['options'] {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { position: 'bottom' } },
    scales: {
      x: { stacked: extra.stacked ?? false },
      y: {
        stacked: extra.stacked ?? false,
        type: extra.logarithmic ? 'logarithmic' : 'linear',
        beginAtZero: !extra.logarithmic,
        ...(extra.min === undefined ? {} : { min: extra.min }),
        title: { display: true, text: yTitle },
      },
    },
  };
}

/** Log scale when the tallest bar is over 20 × the shortest (poll vs WebSocket latency): linear would flatten the short ones. */
function wantsLog(values: number[]): boolean {
  const positive = values.filter((value) => value > 0);
  return positive.length > 1 && Math.max(...positive) / Math.min(...positive) > 20;
}

/**
 * Where a log axis starts: the power of ten at or below the smallest bar, so
 * that every bar rises from the axis (chart.js's automatic minimum can sit
 * above the shortest bar and hide it).
 */
function logAxisMin(values: number[]): number {
  const smallest = Math.min(...values.map((value) => Math.max(value, 0.001)));
  return 10 ** Math.floor(Math.log10(smallest));
}

/** A log axis cannot show 0: a sub-µs figure is drawn at 1 µs. */
function floorForLog(value: number, log: boolean): number {
  return log ? Math.max(value, 0.001) : value;
}

function latencyChart(rows: TransportResult[]): ChartSpec {
  const keys = [['p50', 'p50'], ['p90', 'p90'], ['p99', 'p99'], ['p999', 'p99.9'], ['max', 'max']] as const;
  const log = wantsLog(rows.flatMap((row) => keys.map(([key]) => row.latency[key])));
  const datasets: ChartDataset<'bar'>[] = keys.map(([key, label], i) => ({
    label,
    data: rows.map((row) => floorForLog(row.latency[key], log)),
    backgroundColor: SHADES[i],
  }));
  return {
    id: 'latency',
    title: 'Latency percentiles',
    caption: 'How long a message took from when it should have been published to when each recipient had it, per transport.',
    howToRead:
      'Each group is one transport; bars are the 50th, 90th, 99th and 99.9th percentiles and the maximum, in milliseconds' +
      (log ? ' on a logarithmic scale (equal steps up the axis are equal ratios, so 1 → 10 ms looks as tall as 100 → 1,000 ms)' : '') +
      '. Latency is measured from the scheduled send time, so a stalled server or client cannot hide. ' +
      'Short polling pays on average half its interval; the push transports pay the two network transits of the path (publisher up, subscriber down).',
    config: {
      type: 'bar',
      data: { labels: labels(rows), datasets },
      options: barOptions('milliseconds', log ? { logarithmic: true, min: logAxisMin(datasets.flatMap((d) => d.data as number[])) } : {}),
    },
  };
}

function theoryChart(rows: TransportResult[]): ChartSpec {
  const values = rows.flatMap((row) => [row.latency.mean, row.theory.meanMs, row.latency.max, row.theory.worstMs]);
  const log = wantsLog(values);
  const series: [string, (row: TransportResult) => number, string][] = [
    ['measured mean', (row) => row.latency.mean, '#4e79a7'],
    ['theory mean', (row) => row.theory.meanMs, '#a0cbe8'],
    ['measured max', (row) => row.latency.max, '#e15759'],
    ['theory worst', (row) => row.theory.worstMs, '#ff9d9a'],
  ];
  return {
    id: 'theory',
    title: 'Theory vs measured latency',
    caption: 'The textbook latency of each transport on this run\'s path (publisher up, subscriber down) next to what was measured.',
    howToRead:
      'Dark bars are measured, light bars are what theory predicts for the path each message takes: up from its publisher ' +
      'through the network (d) and down to each subscriber (d again). Short poll: mean T/2 + 2d, worst T + 2d (RFC 6202); ' +
      'long poll: about 2d, plus a wait for the re-issued request when a message reaches the server while the last answer ' +
      'is still travelling (worst over 4d); SSE and WebSocket: 2d. d is the one-way delay, T the poll interval; each row\'s ' +
      'formula is in the table below. Measured a few per cent above theory is the server\'s, the proxy\'s and the ' +
      'harness\'s own time; well above means a queue — or a busy machine.',
    config: {
      type: 'bar',
      data: {
        labels: labels(rows),
        datasets: series.map(([label, pick, color]) => ({ label, data: rows.map((row) => floorForLog(pick(row), log)), backgroundColor: color })),
      },
      options: barOptions('milliseconds', log ? { logarithmic: true, min: logAxisMin(values) } : {}),
    },
  };
}

function requestsChart(rows: TransportResult[]): ChartSpec {
  const basis = basisOf(rows);
  const perDelivery = basis.kind === 'delivery';
  return {
    id: 'requests',
    title: `HTTP requests ${basis.unit}`,
    caption: perDelivery
      ? 'How many HTTP requests each transport made for every message a client received.'
      : 'How many HTTP requests each client made per second while nothing was published.',
    howToRead: perDelivery
      ? 'Short polling asks "anything new?" on a timer, so many of its requests come back empty and this bar is tall when ' +
        'messages are rare. Long polling needs one request per response; SSE and WebSocket open one connection and then ' +
        'need no requests to receive (their bar counts the publishes and the initial connect).'
      : 'Nothing was delivered, so this is the pure cost of waiting: short polling still asks once per interval, long ' +
        'polling once per wait timeout, SSE and WebSocket not at all after connecting.',
    config: {
      type: 'bar',
      data: {
        labels: labels(rows),
        datasets: [{
          label: `requests ${basis.unit}`,
          data: rows.map((row) => costOf(row, basis).requests),
          backgroundColor: rows.map((row) => transportColor(row)),
        }],
      },
      options: { ...barOptions('requests'), plugins: { legend: { display: false } } },
    },
  };
}

function bytesChart(rows: TransportResult[]): ChartSpec {
  const parts = ['headers', 'framing', 'bodies'] as const;
  const basis = basisOf(rows);
  return {
    id: 'bytes',
    title: `Bytes on the wire ${basis.unit}`,
    caption: basis.kind === 'delivery'
      ? 'What one delivered message cost in bytes, both directions, split into HTTP headers, framing and message bodies.'
      : 'What one waiting client cost in bytes per second, both directions, split into HTTP headers, framing and bodies.',
    howToRead:
      'Each bar is stacked: purple is HTTP headers (request and status lines included), brown is framing (chunked encoding, ' +
      'SSE field names, WebSocket frame headers), teal is message bodies (for an empty poll, its empty JSON answer). ' +
      'The messages are the same for every transport; everything above them is the price of the transport. ' +
      'Counted on the clients\' sockets.',
    config: {
      type: 'bar',
      data: {
        labels: labels(rows),
        datasets: parts.map((part) => ({
          label: part,
          data: rows.map((row) => costOf(row, basis)[part]),
          backgroundColor: PART_COLORS[part],
        })),
      },
      options: barOptions(`bytes ${basis.unit}`, { stacked: true }),
    },
  };
}

function connectionsChart(rows: TransportResult[]): ChartSpec {
  return {
    id: 'connections',
    title: 'Server connections',
    caption: 'How many sockets the server held open, at the peak and on average over the run.',
    howToRead:
      'WebSocket and SSE hold one connection per client for the whole run. Long polling holds one (plus one for ' +
      'publishing) while a request waits. Short polling with keep-alive reuses its connection, but the server sees ' +
      'a request on it every interval.',
    config: {
      type: 'bar',
      data: {
        labels: labels(rows),
        datasets: [
          { label: 'peak', data: rows.map((row) => row.server.connectionsPeak), backgroundColor: '#4e79a7' },
          { label: 'mean', data: rows.map((row) => row.server.connectionsMean), backgroundColor: '#a0cbe8' },
        ],
      },
      options: barOptions('open connections'),
    },
  };
}

function resourcesChart(rows: TransportResult[]): ChartSpec {
  const options = barOptions('server CPU seconds');
  return {
    id: 'resources',
    title: 'Server CPU and memory',
    caption: 'The server process\'s CPU time over the run and its peak resident memory, per transport.',
    howToRead:
      'Left axis: CPU seconds the server spent (user + system) for the same workload; right axis: its peak RSS in MiB. ' +
      'Every request costs CPU whether or not it carries a message, so short polling at a fast interval shows here.',
    config: {
      type: 'bar',
      data: {
        labels: labels(rows),
        datasets: [
          { label: 'server CPU (s)', data: rows.map((row) => row.server.cpuSeconds), backgroundColor: '#f28e2b', yAxisID: 'y' },
          { label: 'peak RSS (MiB)', data: rows.map((row) => row.server.peakRssBytes / MIB), backgroundColor: '#76b7b2', yAxisID: 'y1' },
        ],
      },
      options: {
        ...options,
        scales: {
          ...options?.scales,
          y1: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'MiB' } },
        },
      },
    },
  };
}
