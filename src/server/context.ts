import type { IncomingMessage } from 'node:http';
import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import { LabError, type PublishResult } from '../protocol/index.ts';
import type { TransportContext } from '../transports/types.ts';
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

  constructor(
    readonly bus: MessageBus,
    readonly options: ServerOptions,
    readonly accounting: Accounting,
    readonly sessions: SessionRegistry,
    private readonly authenticator: Authenticator,
    private readonly publisher: Publisher,
  ) {}

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

  holdRequest(session: Session, counters: TransportCounters): () => void {
    if (this.heldRequests >= this.options.maxHeldRequests) {
      throw new LabError('too_many_connections', 'the server holds its maximum of held requests', 1);
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
    };
  }

  holdConnection(session: Session): () => void {
    return this.sessions.hold(session);
  }

  publish(session: Session, input: unknown): Promise<PublishResult> {
    return this.publisher.publish(session, input);
  }
}
