/**
 * The per-second line charts of the shared chart module (charts.ts): one line
 * per transport over the seconds of the measured phase.
 */
import type { ChartDataset } from 'chart.js';
import type { SeriesPoint, TransportResult } from '../../src/results/schema.ts';
import { transportColor, transportLabel } from './chart-spec.ts';
import type { ChartSpec } from './chart-spec.ts';

export type SeriesId = 'series-deliveries' | 'series-latency' | 'series-bytes' | 'series-event-loop';

const SERIES: Record<SeriesId, {
  title: string;
  caption: string;
  howToRead: string;
  yTitle: string;
  pick: (point: SeriesPoint) => number | null;
}> = {
  'series-deliveries': {
    title: 'Deliveries per second',
    caption: 'Messages received by all clients in each second of the run, per transport.',
    howToRead: 'A flat line at the publish rate × recipients is a transport keeping up; dips and catch-up spikes are queues forming.',
    yTitle: 'deliveries / s',
    pick: (point) => point.deliveries,
  },
  'series-latency': {
    title: '99th-percentile latency per second',
    caption: 'The latency that 99 % of the messages of each second stayed under, per transport.',
    howToRead:
      'A line that climbs during the run is a backlog growing; a flat one is a transport in a steady state. ' +
      'Seconds with no delivery have no point.',
    yTitle: 'p99 latency (ms)',
    pick: (point) => point.latencyP99Ms,
  },
  'series-bytes': {
    title: 'Wire traffic per second',
    caption: 'Kibibytes per second on the clients\' sockets, both directions, in each second of the run.',
    howToRead: 'With nothing to say, polling still costs bytes every interval while an idle WebSocket or SSE stream costs almost none.',
    yTitle: 'KiB / s',
    pick: (point) => (point.bytesUp + point.bytesDown) / 1024,
  },
  'series-event-loop': {
    title: 'Server event-loop delay',
    caption: 'The 99th-percentile delay of the server\'s event loop as its stats reported it at each second, per transport.',
    howToRead:
      'How late the server ran its callbacks, beyond the monitor\'s own 10 ms timer (which the server subtracts), so an ' +
      'idle loop reads under a millisecond and whatever shows, every request and message waited in the queue. (Files ' +
      'written before issue 13 counted the 10 ms in.) The ' +
      'server summarises over its last complete 10-second window, so the line is smoothed and lags a stall. ' +
      'No line: the results were written before this was recorded.',
    yTitle: 'event-loop delay p99 (ms)',
    pick: (point) => point.eventLoopDelayP99Ms ?? null,
  },
};

export function seriesChart(rows: TransportResult[], id: SeriesId): ChartSpec {
  const series = SERIES[id];
  const datasets: ChartDataset<'line'>[] = rows.map((row) => ({
    label: transportLabel(row),
    data: row.series.map((point) => ({ x: point.t, y: series.pick(point) })),
    borderColor: transportColor(row),
    backgroundColor: transportColor(row),
    pointRadius: 0,
    borderWidth: 2,
    tension: 0,
    spanGaps: false,
  }));
  return {
    id,
    title: series.title,
    caption: series.caption,
    howToRead: series.howToRead,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        plugins: { legend: { position: 'bottom' } },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'seconds into the run' } },
          y: { beginAtZero: true, title: { display: true, text: series.yTitle } },
        },
      },
    },
  };
}
