/**
 * The `sticky` part of `--scenario peers` (issue 10): a peer that needs sticky
 * sessions next to ours on the same two nodes behind the same nginx.
 * Socket.IO's long polling on @socket.io/redis-streams-adapter, round-robin and
 * sticky (`hash $remote_addr consistent`), and our long poll round-robin; the
 * same clients, publishes and driver for all three (bench/peers/sticky).
 */
import type { RunError } from './run-error.ts';

/** How nginx spreads requests over the nodes: the shipped round-robin, or the commented sticky variant. */
export type Balancing = 'round-robin' | 'sticky';

export interface StickinessRun {
  /** `socket.io-polling` (engine.io long-polling) or `ours` (our long poll). */
  contender: string;
  balancing: Balancing;
  /** Clients that ran (each from its own loopback address, so the sticky hash can tell them apart). */
  clients: number;
  /** Clients that got into the room at least once (the subscribe acknowledged). */
  clientsSubscribed: number;
  /** Clients that received at least one message. */
  clientsWithMessage: number;
  /** Publishes the cluster acknowledged (201). */
  published: number;
  /** clients × published: what a subscriber that never missed anything would have received. */
  expectedDeliveries: number;
  /** Distinct (client, message) pairs received. */
  delivered: number;
  /** expectedDeliveries − delivered: acknowledged messages a client never got. */
  lost: number;
  /** Deliveries of a message a client had already received. */
  duplicates: number;
  /** HTTP requests the subscribers made (handshakes, sends, polls) and how many failed (not 2xx). */
  requests: number;
  failedRequests: number;
  /** Answers `400 {"code":1,"message":"Session ID unknown"}`: a request that reached the node without its session. */
  sessionIdUnknown: number;
  /** Times a client started over (a new handshake) after a failure, as socket.io's client does. */
  reconnects: number;
  /** Each failure's reason, counted (e.g. `engine.io poll answered 400 Session ID unknown`). */
  failureReasons: Record<string, number>;
  /** Nodes that answered this run's subscribers (nginx's X-Lab-Upstream): 2 shows the load was spread. */
  nodesAnswering: number;
  durationSeconds: number;
  /** Set when the run could not happen (its cluster did not start): its figures are then zero. */
  error?: string;
}

export interface StickinessConfig {
  nodes: number;
  clients: number;
  /** Publishes per second and for how long, one paced HTTP publisher through nginx. */
  ratePerSecond: number;
  publishSeconds: number;
  bodyBytes: number;
  /** socket.io-client's reconnection backoff as driven: first delay, and its cap. */
  reconnectDelayMs: number;
  reconnectDelayMaxMs: number;
  /** The directive of the sticky variant (deploy/nginx/transport-lab.conf.template). */
  stickyDirective: string;
}

export interface StickinessResult {
  config: StickinessConfig;
  runs: StickinessRun[];
  /** Package versions the runs used (socket.io, the adapter), for the table's caption. */
  versions: Record<string, string>;
  errors: RunError[];
  /** Why nothing ran (nginx or Redis missing), when nothing did. */
  skipped?: string;
}
