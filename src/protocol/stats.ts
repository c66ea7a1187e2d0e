import type { TransportName } from './transports.ts';

/**
 * Real bytes counted on a socket, split by what they carry. For HTTP:
 * `headers` = request/status line + header block; `framing` = chunked-encoding
 * size lines and CRLFs, SSE field names and separators, WebSocket frame
 * headers and masks; `bodies` = message payload bytes (JSON bodies, SSE data
 * values, WebSocket payloads).
 */
export interface ByteSplit {
  headers: number;
  framing: number;
  bodies: number;
}

/** One transport's counters since the server started. */
export interface TransportStats {
  /** Sockets currently open that belong to this transport. */
  openConnections: number;
  /** Requests held open right now (long polls, event streams). */
  heldRequests: number;
  /** HTTP requests served (for ws: upgrade requests). */
  requests: number;
  /** HTTP receive requests answered with no message and no gap. */
  emptyResponses: number;
  /** Messages written to clients (one per recipient). */
  deliveries: number;
  /** Messages accepted for publishing through this transport's send path. */
  publishes: number;
  bytesIn: ByteSplit;
  bytesOut: ByteSplit;
}

export interface ProcessStats {
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** How late the loop's timer fired, beyond its own interval; `p50` since issue 13. */
  eventLoopDelayMs: { mean: number; p50?: number; p99: number; max: number };
  uptimeSeconds: number;
}

export interface BusStats {
  epoch: string;
  topics: number;
  historyMessages: number;
  historyBytes: number;
  subscriptions: number;
  /**
   * Messages handed to this process's live receivers, and the summed time
   * (µs) of those hand-outs: from the start of a message's dispatch to the end
   * of the turn that wrote its copies (src/bus/fanout-clock.ts).
   */
  fanouts: number;
  fanoutMicros: number;
}

/** GET /api/stats */
export interface StatsSnapshot {
  at: number;
  /** The node that answered (PROTOCOL.md § Several nodes): `--node-name`, else `<hostname>:<port>`. */
  node?: string;
  transports: Record<TransportName, TransportStats>;
  /** Requests that belong to no transport: sessions, stats, static files. */
  other: { requests: number; bytesIn: number; bytesOut: number };
  sessions: number;
  bus: BusStats;
  process: ProcessStats;
}
