import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import type { PublishResult, TransportName } from '../protocol/index.ts';
import type { Accounting } from '../server/accounting/accounting.ts';
import type { TransportCounters } from '../server/accounting/counters.ts';
import type { Session } from '../server/sessions.ts';
import type { UnflushedAnswers } from './unflushed-answers.ts';

/**
 * What the server gives every transport: the parts they share, written once
 * (auth, limits, publishing, accounting). A transport only decides when it can
 * write and how its bytes look (STYLE: engine.io's transport/socket split).
 */
export interface TransportContext {
  readonly bus: MessageBus;
  readonly options: ServerOptions;
  readonly accounting: Accounting;
  /**
   * The session of a request: token from `Authorization: Bearer`, `?token=` or the
   * cookie (a cookie only with an allowed Origin). Throws unauthorized / forbidden.
   */
  authenticate(req: IncomingMessage, params: URLSearchParams): Session;
  /** True when the request's Origin (if any) is ours or allowed. */
  originAllowed(req: IncomingMessage): boolean;
  /**
   * Counts a held request or stream and its topics (maxHeldRequests, maxHeldPerSession,
   * maxHeldPerAddress, maxTopicsPerSession, the session's liveness); throws
   * too_many_connections (or bad_request for topics) over a limit. The returned release is idempotent.
   */
  holdRequest(session: Session, counters: TransportCounters, req: IncomingMessage, topics: number): () => void;
  /** Counts an open WebSocket (maxHeldPerSession, the session's liveness); the release is idempotent. */
  holdConnection(session: Session): () => void;
  /**
   * Counts `count` more topics followed by the session (maxTopicsPerSession);
   * throws bad_request past it. The returned release gives them back (idempotent).
   */
  claimTopics(session: Session, count: number): () => void;
  /** Poll and long-poll answer bytes not yet taken by their clients (maxUnflushedAnswerBytes). */
  readonly unflushedAnswers: UnflushedAnswers;
  /** Validates and publishes as `session` (rate limit, unknown_user, sizes); `from` is the session's name. */
  publish(session: Session, input: unknown): Promise<PublishResult>;
  readonly shuttingDown: boolean;
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
