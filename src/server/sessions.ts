import { randomUUID } from 'node:crypto';
import { LabError } from '../protocol/index.ts';
import { TokenBucket } from './rate-limit.ts';
import type { TokenClaims, TokenSigner } from './tokens.ts';

/**
 * How long a session with no open connection stays live after its last request.
 * A long-poll client re-asks within `wait` (≤ 60 s) and a poll client within its
 * interval, so 90 s keeps every well-behaved client live between requests.
 */
export const SESSION_IDLE_MS = 90_000;

/** One holder of a name. */
export class Session {
  /** Open held requests, event streams and WebSockets of this session. */
  connections = 0;
  lastSeenAt: number;
  readonly publishes: TokenBucket;

  constructor(
    readonly id: string,
    readonly name: string,
    now: number,
    publishes: TokenBucket,
  ) {
    this.lastSeenAt = now;
    this.publishes = publishes;
  }

  /** Live: it has an open connection, or made a request within the idle window. */
  isLive(now: number, idleMs: number): boolean {
    return this.connections > 0 || now - this.lastSeenAt < idleMs;
  }
}

export interface SessionRegistryOptions {
  publishRatePerSecond: number;
  publishBurst: number;
  sessionIdleMs?: number;
  now?: () => number;
}

/**
 * Names held by live sessions (PROTOCOL.md § Sessions and identity). A name is
 * held while its session is live; an idle session is let go (lazily on a claim,
 * and by `sweep()` on a timer) and its name can be taken again.
 */
export class SessionRegistry {
  readonly #byName = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #now: () => number;

  constructor(
    private readonly signer: TokenSigner,
    private readonly options: SessionRegistryOptions,
  ) {
    this.#idleMs = options.sessionIdleMs ?? SESSION_IDLE_MS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Creates a session for `name` and its token; 409 name_taken while another live
   * session holds it. A request that presents the holder's own token (a page
   * reloaded, a client signing in again) gets that session back instead.
   */
  create(name: string, presented?: TokenClaims): { session: Session; token: string } {
    if (presented?.name === name) {
      const holder = this.#byName.get(name);
      const own = holder === undefined || holder.id === presented.sessionId || !holder.isLive(this.#now(), this.#idleMs);
      if (own) return { session: this.resume(presented), token: this.signer.sign(presented) };
    }
    const now = this.#now();
    const holder = this.#byName.get(name);
    if (holder && holder.isLive(now, this.#idleMs)) {
      throw new LabError('name_taken', `the name "${name}" is held by a live session`);
    }
    const session = this.#newSession(randomUUID(), name, now);
    return { session, token: this.signer.sign({ name, sessionId: session.id }) };
  }

  /**
   * The session a well-signed token names, marked as seen. A token whose session
   * expired gets it back while nobody else holds the name; once someone does,
   * the old token is refused (so it can never speak for the new holder).
   */
  resume(claims: TokenClaims): Session {
    const now = this.#now();
    const holder = this.#byName.get(claims.name);
    if (holder?.id === claims.sessionId) {
      holder.lastSeenAt = now;
      return holder;
    }
    if (holder && holder.isLive(now, this.#idleMs)) {
      throw new LabError('unauthorized', 'this session expired and its name is now held by another session');
    }
    return this.#newSession(claims.sessionId, claims.name, now);
  }

  /** Marks a connection of the session as open; the returned function closes it (once). */
  hold(session: Session): () => void {
    session.connections += 1;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      session.connections -= 1;
      session.lastSeenAt = this.#now();
    };
  }

  /** Lets go of idle sessions; returns how many remain. */
  sweep(): number {
    const now = this.#now();
    for (const [name, session] of this.#byName) {
      if (!session.isLive(now, this.#idleMs)) this.#byName.delete(name);
    }
    return this.#byName.size;
  }

  get size(): number {
    return this.#byName.size;
  }

  #newSession(id: string, name: string, now: number): Session {
    const bucket = new TokenBucket(this.options.publishRatePerSecond, this.options.publishBurst, this.#now);
    const session = new Session(id, name, now, bucket);
    this.#byName.set(name, session);
    return session;
  }
}
