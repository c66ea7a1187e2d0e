import { randomUUID } from 'node:crypto';
import { LabError } from '../protocol/index.ts';
import { AddressBuckets, TokenBucket } from './rate-limit.ts';
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
  /** The client address (rate-limit.ts `addressKey`) of its latest authenticated request. */
  address = 'unknown';

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
  /** New sessions one client address may create (default: no per-address limit). */
  sessionCreateRatePerSecondPerAddress?: number;
  sessionCreateBurstPerAddress?: number;
  now?: () => number;
}

/**
 * Called when a name passes to a session other than the one that held it last
 * (a new holder, not a holder back with its own token): the name's inbox
 * history must not pass with it (issue 8, finding 8).
 */
export type NewHolderHook = (name: string) => void;

/** Names whose last holder is remembered; a name older than these is treated as changing hands. */
const LAST_HOLDERS_KEPT = 100_000;

/**
 * Names held by live sessions (PROTOCOL.md § Sessions and identity). A name is
 * held while its session is live; an idle session is let go (lazily on a claim,
 * and by `sweep()` on a timer) and its name can be taken again.
 */
export class SessionRegistry {
  readonly #byName = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #now: () => number;
  /** name → id of the session that held it last, even after that session was let go. */
  readonly #lastHolder = new Map<string, string>();
  readonly #createsByAddress: AddressBuckets | undefined;

  constructor(
    private readonly signer: TokenSigner,
    private readonly options: SessionRegistryOptions,
    private readonly onNewHolder?: NewHolderHook,
  ) {
    this.#idleMs = options.sessionIdleMs ?? SESSION_IDLE_MS;
    this.#now = options.now ?? Date.now;
    const { sessionCreateRatePerSecondPerAddress: rate, sessionCreateBurstPerAddress: burst } = options;
    this.#createsByAddress = rate !== undefined && burst !== undefined ? new AddressBuckets(rate, burst, this.#now) : undefined;
  }

  /**
   * Creates a session for `name` and its token; 409 name_taken while another live
   * session holds it. A request that presents the holder's own token (a page
   * reloaded, a client signing in again) gets that session back instead.
   * A new session costs the client's `address` one of its per-address allowance
   * (429 rate_limited past it); getting one's own session back costs nothing.
   */
  create(name: string, presented?: TokenClaims, address = 'unknown'): { session: Session; token: string } {
    if (presented?.name === name) {
      const holder = this.#byName.get(name);
      const own = holder === undefined || holder.id === presented.sessionId || !holder.isLive(this.#now(), this.#idleMs);
      if (own) {
        const session = this.resume(presented);
        session.address = address;
        return { session, token: this.signer.sign(presented) };
      }
    }
    const now = this.#now();
    const holder = this.#byName.get(name);
    if (holder && holder.isLive(now, this.#idleMs)) {
      throw new LabError('name_taken', `the name "${name}" is held by a live session`);
    }
    const wait = this.#createsByAddress?.of(address).take() ?? 0;
    if (wait > 0) throw new LabError('rate_limited', 'this address is creating sessions faster than it may', wait);
    const session = this.#newSession(randomUUID(), name, now);
    session.address = address;
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

  /** Lets go of idle sessions (and refilled per-address buckets); returns how many sessions remain. */
  sweep(): number {
    this.#createsByAddress?.sweep();
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
    if (this.#lastHolder.get(name) !== id) {
      this.#rememberHolder(name, id);
      this.onNewHolder?.(name);
    }
    return session;
  }

  #rememberHolder(name: string, id: string): void {
    this.#lastHolder.delete(name);
    this.#lastHolder.set(name, id);
    // Forgetting the oldest only ever costs an inbox history, never exposes one.
    if (this.#lastHolder.size > LAST_HOLDERS_KEPT) this.#lastHolder.delete(this.#lastHolder.keys().next().value as string);
  }
}
