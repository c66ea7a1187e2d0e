import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import type { PublishResult, TransportName } from '../protocol/index.ts';
import type { ReceiveQuery } from './query.ts';
import type { UnflushedAnswers } from './unflushed-answers.ts';

/**
 * What a transport knows of the session behind a request: who it is. Everything
 * else about sessions (liveness, quotas, rate limits) stays with the server,
 * reached through the Admission that carries this reference.
 */
export interface SessionRef {
  /** Unique per session: a long poll is superseded by the next of the same session and topics. */
  readonly id: string;
  /** The name the session holds (who may read `user:<name>`). */
  readonly name: string;
}

/**
 * Where a transport reports what it puts on and takes off the wire. The server
 * meters every socket's total bytes itself; a transport adds the split it alone
 * knows (which bytes are bodies, framing or headers) and what it delivered.
 * Implemented by the server's accounting (src/server/accounting/counters.ts).
 */
export interface WireMeter {
  /** Payload bytes read from a client: a request body, a WebSocket frame. */
  bodyIn(bytes: number): void;
  /** Payload bytes written: envelope JSON, answer bodies, frame payloads. */
  bodyOut(bytes: number): void;
  /** The transport's own framing around payloads (SSE field names, separators, ids). */
  framingOut(bytes: number): void;
  /** Header bytes written outside node's own response head (a refused handshake). */
  headersOut(bytes: number): void;
  /** One chunk of an HTTP/1.1 chunked body: its size line and CRLFs are framing. */
  chunkOut(chunkBytes: number): void;
  /** The handshake answer of an upgrade left: what `socket` wrote since its request counts as headers. */
  handshakeOut(socket: Socket): void;
  /** `count` messages delivered, one per recipient. */
  delivered(count: number): void;
  /** A receive request answered with nothing. */
  answeredEmpty(): void;
  /** A message accepted through this transport. */
  published(): void;
}

/** What a request keeps while it lasts (PROTOCOL.md § Limits: maxHeldRequests, maxHeldPerSession, …). */
export type HoldKind =
  /** Answered at once (short poll): nothing held. */
  | 'none'
  /** A held request (long poll) or stream (SSE): counts as held, per server, session and address, with its topics. */
  | 'request'
  /** An upgraded socket (WebSocket): counts against the session's holds; its topics are claimed per subscribe. */
  | 'socket';

/** How a receive request over HTTP is let in (poll, long poll, SSE). */
export interface ReceiveAdmitOptions {
  hold: Exclude<HoldKind, 'socket'>;
  /**
   * The response of an answer written whole (poll, long poll): a request
   * pipelined behind an answer its client has not read yet is refused
   * (slow_consumer) rather than answered behind it (unflushed-answers.ts).
   */
  wholeAnswer?: ServerResponse;
  /**
   * Runs once the session and query are known, before the hold is counted: a
   * long poll answers the one it replaces here, so the slot that frees counts.
   */
  beforeHold?(session: SessionRef, query: ReceiveQuery): void;
}

/** How an upgrade is let in (WebSocket): its topics come later, per subscribe frame. */
export interface SocketAdmitOptions {
  hold: Extract<HoldKind, 'socket'>;
}

/** A request let in: who asks, and what it holds until `release`. */
export interface Admission {
  readonly session: SessionRef;
  /** Gives back whatever the admission holds (idempotent; nothing for hold 'none'). */
  readonly release: () => void;
  /**
   * Counts `count` more topics followed by the session (maxTopicsPerSession);
   * throws bad_request past it. The returned release gives them back (idempotent).
   */
  claimTopics(count: number): () => void;
  /** Validates and publishes as the session (rate limit, unknown_user, sizes); `from` is the session's name. */
  publish(input: unknown): Promise<PublishResult>;
  /**
   * `publish` without a promise where nothing waits (the in-memory bus, a
   * session already confirmed): a WebSocket acks in the turn its frame
   * arrived. A refusal throws; a check that waits returns a promise.
   */
  publishNow(input: unknown): PublishResult | Promise<PublishResult>;
}

/** A receive request let in, with its query checked for the session (topics it may read, cursor, limits). */
export interface ReceiveAdmission extends Admission {
  readonly query: ReceiveQuery;
}

/**
 * What the server gives one transport: the parts every transport shares, written
 * once (admission: auth, limits, quotas; publishing; the wire meter). A transport
 * only decides when it can write and how its bytes look (STYLE: engine.io's
 * transport/socket split). Each transport gets its own context: `meter` is its own.
 */
export interface TransportContext {
  readonly bus: MessageBus;
  readonly options: ServerOptions;
  /** This transport's wire meter. */
  readonly meter: WireMeter;
  /**
   * Lets a request in, or throws its fault (unauthorized, forbidden, bad_request,
   * too_many_connections, slow_consumer, shutting_down for an upgrade): the
   * session (token from `Authorization: Bearer`, `?token=` or the cookie — a cookie
   * only with an allowed Origin), the parsed query, and the hold `options.hold` asks for.
   * Requests reach a transport only while the server runs (create.ts refuses them
   * while it stops); an upgrade is refused here, after the handshake, as a close.
   */
  admit(req: IncomingMessage, params: URLSearchParams, options: ReceiveAdmitOptions): ReceiveAdmission;
  admit(req: IncomingMessage, params: URLSearchParams, options: SocketAdmitOptions): Admission;
  /** True when the request's Origin (if any) is ours or allowed. */
  originAllowed(req: IncomingMessage): boolean;
  /** Poll and long-poll answer bytes not yet taken by their clients (maxUnflushedAnswerBytes). */
  readonly unflushedAnswers: UnflushedAnswers;
}

/** One way of reaching the bus (PROTOCOL.md § Transports). */
export interface Transport {
  readonly name: TransportName;
  /** Handles its HTTP receive request (poll, longpoll, sse). */
  handleRequest?(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void;
  /** Handles an upgrade request (ws). */
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, params: URLSearchParams): void;
  /** Ends everything it holds with `shutting_down`; resolves when it is gone. */
  close(): Promise<void>;
}

export type TransportFactory = (context: TransportContext) => Transport;
