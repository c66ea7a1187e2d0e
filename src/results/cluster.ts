/**
 * The `cluster` scenario's figures (issue 10, the bench): the chat workload on
 * the in-memory bus (one node), on Redis with one node and on Redis with two
 * nodes behind nginx (round-robin, not sticky) — what the Redis hop adds to
 * latency, what a delivery costs the nodes and Redis, a projection of the
 * nodes a number of clients needs — and a failover run (one node SIGKILLed
 * mid-run). Every figure is counted by the clients, the nodes' `/api/stats`
 * and Redis's `INFO`.
 */
import type { TransportName } from '../protocol/index.ts';
import type { Spread } from './faults.ts';
import type { DeliveryCounts, LatencySummary } from './schema.ts';

/** `memory-1`: the in-memory bus, one node; `redis-1`: Redis, one node; `redis-2`: Redis, two nodes. All behind the same nginx. */
export type ClusterSetupName = 'memory-1' | 'redis-1' | 'redis-2';
export const CLUSTER_SETUPS: readonly ClusterSetupName[] = ['memory-1', 'redis-1', 'redis-2'];

/** What Redis did over the measured phase: `INFO stats` / `INFO cpu` / `INFO commandstats` after minus before. */
export interface RedisDelta {
  /** `total_commands_processed`. */
  commands: number;
  /** `total_net_input_bytes`: what the nodes sent Redis. */
  netInputBytes: number;
  /** `total_net_output_bytes`: what Redis sent the nodes (pub/sub pushes included). */
  netOutputBytes: number;
  /** `used_cpu_user` + `used_cpu_sys`, seconds, less what Redis spends idle for as long (its timers: `redis.idleCpuPerSecond`). */
  cpuSeconds: number;
  /** Calls per command (`cmdstat_<name>`), the commands that ran at all. */
  calls: Record<string, number>;
}

/** One transport on one setup: the chat workload's measured phase. */
export interface ClusterRow {
  setup: ClusterSetupName;
  transport: TransportName;
  nodes: number;
  incomplete: boolean;
  errors: string[];
  durationSeconds: number;
  /** Seconds between the two reads of the nodes' and Redis's counters: the measured phase and its drain (Redis's idle CPU is taken off for as long). */
  windowSeconds: number;
  clients: number;
  /** Client-side latency from when each message was due (ms). */
  latency: LatencySummary;
  deliveries: DeliveryCounts;
  /** Node CPU over the phase, summed over the nodes (seconds; from each node's own `/api/stats`). */
  nodesCpuSeconds: number;
  /** Each node's share of it, seconds, in node order. */
  nodeCpuSeconds: number[];
  /** nodesCpuSeconds × 10^6 ÷ deliveries. */
  cpuMicrosPerDelivery: number;
  /**
   * nodesCpuSeconds ÷ (clients × durationSeconds): what one client at this
   * workload costs the nodes, per second of publishing (the drain's CPU is
   * charged to it: a little conservative).
   */
  cpuSecondsPerClientSecond: number;
  /** Absent on the in-memory setup. */
  redis?: RedisDelta;
  /** Redis's figures ÷ deliveries; absent on the in-memory setup. */
  redisPerDelivery?: { commands: number; netInputBytes: number; netOutputBytes: number; cpuMicros: number };
}

/** The Redis hop's cost for one transport: a setup's latency minus the in-memory one's. */
export interface HopRow {
  transport: TransportName;
  setup: Exclude<ClusterSetupName, 'memory-1'>;
  /** Latency added (ms; negative = faster, i.e. within the noise). */
  addedP50Ms: number;
  addedP99Ms: number;
  /** Node CPU per delivery relative to the in-memory row (1.5 = half as much again). */
  cpuRatio: number;
}

/** Nodes needed for a number of clients, from the measured per-node ceiling. */
export interface NodesProjection {
  transport: TransportName;
  /** Clients one node holds at `targetCpuShare` of a core: ⌊targetCpuShare ÷ cpuSecondsPerClientSecond⌋. */
  clientsPerNode: number;
  /** Clients one Redis (one core too) holds at the same share, from its CPU per client-second: the next ceiling. */
  clientsPerRedis: number;
  /** For each client count: ⌈clients ÷ clientsPerNode⌉. */
  nodes: { clients: number; nodes: number }[];
  /** Redis's single core at that many clients, % (from Redis CPU per client-second). */
  redisCpuPercent: { clients: number; percent: number }[];
}

export interface ClusterFailover {
  transport: TransportName;
  readers: number;
  /** Readers whose client noticed the kill (went `reconnecting`): those held by the killed node, for the held transports. */
  noticed: number;
  /** Kill → `connected` again, ms, over the readers that noticed. */
  reconnectMs: Spread;
  /** Readers not connected, or without a message published after the kill, when the wait ended. */
  unrecovered: number;
  /** Messages the writer had acknowledged. */
  sent: number;
  expected: number;
  delivered: number;
  /** Must be 0. */
  lost: number;
  /** Must be 0. */
  duplicated: number;
  /** Gap records the readers got (a node's death is no gap: must be 0). */
  gaps: number;
}

export interface ClusterResult {
  description: string;
  settings: {
    clients: number;
    publishRatePerSecond: number;
    durationSeconds: number;
    bodyBytes: number;
    pollIntervalMs: number;
    network: string;
    /** Readers per transport in the failover run (sse and ws get more until every node holds one). */
    failoverReaders: number;
    /** The CPU share of one core a node may use in the projection. */
    targetCpuShare: number;
  };
  /** Which Redis: its version, and whether this run started it (then its INFO counts only our nodes). */
  redis: {
    version: string;
    owned: boolean;
    keyPrefix: string;
    /** Redis's CPU seconds per second before any node connected (its own timers; taken off every row). */
    idleCpuPerSecond: number;
  };
  /** nginx's version and the config it ran (deploy/nginx/transport-lab.conf.template). */
  proxy: string;
  /** Cores of the machine: with 2, a second node shares them and adds no throughput. */
  cores: number;
  rows: ClusterRow[];
  hop: HopRow[];
  projection: { formula: string; basis: string; rows: NodesProjection[] };
  failover: ClusterFailover[];
  errors: string[];
}
