/**
 * The `peers` part of the bench (issue 5): our server next to minimal
 * reference servers, same workload, one run, figures as ratios.
 * `PeersReport` extends the results file's `PeersResult` (src/results/schema.ts),
 * so the runner can store it as `results.peers` unchanged.
 */
import type { PeerConditions, PeersPart, PeersResult, TransportName } from '../../src/results/schema.ts';

export type { PeerConditions, PeerRatio, PeersResult, RunError } from '../../src/results/schema.ts';

/**
 * Who serves: our server or one of the reference servers. `ws+cork` is the
 * raw ws reference corking each socket for the event-loop turn, as our server
 * does, so a lead that comes from corking alone is visible. The libraries
 * (issue 12): `socket.io` (websocket transport only), `socket.io-polling`
 * (`transports: ['polling']`, engine.io long-polling), `better-sse`, `faye`
 * (Bayeux long-polling and WebSocket, one server) and `sockjs` (websocket,
 * xhr-streaming and xhr-polling, one server).
 */
export type ContenderName =
  | 'ours' | 'node:http' | 'ws' | 'ws+cork' | 'sse' | 'socket.io'
  | 'socket.io-polling' | 'better-sse' | 'faye' | 'sockjs';

/** How big each measurement is. `quick` shrinks them (and the report says so). */
export interface PeersSizes {
  /** autocannon's -c for poll and publish. */
  httpConnections: number;
  /** Seconds of each saturation and each latency run of autocannon. */
  httpSeconds: number;
  /** Seconds of the one unmeasured autocannon run per contender and endpoint that warms JIT and sockets (0: none). */
  httpWarmupSeconds: number;
  /** Subscriber counts of the ws fan-out runs. */
  fanoutSubscribers: number[];
  /** Deliveries one fan-out saturation round aims at (messages = this ÷ subscribers). */
  fanoutDeliveries: number;
  /** Seconds of a paced fan-out latency round. */
  fanoutLatencySeconds: number;
  /** Message body bytes of every publish. */
  bodyBytes: number;
  /** Held long polls, and idle ws / sse clients, for the RSS figures. */
  heldClients: number;
  /**
   * Issue 12 item 3, at the process's limit: idle ws and sse clients for the
   * RSS figures (default `heldClients`); `heldClients` then counts the held
   * long polls and the release. `--peers-scale` sets 19,000 and 15,000.
   */
  idleClients?: number;
  /** Most client connections one load process opens (fd limit is 20,000). */
  clientsPerProcess: number;
  /** Pause before each RSS reading, so that the server's heap settles. */
  settleMs: number;
  /**
   * Interleaved repeats of every ours/reference pair (ours, ref, ours, ref …):
   * the table prints the median ratio and its spread (`--peers-repeats`).
   */
  repeats: number;
  /**
   * Repeats of the memory runs (each on a fresh server, so the dearest part
   * of a run); `repeats` when absent. Tests set 1.
   */
  memoryRepeats?: number;
  /** Clients opened and closed before each RSS baseline, so that lazily loaded code is not counted per client (0: none). */
  warmClients: number;
}

export const FULL_SIZES: Readonly<PeersSizes> = Object.freeze({
  httpConnections: 100,
  httpSeconds: 5,
  httpWarmupSeconds: 1,
  fanoutSubscribers: [100, 1000],
  fanoutDeliveries: 400_000,
  fanoutLatencySeconds: 4,
  bodyBytes: 100,
  heldClients: 10_000,
  clientsPerProcess: 5_000,
  settleMs: 1500,
  repeats: 3,
  warmClients: 20,
});

export const QUICK_SIZES: Readonly<PeersSizes> = Object.freeze({
  httpConnections: 100,
  httpSeconds: 2,
  httpWarmupSeconds: 1,
  fanoutSubscribers: [100, 1000],
  fanoutDeliveries: 50_000,
  fanoutLatencySeconds: 2,
  bodyBytes: 100,
  heldClients: 1_000,
  clientsPerProcess: 5_000,
  settleMs: 500,
  repeats: 3,
  warmClients: 20,
});

/** Issue 12 item 3: the memory runs at the process's descriptor limit (20,000 here). */
export const SCALE_SIZES: Readonly<Pick<PeersSizes, 'idleClients' | 'heldClients' | 'clientsPerProcess'>> = Object.freeze({
  idleClients: 19_000,
  heldClients: 15_000,
  clientsPerProcess: 5_000,
});

/** Descriptors one process may hold here; load and servers stay under it with room for their own files. */
export const DESCRIPTOR_LIMIT = 20_000;
/** Most client connections one load process may open: under ~18,000 descriptors, whatever the dialect's side requests. */
export const MAX_CLIENTS_PER_PROCESS = 18_000;

export { PEERS_PARTS, PEERS_PART_GROUPS, type PeersPart } from '../../src/results/peers.ts';

export interface PeersOptions {
  quick: boolean;
  pin: boolean;
  /** Memory runs at the process's limit (`SCALE_SIZES`); `--peers-scale limit` through `npm run bench`. */
  scale?: boolean;
  /**
   * Only these parts (`PEERS_PARTS`) or groups of them (`throughput`, `fanout`,
   * `memory`); every part when absent. `--peers-parts` through `npm run bench`.
   */
  parts?: readonly string[];
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** Overrides of the sizes (tests run tiny ones). */
  sizes?: Partial<PeersSizes>;
  /** Only these contenders (default all); tests use it to keep runs small. */
  contenders?: ContenderName[];
  /** Start our server with `node --cpu-prof` and write the profiles here. */
  cpuProfileDir?: string;
}

/** One repeat's figure and what the machine was doing meanwhile. */
export interface PeerSample {
  value: number;
  conditions?: PeerConditions;
}

/**
 * One figure of one contender: the median of its repeats (`samples`, in
 * repeat order, so that sample i of ours pairs with sample i of the
 * reference). `value` is null when a repeat did not complete.
 */
export interface PeerMeasurement {
  /** Stable id, e.g. "poll.rps", "fanout.100.deliveries", "longpoll.rssPerHeld". */
  metric: string;
  contender: ContenderName;
  value: number | null;
  unit: string;
  /** True only when the whole workload ran with zero loss, every repeat. */
  completed: boolean;
  samples?: PeerSample[];
  reason?: string;
  /** What the workload was, in words (rate, clients, seconds). */
  workload: string;
  /** The load generators' CPU per delivery or request, so a harness bottleneck shows. */
  harnessCpuMicrosPerOperation?: number;
}

export interface PeersMachine {
  nproc: number;
  cpuModel: string;
  node: string;
  os: string;
}

export interface PeersReport extends PeersResult {
  date: string;
  /** Each contender's package and version (`node:http`: Node's), so that a ratio names what it was measured against. */
  versions: Partial<Record<ContenderName, string>>;
  quick: boolean;
  /** Whether server and load were really pinned (`--pin` asked and taskset found). */
  pinned: boolean;
  pinRequested: boolean;
  sizes: PeersSizes;
  /** Whether the memory runs were at the process's limit (`--peers-scale limit`). */
  scale: boolean;
  /** The parts that ran, groups expanded, in run order. */
  parts: PeersPart[];
  machine: PeersMachine;
  measurements: PeerMeasurement[];
  /** Contenders that could not start: reported and skipped, never counted as zero. */
  skipped: { contender: ContenderName; reason: string }[];
  durationSeconds: number;
  /** True when the run was aborted before every measurement ran. */
  incomplete: boolean;
}

export type { TransportName };
