/**
 * What a chart of the shared chart module is (a spec the HTML report and the
 * dashboard hand to chart.js), its ids, and how each transport looks in every
 * chart and table of the lab.
 */
import type { ChartConfiguration } from 'chart.js';
import type { TransportName } from '../../src/results/schema.ts';

export interface ChartSpec {
  /** Stable id, e.g. "latency"; the HTML report and the dashboard key canvases on it. */
  id: ChartId;
  title: string;
  /** One sentence: what the chart shows. */
  caption: string;
  /** A few sentences: how to read it, and what to look for. */
  howToRead: string;
  config: ChartConfiguration;
}

export const CHART_IDS = [
  'latency', 'theory', 'requests', 'bytes', 'connections', 'resources', 'series-deliveries', 'series-latency', 'series-bytes',
  'series-event-loop',
] as const;
export type ChartId = (typeof CHART_IDS)[number];

/** One colour per transport, the same everywhere in the lab. */
export const TRANSPORT_COLORS: Record<TransportName, string> = {
  poll: '#d62728',
  longpoll: '#ff7f0e',
  sse: '#1f77b4',
  ws: '#2ca02c',
};

export const TRANSPORT_LABELS: Record<TransportName, string> = {
  poll: 'short poll',
  longpoll: 'long poll',
  sse: 'SSE',
  ws: 'WebSocket',
};

/** A result row as the report names it: a transport, or its variant (`--conditional`), over HTTP/1.1 or h2 (`--http 2`). */
export interface LabelledRow {
  transport: TransportName;
  variant?: 'conditional' | 'compressed';
  http?: '2';
  tls?: true;
}

/** Rows over h2: the same hue, darker, so a chart pairs each transport's HTTP/1.1 and h2 rows by eye. */
const H2_COLORS: Record<TransportName, string> = {
  poll: '#8c1a1b',
  longpoll: '#a65509',
  sse: '#124a73',
  ws: '#1b6b1b',
};
const H2_CONDITIONAL_COLOR = '#c06060';

/** The conditional short poll: its own label and colour (a lighter red), next to plain polling. */
const CONDITIONAL_LABEL = 'short poll (If-None-Match)';
const CONDITIONAL_COLOR = '#f4a6a6';

/** A compressed row (`--compression`): the transport's label with what compresses it. */
const COMPRESSED_SUFFIX: Record<TransportName, string> = {
  poll: ' (gzip)',
  longpoll: ' (gzip)',
  sse: ' (gzip)',
  ws: ' (deflate)',
};

export function transportLabel(row: LabelledRow): string {
  const base = TRANSPORT_LABELS[row.transport] ?? row.transport;
  const name = row.variant === 'conditional' ? CONDITIONAL_LABEL
    : row.variant === 'compressed' ? `${base}${COMPRESSED_SUFFIX[row.transport]}`
    : base;
  return row.http === '2' ? `${name} · h2${row.tls ? ' TLS' : ''}` : name;
}

export function transportColor(row: LabelledRow): string {
  const h2 = row.http === '2';
  if (row.variant === 'conditional') return h2 ? H2_CONDITIONAL_COLOR : CONDITIONAL_COLOR;
  const color = h2 ? H2_COLORS[row.transport] : TRANSPORT_COLORS[row.transport];
  // A compressed row: its transport's colour (the h2 shade over h2), half transparent (#rrggbbaa), so the pair reads as one transport.
  return row.variant === 'compressed' ? `${color}88` : color;
}
