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
import type { FaultsResult } from './faults.ts';
import type { RunError } from './run-error.ts';
import type { NetworkConditions } from '../net/conditions.ts';

export type { AbuseResult, ByteSplit, RunError, TransportName };

export const SCHEMA_VERSION = 1;

/** Where and when the run happened. */
export interface RunContext {
  /** `process.version`, e.g. "v20.19.5". */
  node: string;
  /** `${os.type()} ${os.release()} ${os.arch()}`. */
  os: string;
  cpuModel: string;
  cores: number;
  /** `git rev-parse HEAD`, null outside a checkout; `dirty` when the tree had changes. */
  commit: string | null;
  dirty?: boolean;
  /** ISO 8601 start time of the run. */
  date: string;
  /** Whether the server and client processes were pinned to cores (`--pin`). */
  pinned: boolean;
  /** Free text, e.g. "2 vCPU shared VM". */
  machine?: string;
}

/** A network profile as used by the run (see src/net/profiles.ts). */
export interface NetworkConfig {
  name: string;
  rttMs: number;
  /** Bytes per second per direction per connection; absent = unlimited. */
  bandwidthBytesPerSecond?: number;
  /** Jitter, stalls, cuts, idle drop (src/net/conditions.ts); absent = a fixed delay only. */
  conditions?: NetworkConditions;
  /** The conditions on one line, as the report prints them. */
  description?: string;
}

/** The full configuration of the run, as resolved from defaults and flags. */
export interface BenchConfig {
  scenarios: string[];
  transports: TransportName[];
  clients: number;
  /** Messages per second per publisher. */
  publishRatePerSecond: number;
  durationSeconds: number;
  warmupSeconds: number;
  bodyBytes: number;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
  network: NetworkConfig;
  /** A header profile name of bench/headers (`minimal`, `browser`, …). */
  headers: string;
  quick: boolean;
  pin: boolean;
  clientProcesses: number;
  /** The command line, for the record. */
  argv: string[];
  /** `--http`: the HTTP versions the HTTP transports ran over; absent = HTTP/1.1 only. */
  http?: ('1.1' | '2' | '2-tls')[];
  /** Anything else the runner wants to keep with the config. */
  extra?: Record<string, unknown>;
}

/** What one scenario asked of every transport. */
export interface ScenarioParams {
  clients: number;
  publishers: number;
  /** Messages per second per publisher. */
  publishRatePerSecond: number;
  durationSeconds: number;
  bodyBytes: number;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
  /** `burst`: messages published at once per burst. */
  burstSize?: number;
  network: NetworkConfig;
  headers: string;
}

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
  theory: TheoryLatency;
}

/** One direction of the h2 sessions, by what the bytes carry (src/net/h2-frames.ts), over the measured phase. */
export interface Http2Direction {
  /** The connection preface (24 bytes, client → server, once per session). */
  preface: number;
  /** 9 bytes per frame, whatever its type. */
  frameHeaders: number;
  /** HEADERS/CONTINUATION payloads: header bytes after HPACK. */
  headerBlocks: number;
  /** DATA payloads. */
  data: number;
  padding: number;
  /** SETTINGS, WINDOW_UPDATE, PING, GOAWAY, RST_STREAM, PRIORITY payloads. */
  control: number;
  /** Over TLS: the TCP socket's bytes less the h2 bytes they carried (record headers, MACs/tags, handshake). 0 on h2c. */
  tls: number;
  /** Frames by type name (DATA, HEADERS, SETTINGS, WINDOW_UPDATE, PING, …). */
  frames: Record<string, number>;
}

/** HPACK header block bytes per request: request (up), response (down), both. */
export interface Http2HeaderBytes {
  /** Requests (streams) this mean is over. */
  requests: number;
  up: number;
  down: number;
  total: number;
}

/**
 * HTTP/2 figures of a `--http 2` row, counted by the clients on their h2
 * sockets. `headerBytesPerRequest` covers each session's whole life (its first
 * request comes before the measured phase); the rest is the measured phase's.
 */
export interface Http2Figures {
  /** `h2c`: cleartext h2 with prior knowledge; `tls`: h2 over TLS (ALPN). */
  connection: 'h2c' | 'tls';
  sessions: number;
  /** The receive path's requests (polls, long polls, the event stream's open). */
  headerBytesPerRequest: {
    /** Each session's first request: HPACK's dynamic tables still empty. */
    first: Http2HeaderBytes;
    /** Every later one (the mean): the steady state. */
    steady: Http2HeaderBytes;
  };
  /** Publishes (`POST /api/messages`), apart: their headers differ from a GET's. */
  publishHeaderBytesPerRequest: { first: Http2HeaderBytes; steady: Http2HeaderBytes };
  frames: { up: Http2Direction; down: Http2Direction };
  /** Frame headers + control payloads + padding + preface, both directions, over the measured phase. */
  frameOverheadBytes: number;
  frameOverheadPerRequest: number;
  /** Over TLS only: record overhead (headers, tags; a handshake, if one fell in the phase), both directions. */
  tlsRecordBytes?: number;
  tlsRecordBytesPerRequest?: number;
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

/** Our figure ÷ the reference's, per transport and metric (issue 5). */
export interface PeerRatio {
  transport: TransportName;
  /** e.g. "requests/s at saturation", "RSS per held request at 10k". */
  metric: string;
  /** e.g. "node:http", "ws", "socket.io". */
  reference: string;
  ours: number | null;
  theirs: number | null;
  /** null with `reason` when either side did not complete with zero loss. */
  ratio: number | null;
  reason?: string;
  /** The target (e.g. "≥ 0.7") and whether it was met. */
  target?: string;
  met?: boolean | null;
  /** true when a higher ratio is better. */
  higherIsBetter: boolean;
  /** Unit of `ours` and `theirs`: "req/s", "deliveries/s", "µs" (server CPU per operation), "bytes" (per connection), "ms". */
  unit?: string;
  /** Server CPU per operation: the headline figure of its group (throughput comes second). */
  headline?: boolean;
  /** Min and max of the per-repeat ratios; `ratio` is their median and `ours`/`theirs` the medians of each side. */
  spread?: { min: number; max: number };
  /** Whether the spread allows a verdict (issue 12): "not distinguishable" when it is at least as wide as the gap to 1. */
  verdict?: PeerVerdict;
  /** Set (and `ratio` null) when the harness or the machine was saturated during a repeat: why. */
  saturated?: string;
  /** Each interleaved repeat of the pair: both figures, their ratio and what the machine was doing. */
  repeats?: PeerRepeat[];
}

/** "one run": a single repeat has no spread, so it earns no verdict either way. */
export type PeerVerdict = 'ours ahead' | 'reference ahead' | 'not distinguishable' | 'one run';

/** What the machine and the load generator were doing while one figure was measured (issue 13). */
export interface PeerConditions {
  /** The busiest load-generator process's CPU over the window, in cores (1 = a whole core). */
  harnessCores: number | null;
  /** CPU used by anything but the measured server and its load generators, as a share of all cores. */
  otherWorkShare: number | null;
  /** Share of CPU time the hypervisor stole (/proc/stat). */
  stealShare: number | null;
  /** 1-minute load average at the end of the window. */
  loadAverage: number;
  cores: number;
}

export interface PeerRepeat {
  ours: number | null;
  theirs: number | null;
  ratio: number | null;
  oursConditions?: PeerConditions;
  theirsConditions?: PeerConditions;
  /** Why this repeat's figures do not count, when the harness or the machine was saturated. */
  saturated?: string;
}

export interface PeersResult {
  ratios: PeerRatio[];
  errors: RunError[];
  /** Interleaved repeats per ours/reference pair. */
  repeats?: number;
  /** Each contender's package and version (e.g. `faye 1.4.3`), so a ratio names what it was measured against. */
  versions?: Record<string, string>;
  /** Whether the memory runs were at the process's descriptor limit (19,000 idle / 15,000 held). */
  scale?: boolean;
  /** Which parts ran: throughput, memory, or both. */
  parts?: string[];
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
  errors: RunError[];
}

/** `results/latest.json`: points at the newest run's file, relative to results/. */
export interface LatestPointer {
  latest: string;
  runId: string;
  date: string;
}
