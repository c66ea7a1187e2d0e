/**
 * Turns what one transport run collected (worker reports, stats snapshots,
 * ticks) into its `TransportResult`, with the aggregate stage's math.
 */
import type { StatsSnapshot, TransportName } from '../../src/protocol/index.ts';
import {
  addSplits,
  bytesPerClientPerSecond,
  LatencyHistogram,
  perClientPerSecond,
  perDelivery,
  projectBandwidth,
  ratio,
  splitTotal,
  subtractSplits,
  sumDeliveries,
  theoryLatency,
  type DeliveryTally,
  type TheoryPublisher,
  wireDirection,
  zeroSplit,
} from '../aggregate/index.ts';
import { addH2Counters, emptyH2Counters, http2Figures } from '../aggregate/h2.ts';
import { replay2009Figures } from '../aggregate/replay-2009.ts';
import type { RunError, ServerFigures, TransportResult } from '../../src/results/schema.ts';
import type { WorkloadSettings } from '../scenarios/types.ts';
import type { WorkerCounters } from './ipc.ts';
import { SeriesBuilder } from './series.ts';
import { ServerFailure } from './server-process.ts';
import type { StatsSample } from './stats-sampler.ts';

export interface Collected {
  transport: TransportName;
  settings: WorkloadSettings;
  clients: number;
  workers: number;
  startNs: bigint;
  endNs: bigint;
  counters: WorkerCounters[];
  tallies: DeliveryTally[];
  /** Encoded worker histograms; empty when the run was cut short (then the ticks' are used). */
  latencies: string[];
  harnessCpuMicros: number;
  baseline: StatsSnapshot | undefined;
  final: StatsSnapshot | undefined;
  samples: StatsSample[];
  series: SeriesBuilder;
  errors: RunError[];
  incomplete: boolean;
  /** poll, longpoll or sse over HTTP/2 (`--http 2`, `2-tls`): the theory's path has no six-connection waves. */
  http2?: boolean;
  /** h2 over TLS (`--http 2-tls`): the h2 section says so and counts the TLS record overhead. */
  tls?: boolean;
  /** The publishers one subscriber hears from (the theory's path); absent = one publisher at 1 msg/s. */
  heard?: TheoryPublisher[];
  /** The clients polled with the 2009 article's request (bench/sim/replay-poll.ts): the row gets `replay2009`. */
  replay2009?: boolean;
}

/** Connections the server holds across all transports (the stats requests are under `other`). */
export function serverConnections(snapshot: StatsSnapshot): number {
  return Object.values(snapshot.transports).reduce((sum, transport) => sum + transport.openConnections, 0);
}

function cpuMicros(snapshot: StatsSnapshot): number {
  return snapshot.process.cpuUserMicros + snapshot.process.cpuSystemMicros;
}

export function assembleTransport(run: Collected): TransportResult {
  const seconds = Math.max(0, Number(run.endNs - run.startNs) / 1e9);
  const up = addSplits(...run.counters.map((counters) => counters.up));
  const down = addSplits(...run.counters.map((counters) => counters.down));
  const requests = run.counters.reduce((sum, counters) => sum + counters.requests, 0);
  const empty = run.counters.reduce((sum, counters) => sum + counters.emptyResponses, 0);
  const h2Counters = run.counters.flatMap((counters) => (counters.h2 ? [counters.h2] : []));
  const h2 = h2Counters.length === 0 ? undefined : h2Counters.reduce((sum, more) => (addH2Counters(sum, more), sum), emptyH2Counters());

  const latency = new LatencyHistogram();
  if (run.latencies.length > 0) for (const encoded of run.latencies) latency.merge(LatencyHistogram.decode(encoded));
  else latency.merge(run.series.mergedLatency());

  const deliveries = sumDeliveries(run.tallies);
  const received = deliveries.received;
  let serverUp = zeroSplit();
  let serverDown = zeroSplit();
  if (run.baseline && run.final) {
    serverUp = subtractSplits(run.final.transports[run.transport].bytesIn, run.baseline.transports[run.transport].bytesIn);
    serverDown = subtractSplits(run.final.transports[run.transport].bytesOut, run.baseline.transports[run.transport].bytesOut);
  } else {
    run.errors.push({ source: 'server', message: 'no server stats for this run: the server-side byte counts are zero' });
  }
  const lineEnds = run.counters.reduce((sum, counters) => sum + (counters.headerLineEnds ?? 0), 0);
  const headerBytes = up.headers + down.headers - lineEnds;
  const window = run.samples.filter((sample) => sample.atNs >= run.startNs && sample.atNs <= run.endNs);
  const totalBytes = splitTotal(up) + splitTotal(down);
  const perClient = bytesPerClientPerSecond(totalBytes, run.clients, seconds);

  return {
    transport: run.transport,
    ...(h2 ? { http: '2' as const, http2: http2Figures(h2, requests, run.tls === true ? 'tls' : 'h2c') } : {}),
    incomplete: run.incomplete,
    errors: run.errors,
    durationSeconds: seconds,
    clients: run.clients,
    latency: latency.summary(),
    deliveries,
    requests: { total: requests, empty },
    wire: { up: wireDirection(up, serverUp), down: wireDirection(down, serverDown) },
    perDelivery: perDelivery(requests, up, down, received),
    perClientPerSecond: perClientPerSecond(requests, up, down, run.clients, seconds),
    server: serverFigures(window, run.baseline, run.final),
    harness: {
      processes: run.workers,
      cpuSeconds: run.harnessCpuMicros / 1e6,
      cpuMicrosPerDelivery: ratio(run.harnessCpuMicros, received),
    },
    series: run.series.build(run.startNs, run.samples, (sample) => serverConnections(sample.snapshot)),
    projection: projectBandwidth(perClient),
    headerProjection: {
      basis: lineEnds > 0 ? 'article' : 'wire',
      requestsPerClientPerSecond: ratio(requests, run.clients * seconds),
      bytesPerRequest: ratio(headerBytes, requests),
      projection: projectBandwidth(bytesPerClientPerSecond(headerBytes, run.clients, seconds)),
    },
    theory: theoryLatency(run.transport, run.settings.network.rttMs / 2, run.settings.pollIntervalMs, run.heard, {
      http2: run.http2 === true,
      ...measuredHostTerms(run),
    }),
    ...(run.replay2009 === true && requests > 0
      ? { replay2009: replay2009Figures({ requests, headBytes: up.headers + down.headers, lineEnds, ...(h2 ? { h2 } : {}) }) }
      : {}),
  };
}

/**
 * The theory's measured terms (bench/aggregate/theory.ts): D, the server's
 * mean hand-out of one message over the run (its bus's figures, final less
 * baseline), and r, the long-poll clients' mean turnaround.
 */
function measuredHostTerms(run: Collected): { fanoutMs?: number; reissueMs?: number } {
  const terms: { fanoutMs?: number; reissueMs?: number } = {};
  const fanouts = (run.final?.bus.fanouts ?? 0) - (run.baseline?.bus.fanouts ?? 0);
  if (run.baseline && run.final && fanouts > 0) terms.fanoutMs = (run.final.bus.fanoutMicros - run.baseline.bus.fanoutMicros) / fanouts / 1000;
  const reissues = run.counters.reduce((sum, counters) => sum + (counters.reissues ?? 0), 0);
  const reissueMicros = run.counters.reduce((sum, counters) => sum + (counters.reissueMicros ?? 0), 0);
  if (reissues > 0) terms.reissueMs = reissueMicros / reissues / 1000;
  return terms;
}

function serverFigures(window: StatsSample[], baseline: StatsSnapshot | undefined, final: StatsSnapshot | undefined): ServerFigures {
  const snapshots = [...window.map((sample) => sample.snapshot), ...(final ? [final] : [])];
  const connections = snapshots.map(serverConnections);
  const delays = snapshots.map((snapshot) => snapshot.process.eventLoopDelayMs);
  return {
    connectionsPeak: connections.length ? Math.max(...connections) : 0,
    connectionsMean: connections.length ? connections.reduce((a, b) => a + b, 0) / connections.length : 0,
    cpuSeconds: baseline && final ? (cpuMicros(final) - cpuMicros(baseline)) / 1e6 : 0,
    peakRssBytes: snapshots.length ? Math.max(...snapshots.map((snapshot) => snapshot.process.rssBytes)) : 0,
    eventLoopDelayMs: {
      mean: delays.length ? delays.reduce((sum, delay) => sum + delay.mean, 0) / delays.length : 0,
      p50: delays.length ? delays.reduce((sum, delay) => sum + (delay.p50 ?? 0), 0) / delays.length : 0,
      p99: delays.length ? Math.max(...delays.map((delay) => delay.p99)) : 0,
      max: delays.length ? Math.max(...delays.map((delay) => delay.max)) : 0,
    },
  };
}

/** The result of a transport run that could not start (the server or a worker failed): zeros, marked incomplete, and why. */
export function failedTransport(transport: TransportName, settings: WorkloadSettings, clients: number, error: unknown): TransportResult {
  const now = process.hrtime.bigint();
  const reason: RunError =
    error instanceof ServerFailure
      ? { source: 'server', message: error.message, output: error.output }
      : { source: 'bench', message: error instanceof Error ? error.message : String(error) };
  return assembleTransport({
    transport,
    settings,
    clients,
    workers: 0,
    startNs: now,
    endNs: now,
    counters: [],
    tallies: [],
    latencies: [],
    harnessCpuMicros: 0,
    baseline: undefined,
    final: undefined,
    samples: [],
    series: new SeriesBuilder(),
    errors: [reason],
    incomplete: true,
  });
}
