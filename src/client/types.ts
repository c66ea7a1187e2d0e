import type { Gap, LabError, Message, PublishResult, TransportName } from '../protocol/index.ts';

/**
 * Where a client is in its life:
 * `idle` → `connecting` → `connected` ⇄ `reconnecting` → `closed`.
 * `reconnecting` means a network fault or a server close is being retried
 * with backoff; `closed` is final (close() was called, or a fault that a
 * retry cannot fix, such as a refused token).
 */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Events of a Client (STYLE habit 9: a typed map, one line each). */
export interface ClientEvents {
  /** A message of a subscribed topic, each (topic, seq) once, in seq order per topic. */
  message: (message: Message) => void;
  /** Seqs of a topic that can no longer be delivered; delivery goes on after them. */
  gap: (gap: Gap) => void;
  /** A fault not tied to a pending promise (a receive request or stream the server refused). */
  error: (error: LabError) => void;
  /** The client's state changed. */
  state: (state: ClientState) => void;
}

/** Options shared by every transport's client. */
export interface ClientOptions {
  /** The server's origin, e.g. `http://127.0.0.1:3000`; empty in a browser means the page's origin. */
  baseUrl: string;
  /** The name to create a session for (ignored when `token` is given); a `guest-…` name when absent. */
  name?: string;
  /** An existing session's token: `connect()` then creates no session. */
  token?: string;
  /** Short polling: time between two polls, in ms (default 1,000). */
  pollIntervalMs?: number;
  /**
   * Short polling only: send the cursor as `If-None-Match: "<cursor>"` instead of
   * `?cursor=`, and take `304 Not Modified` as "nothing new" (default false).
   */
  conditional?: boolean;
  /** Long polling: how long the server may hold a request, in seconds (default 25). */
  longPollWaitSeconds?: number;
  /** Reconnection delays: exponential from minMs, capped at maxMs, with full jitter. */
  backoff?: { minMs: number; maxMs: number };
  /**
   * Heartbeats (docs/api.md § Client heartbeats): how long a connection may stay
   * silent before the client calls it dead, aborts it and resumes from its
   * cursor — a NAT or proxy that dropped it sends no FIN and no RST, so only a
   * timeout notices. This one: a plain HTTP request (session, publish, short
   * poll, a long poll's first answer) with no full answer in this long is
   * aborted and retried (default 10,000 ms).
   */
  requestTimeoutMs?: number;
  /** Long polling: a held request outstanding longer than its wait plus this is aborted and asked again (default 5,000). */
  longPollSlackMs?: number;
  /**
   * SSE: a stream that delivered no byte (the server's keep-alive comment comes
   * every sseKeepAliveMs, 15 s by default) for this long is closed and reopened
   * from the last id (default 35,000: two keep-alives plus 5 s). 0 = off. Needs a
   * stream whose bytes we see: Node; a browser's EventSource hides comments, so it is off there.
   */
  sseIdleTimeoutMs?: number;
  /**
   * WebSocket: the client pings this often; a socket that then brings no
   * pong, ping or frame for wsPingIntervalMs + wsPongTimeoutMs is dropped and
   * reopened (defaults 15,000 and 5,000; wsPingIntervalMs 0 = off). Node only:
   * a browser's WebSocket cannot send a ping.
   */
  wsPingIntervalMs?: number;
  wsPongTimeoutMs?: number;
  /** Extra request headers for the HTTP transports (the bench's header profiles). */
  headers?: Record<string, string>;
  /** The fetch for HTTP requests and (in Node) the event stream; default `globalThis.fetch`. The bench passes one on its own keep-alive agent. */
  fetch?: typeof globalThis.fetch;
  /**
   * Accept compressed answers (issue 11 #6, default false): HTTP requests say
   * `Accept-Encoding: gzip` (fetch decodes), and in Node the WebSocket offers
   * permessage-deflate. A browser does both by itself whatever this says.
   */
  compression?: boolean;
}

export interface SubscribeOptions {
  /** Resume from a cursor this client (or an earlier one) reported. */
  cursor?: string;
  /** Without a cursor: first replay up to this many recent messages of each new topic. */
  backlog?: number;
}

/** One interface, four transports: tests, the bench and the browser all use it. */
export interface Client {
  readonly transport: TransportName;
  /** The session's name (undefined when a bare token was given). */
  readonly name: string | undefined;
  readonly state: ClientState;
  /** The newest cursor the server gave; pass it to a later subscribe to resume. */
  readonly cursor: string | undefined;
  /** Creates the session (unless a token was given) and, for `ws`, opens the socket. */
  connect(): Promise<void>;
  /** Adds topics; resolves once the server accepted them, rejects with a LabError. */
  subscribe(topics: string[], options?: SubscribeOptions): Promise<void>;
  /** Publishes once per `id` (one is made when absent, so retries are safe). */
  publish(topic: string, body: string, id?: string): Promise<PublishResult>;
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void;
  /** Stops everything; the client cannot be used again. */
  close(): Promise<void>;
}

export type ClientFactory = (options: ClientOptions) => Client;

/** Options with every default filled in (see `resolveClientOptions`). */
export interface ResolvedClientOptions {
  baseUrl: string;
  name: string | undefined;
  token: string | undefined;
  pollIntervalMs: number;
  conditional: boolean;
  longPollWaitSeconds: number;
  backoff: { minMs: number; maxMs: number };
  requestTimeoutMs: number;
  longPollSlackMs: number;
  sseIdleTimeoutMs: number;
  wsPingIntervalMs: number;
  wsPongTimeoutMs: number;
  headers: Record<string, string>;
  fetch: typeof globalThis.fetch | undefined;
  compression: boolean;
}

export const DEFAULT_CLIENT_OPTIONS = Object.freeze({
  pollIntervalMs: 1000,
  longPollWaitSeconds: 25,
  backoff: Object.freeze({ minMs: 250, maxMs: 10_000 }),
  requestTimeoutMs: 10_000,
  longPollSlackMs: 5_000,
  // The server's sseKeepAliveMs (15 s) can leave up to two intervals between bytes; plus 5 s of network.
  sseIdleTimeoutMs: 35_000,
  // Half the server's ping interval (30 s): we notice a dead socket before it does.
  wsPingIntervalMs: 15_000,
  wsPongTimeoutMs: 5_000,
});

/** Heartbeat options that must be above 0 (`sseIdleTimeoutMs` and `wsPingIntervalMs` may be 0: off). */
export const HEARTBEAT_OPTIONS = ['requestTimeoutMs', 'longPollSlackMs', 'sseIdleTimeoutMs', 'wsPingIntervalMs', 'wsPongTimeoutMs'] as const;
