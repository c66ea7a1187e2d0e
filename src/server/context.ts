import type { IncomingMessage } from 'node:http';
import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import { LabError, type PublishResult, type TransportName } from '../protocol/index.ts';
import { parseReceiveQuery, type ReceiveQuery } from '../transports/query.ts';
import type {
  Admission, ReceiveAdmission, ReceiveAdmitOptions, SocketAdmitOptions, TransportContext,
} from '../transports/types.ts';
import { queuedBehindUnread, UnflushedAnswers } from '../transports/unflushed-answers.ts';
import { AddressLimits } from './address-limits.ts';
import type { ClientAddresses } from './client-address.ts';
import type { Accounting } from './accounting/accounting.ts';
import type { TransportCounters } from './accounting/counters.ts';
import type { Authenticator } from './auth.ts';
import type { Publisher } from './publisher.ts';
import type { Session, SessionRegistry } from './sessions.ts';
import type { TokenClaims } from './tokens.ts';

const NOTHING_HELD = (): void => {};

/**
 * The server's shared auth, limits, publishing and accounting, and each
 * transport's view of them (`forTransport`): the one place a request is let in.
 */
export class ServerContext {
  shuttingDown = false;
  /** Long polls and event streams held right now, across transports. */
  heldRequests = 0;
  readonly unflushedAnswers: UnflushedAnswers;
  readonly addresses: AddressLimits;
  /** Topics each session follows now, over all its sockets, streams and held long polls. */
  readonly #sessionTopics = new WeakMap<Session, number>();

  constructor(
    readonly bus: MessageBus,
    readonly options: ServerOptions,
    readonly accounting: Accounting,
    readonly sessions: SessionRegistry,
    private readonly authenticator: Authenticator,
    private readonly publisher: Publisher,
    /** Whose request it is: the socket's address, or behind a trusted proxy the forwarded one. */
    readonly clientAddresses: ClientAddresses,
  ) {
    this.unflushedAnswers = new UnflushedAnswers(options.maxUnflushedAnswerBytes);
    this.addresses = new AddressLimits(options, clientAddresses);
  }

  /** What the transport `name` is given: this server's parts, with its own wire meter. */
  forTransport(name: TransportName): TransportContext {
    return new TransportView(this, this.accounting.transports[name]);
  }

  authenticate(req: IncomingMessage, params: URLSearchParams): Session {
    return this.authenticator.authenticate(req, params);
  }

  /** The valid token a request presents, if any: lets POST /api/session give a holder its session back. */
  presentedClaims(req: IncomingMessage, params: URLSearchParams): TokenClaims | undefined {
    return this.authenticator.presented(req, params);
  }

  originAllowed(req: IncomingMessage): boolean {
    return this.authenticator.originAllowed(req);
  }

  /**
   * A receive request over HTTP: session, query (topics this session may read),
   * then — for a long poll or stream — its hold. The order is the refusal order
   * clients see: unauthorized/forbidden, bad_request, slow_consumer, too_many_connections.
   */
  admitReceive(
    req: IncomingMessage, params: URLSearchParams, options: ReceiveAdmitOptions, counters: TransportCounters,
  ): ReceiveAdmission {
    const session = this.authenticate(req, params);
    const query = parseReceiveQuery(params, this.options, session.name);
    if (options.wholeAnswer) {
      const queued = queuedBehindUnread(options.wholeAnswer);
      if (queued) throw queued;
    }
    options.beforeHold?.(session, query);
    const release = options.hold === 'request' ? this.#holdRequest(session, counters, req, query.topics.length) : NOTHING_HELD;
    return new ServerReceiveAdmission(this, session, release, query);
  }

  /**
   * An upgrade: refused while stopping (requests are refused earlier, by the
   * server, but an upgrade's refusal is a close after the handshake), over
   * maxConnections, or over the session's holds.
   */
  admitSocket(req: IncomingMessage, params: URLSearchParams): Admission {
    if (this.shuttingDown) throw new LabError('shutting_down', 'the server is stopping');
    const session = this.authenticate(req, params);
    if (this.accounting.openSockets > this.options.maxConnections) {
      throw new LabError('too_many_connections', 'the server holds its maximum of connections');
    }
    this.#checkSessionHolds(session);
    return new ServerAdmission(this, session, this.sessions.hold(session));
  }

  #holdRequest(session: Session, counters: TransportCounters, req: IncomingMessage, topics: number): () => void {
    if (this.heldRequests >= this.options.maxHeldRequests) {
      throw new LabError('too_many_connections', 'the server holds its maximum of held requests', 1);
    }
    this.#checkSessionHolds(session);
    const address = this.clientAddresses.of(req) ?? 'unknown';
    this.addresses.hold(address);
    try {
      this.#claimTopics(session, topics);
    } catch (error) {
      this.addresses.unhold(address);
      throw error;
    }
    this.heldRequests += 1;
    counters.heldRequests += 1;
    this.sessions.addConnection(session);
    // One release for everything the request holds, not one closure per part:
    // a publish releasing thousands of held requests calls it for each (issue 12).
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.heldRequests -= 1;
      counters.heldRequests -= 1;
      this.sessions.removeConnection(session);
      this.addresses.unhold(address);
      this.#unclaimTopics(session, topics);
    };
  }

  /** Counts `count` more topics followed by the session (maxTopicsPerSession); the release is idempotent. */
  claimTopics(session: Session, count: number): () => void {
    this.#claimTopics(session, count);
    let claimed = true;
    return () => {
      if (!claimed) return;
      claimed = false;
      this.#unclaimTopics(session, count);
    };
  }

  #claimTopics(session: Session, count: number): void {
    const now = this.#sessionTopics.get(session) ?? 0;
    if (now + count > this.options.maxTopicsPerSession) {
      throw new LabError('bad_request', `a session follows at most ${this.options.maxTopicsPerSession} topics at once (maxTopicsPerSession); it follows ${now}`);
    }
    this.#sessionTopics.set(session, now + count);
  }

  #unclaimTopics(session: Session, count: number): void {
    this.#sessionTopics.set(session, (this.#sessionTopics.get(session) ?? count) - count);
  }

  /** One session may not take every slot (issue 8 #6): its held requests and sockets are capped. */
  #checkSessionHolds(session: Session): void {
    if (session.connections >= this.options.maxHeldPerSession) {
      throw new LabError('too_many_connections', `this session holds its maximum of ${this.options.maxHeldPerSession} long polls, streams and WebSockets (maxHeldPerSession)`, 1);
    }
  }

  publish(session: Session, input: unknown): Promise<PublishResult> {
    return this.publisher.publish(session, input);
  }

  /** `publish` without a promise where nothing waits (Publisher.publishNow); a refusal throws. */
  publishNow(session: Session, input: unknown): PublishResult | Promise<PublishResult> {
    return this.publisher.publishNow(session, input);
  }
}

/** One transport's context: the server's parts, its own meter, and admission. */
class TransportView implements TransportContext {
  constructor(
    private readonly server: ServerContext,
    readonly meter: TransportCounters,
  ) {}

  get bus(): MessageBus {
    return this.server.bus;
  }

  get options(): ServerOptions {
    return this.server.options;
  }

  get unflushedAnswers(): UnflushedAnswers {
    return this.server.unflushedAnswers;
  }

  admit(req: IncomingMessage, params: URLSearchParams, options: ReceiveAdmitOptions): ReceiveAdmission;
  admit(req: IncomingMessage, params: URLSearchParams, options: SocketAdmitOptions): Admission;
  admit(req: IncomingMessage, params: URLSearchParams, options: ReceiveAdmitOptions | SocketAdmitOptions): Admission {
    return options.hold === 'socket'
      ? this.server.admitSocket(req, params)
      : this.server.admitReceive(req, params, options, this.meter);
  }

  originAllowed(req: IncomingMessage): boolean {
    return this.server.originAllowed(req);
  }
}

/** An admitted request: one object per request, its methods on the prototype (the poll path allocates little). */
class ServerAdmission implements Admission {
  constructor(
    private readonly server: ServerContext,
    readonly session: Session,
    readonly release: () => void,
  ) {}

  claimTopics(count: number): () => void {
    return this.server.claimTopics(this.session, count);
  }

  publish(input: unknown): Promise<PublishResult> {
    return this.server.publish(this.session, input);
  }

  publishNow(input: unknown): PublishResult | Promise<PublishResult> {
    return this.server.publishNow(this.session, input);
  }
}

class ServerReceiveAdmission extends ServerAdmission implements ReceiveAdmission {
  constructor(server: ServerContext, session: Session, release: () => void, readonly query: ReceiveQuery) {
    super(server, session, release);
  }
}
