import type { IncomingMessage } from 'node:http';
import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import { LabError, type PublishResult } from '../protocol/index.ts';
import type { TransportContext } from '../transports/types.ts';
import { UnflushedAnswers } from '../transports/unflushed-answers.ts';
import { addressOf, AddressLimits } from './address-limits.ts';
import type { Accounting } from './accounting/accounting.ts';
import type { TransportCounters } from './accounting/counters.ts';
import type { Authenticator } from './auth.ts';
import type { Publisher } from './publisher.ts';
import type { Session, SessionRegistry } from './sessions.ts';
import type { TokenClaims } from './tokens.ts';

/** The server's side of TransportContext: shared auth, limits, publishing and accounting. */
export class ServerContext implements TransportContext {
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
  ) {
    this.unflushedAnswers = new UnflushedAnswers(options.maxUnflushedAnswerBytes);
    this.addresses = new AddressLimits(options);
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

  holdRequest(session: Session, counters: TransportCounters, req: IncomingMessage, topics: number): () => void {
    if (this.heldRequests >= this.options.maxHeldRequests) {
      throw new LabError('too_many_connections', 'the server holds its maximum of held requests', 1);
    }
    this.#checkSessionHolds(session);
    const releaseAddress = this.addresses.hold(addressOf(req.socket));
    let releaseTopics: () => void;
    try {
      releaseTopics = this.claimTopics(session, topics);
    } catch (error) {
      releaseAddress();
      throw error;
    }
    this.heldRequests += 1;
    counters.heldRequests += 1;
    const releaseSession = this.sessions.hold(session);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.heldRequests -= 1;
      counters.heldRequests -= 1;
      releaseSession();
      releaseAddress();
      releaseTopics();
    };
  }

  holdConnection(session: Session): () => void {
    this.#checkSessionHolds(session);
    return this.sessions.hold(session);
  }

  claimTopics(session: Session, count: number): () => void {
    const now = this.#sessionTopics.get(session) ?? 0;
    if (now + count > this.options.maxTopicsPerSession) {
      throw new LabError('bad_request', `a session follows at most ${this.options.maxTopicsPerSession} topics at once (maxTopicsPerSession); it follows ${now}`);
    }
    this.#sessionTopics.set(session, now + count);
    let claimed = true;
    return () => {
      if (!claimed) return;
      claimed = false;
      this.#sessionTopics.set(session, (this.#sessionTopics.get(session) ?? count) - count);
    };
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
}
