/**
 * The results file format: `results/<run-id>.json`, written by the bench,
 * read by the HTML report and the web dashboard (which never recompute a
 * statistic: every figure they show is in here). STYLE habit 7: results
 * describe themselves — context, the config used, then the figures.
 *
 * Its own folder because both sides read it: the bench writes it, the lab
 * server (src/lab) and the web app read it; `validate.ts` tells a usable file
 * from a bad one.
 *
 * Units: latency in milliseconds, bytes in bytes, time in seconds unless a
 * field's name says otherwise. Bump SCHEMA_VERSION on any breaking change.
 */
import type { ByteSplit, TransportName } from '../protocol/index.ts';
import type { AbuseResult } from './abuse.ts';
import type { ClusterResult } from './cluster.ts';
import type { FaultsResult } from './faults.ts';
import type { Http2Figures } from './http2.ts';
import type { Replay2009Figures } from './replay-2009.ts';
import type { PeersResult } from './peers.ts';
import type { BenchConfig, RunContext, ScenarioParams } from './run-config.ts';
import type { RunError } from './run-error.ts';

export type { AbuseResult, ByteSplit, RunError, TransportName };
export type * from './http2.ts';
export type * from './replay-2009.ts';
export type * from './peers.ts';
export type * from './sticky.ts';
export type * from './cluster.ts';
export type * from './run-config.ts';

export const SCHEMA_VERSION = 1;

export interface LatencySummary {
  /** Deliveries recorded. */
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface DeliveryCounts {
  /** (topic, seq, recipient) triples that should have arrived. */
  expected: number;
  /** Distinct expected triples that did arrive. */
  received: number;
  lost: number;
  /** Arrivals of a triple already received. */
  duplicated: number;
  /** Arrivals with a seq lower than one the recipient already had on that topic. */
  outOfOrder: number;
  /** Gap records the clients reported. */
  gaps: number;
  /** First arrivals of a triple nobody expected (e.g. a message from before the measured phase). */
  unexpected: number;
}

export interface RequestCounts {
  /** HTTP requests made by the receive and send paths (ws: upgrades). */
  total: number;
  /** Receive requests answered with no message and no gap. */
  empty: number;
}

/** Bytes moved in one direction, and how the two counts compare. */
export interface WireDirection {
  /** Counted on the clients' sockets. */
  client: ByteSplit;
  /** Counted by the server (`/api/stats`, difference of two snapshots). */
  server: ByteSplit;
  /** client − server, per part. */
  difference: ByteSplit;
  /** |total difference| ÷ client total (0 when both are 0). */
  relativeDifference: number;
}

export interface WireFigures {
  /** Client → server. */
  up: WireDirection;
  /** Server → client. */
  down: WireDirection;
}

/** Figures divided by the messages delivered (what one delivery costs). */
export interface PerDelivery {
  requests: number;
  /** Up + down, client-side counts. */
  headers: number;
  framing: number;
  bodies: number;
  total: number;
}

/**
 * Figures per client per second: the cost of simply being connected, which is
 * what matters where nothing is delivered (the idle scenario).
 */
export interface PerClientPerSecond {
  requests: number;
  headers: number;
  framing: number;
  bodies: number;
  total: number;
}

export interface ServerFigures {
  connectionsPeak: number;
  connectionsMean: number;
  cpuSeconds: number;
  peakRssBytes: number;
  /** How late the server's event loop ran beyond the monitor's timer interval; p50 absent in older files. */
  eventLoopDelayMs: { mean: number; p50?: number; p99: number; max: number };
}

export interface HarnessFigures {
  processes: number;
  cpuSeconds: number;
  /** The harness's own CPU per delivery: a harness bottleneck shows here. */
  cpuMicrosPerDelivery: number;
}

/** One second of a run (t = seconds since the measured phase began). */
export interface SeriesPoint {
  t: number;
  deliveries: number;
  requests: number;
  bytesUp: number;
  bytesDown: number;
  headerBytes: number;
  connections: number;
  /** Server CPU over that second, in % of one core. */
  serverCpuPercent: number;
  serverRssBytes: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /**
   * The server's event-loop delay p99 as its `/api/stats` sample at the end of
   * that second reported it (the server summarises over its last complete 10 s
   * window, so this is a smoothed line, not that second alone); null when no
   * sample had it. Absent in files written before it existed.
   */
  eventLoopDelayP99Ms?: number | null;
}

export interface ProjectionRow {
  clients: number;
  bytesPerSecond: number;
  /** Bits per second ÷ 10^6. */
  megabitsPerSecond: number;
  /** Bits per second ÷ 2^20 — the unit of the Quantum Leap article's table. */
  mebibitsPerSecond: number;
}

/** Bandwidth for many clients, from the measured bytes per client per second. */
export interface Projection {
  bytesPerClientPerSecond: number;
  rows: ProjectionRow[];
}

/**
 * Header bytes alone, per client per second, projected like the whole
 * traffic: the Quantum Leap article's table counts headers only (871
 * characters per poll → 6.6 / 66 / 665 Mbps).
 */
export interface HeaderProjection {
  /**
   * `article`: header characters without their line ends, as the article
   * counted (the 2009 replay, whose client wrote and parsed the heads itself);
   * `wire`: header bytes on the wire, line ends included.
   */
  basis: 'article' | 'wire';
  requestsPerClientPerSecond: number;
  /** Request + response head per request, on that basis. */
  bytesPerRequest: number;
  projection: Projection;
}

export type TheoryModel = 'short-poll' | 'long-poll' | 'push';

/** What the textbook predicts for a transport's latency (RFC 6202 for long polling). */
export interface TheoryLatency {
  model: TheoryModel;
  oneWayDelayMs: number;
  pollIntervalMs?: number;
  meanMs: number;
  worstMs: number;
  /** True when worstMs is a lower bound ("worst > 3d"). */
  worstIsLowerBound: boolean;
  formula: string;
  /**
   * The hosts' terms the theory used, measured in the same run (ms):
   * `fanoutMs` = D, the server's time to hand one message's copies to the
   * sockets (a copy waits D/2 on average: push and held long polls);
   * `reissueMs` = r, a long-poll client's time from reading an answer to
   * writing its next request. Absent where not measured or not used.
   */
  fanoutMs?: number;
  reissueMs?: number;
}

export interface TransportResult {
  transport: TransportName;
  /**
   * `conditional`: short polling with the cursor as If-None-Match and 304 when
   * nothing is new (`--conditional`), measured next to plain `poll`. Absent
   * for a transport as it is. `compressed` (`--compression`): the transport
   * with the server's compression on and its clients accepting it (gzip for
   * HTTP, permessage-deflate for ws), measured next to the plain row.
   */
  variant?: 'conditional' | 'compressed';
  /**
   * `2`: measured over HTTP/2 (`--http 2`: cleartext h2, one session per
   * client; ws stays on HTTP/1.1 and never carries it). Absent: HTTP/1.1.
   */
  http?: '2';
  /** `--http 2-tls` rows: h2 over TLS (ALPN), so TLS record overhead is on the wire too. Absent: cleartext. */
  tls?: true;
  /** `--http 2` rows only: the clients' h2 sessions frame by frame. */
  http2?: Http2Figures;
  incomplete: boolean;
  errors: RunError[];
  /** Length of the measured phase. */
  durationSeconds: number;
  clients: number;
  latency: LatencySummary;
  deliveries: DeliveryCounts;
  requests: RequestCounts;
  wire: WireFigures;
  perDelivery: PerDelivery;
  /** Optional for files written before it existed; the charts fall back to perDelivery. */
  perClientPerSecond?: PerClientPerSecond;
  server: ServerFigures;
  harness: HarnessFigures;
  series: SeriesPoint[];
  projection: Projection;
  /** Absent in files written before it existed. */
  headerProjection?: HeaderProjection;
  /** The 2009 replay's rows only (short polling with the article's request): its header bytes, as the article projected them. */
  replay2009?: Replay2009Figures;
  theory: TheoryLatency;
}

/** One endpoint driven as hard as autocannon can by the `http-ceiling` scenario. */
export interface CeilingEndpoint {
  /** e.g. "GET /api/poll". */
  endpoint: string;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  errors: number;
  non2xx: number;
}

/** What one server process holds (`http-ceiling`, issue 3: "the server's ceiling"). */
export interface CeilingFigures {
  /** autocannon connections held open against each endpoint. */
  connections: number;
  secondsPerEndpoint: number;
  endpoints: CeilingEndpoint[];
  /** How many short-polling clients the poll figure serves at each interval: ⌊requests/s × T⌋. */
  pollClients: { intervalMs: number; clients: number }[];
}

export interface ScenarioResult {
  name: string;
  /** One sentence: what the workload is and what it shows. */
  description: string;
  params: ScenarioParams;
  incomplete: boolean;
  errors: RunError[];
  /** Empty for scenarios with their own runner (`http-ceiling`). */
  transports: TransportResult[];
  /** The `http-ceiling` scenario's figures. */
  ceiling?: CeilingFigures;
}

export interface BenchResults {
  schemaVersion: typeof SCHEMA_VERSION;
  /** e.g. "2026-11-22T02-30-00Z-quick"; the file is `results/<runId>.json`. */
  runId: string;
  /** True when the run was interrupted (Ctrl-C, a dead server): the figures are what was measured. */
  incomplete: boolean;
  context: RunContext;
  config: BenchConfig;
  scenarios: ScenarioResult[];
  peers?: PeersResult;
  /** The `abuse` scenario (issue 8): per attack, the legitimate attendee's latency and the server's peak RSS. */
  abuse?: AbuseResult;
  /** The `faults` scenario (issue 11 item 5): per transport and fault, time to notice and to reconnect, recovery cost, delivery. */
  faults?: FaultsResult;
  /** The `cluster` scenario (issue 10): in-memory vs Redis vs two nodes behind nginx — the hop's latency, cost per delivery, a projection, a failover. */
  cluster?: ClusterResult;
  errors: RunError[];
}

/** `results/latest.json`: points at the newest run's file, relative to results/. */
export interface LatestPointer {
  latest: string;
  runId: string;
  date: string;
}
