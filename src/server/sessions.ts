import { randomUUID } from 'node:crypto';
import { LabError } from '../protocol/index.ts';
import { MemorySharedState } from '../shared/memory-shared-state.ts';
import { settle, type MaybePromise, type NameClaim, type SharedState } from '../shared/types.ts';
import type { TokenClaims, TokenSigner } from './tokens.ts';

/**
 * How long a session with no open connection stays live after its last request.
 * A long-poll client re-asks within `wait` (≤ 60 s) and a poll client within its
 * interval, so 90 s keeps every well-behaved client live between requests.
 */
export const SESSION_IDLE_MS = 90_000;

/** One holder of a name, as this node knows it. */
export class Session {
  /** Open held requests, event streams and WebSockets of this session on this node. */
  connections = 0;
  lastSeenAt: number;
  /** The client address (rate-limit.ts `addressKey`) of its latest authenticated request. */
  address = 'unknown';
  /** The shared state gave the name to another session: this one's token no longer speaks. */
  revoked = false;
  /**
   * On several nodes: the check, still under way, that this session holds its
   * name in the shared state (a token first seen here is served at once and
   * checked meanwhile; a publish waits for the check).
   */
  confirmation: Promise<void> | undefined;
  /** A client made a request of it on this node (not merely heard of it from another node). */
  servedHere = true;

  constructor(
    readonly id: string,
    readonly name: string,
    now: number,
  ) {
    this.lastSeenAt = now;
  }

  /** Live: it has an open connection, or made a request within the idle window. */
  isLive(now: number, idleMs: number): boolean {
    return !this.revoked && (this.connections > 0 || now - this.lastSeenAt < idleMs);
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

export interface Admission {
  session: Session;
  token: string;
}

/**
 * Names held by live sessions (PROTOCOL.md § Sessions and identity). A name is
 * held while its session is live; an idle session is let go (lazily on a claim,
 * and by `sweep()` on a timer) and its name can be taken again.
 *
 * This node's view (open connections, last request) decides first; the shared
 * state (src/shared/) decides between nodes: a name is claimed there with a
 * lease of the idle window, which every node renews for the sessions live on
 * it (`renewLeases`). In memory the shared state answers at once and always
 * agrees with this view; on Redis, claims are awaited where the caller can
 * wait (a new session, a publish) and checked in the background where it
 * cannot (a receive's `resume`).
 */
export class SessionRegistry {
  readonly #byName = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #shared: SharedState;
  readonly #stopHearing: () => void;
  readonly #heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly signer: TokenSigner,
    private readonly options: SessionRegistryOptions,
    private readonly onNewHolder?: NewHolderHook,
    shared?: SharedState,
  ) {
    this.#idleMs = options.sessionIdleMs ?? SESSION_IDLE_MS;
    this.#now = options.now ?? Date.now;
    this.#shared = shared ?? new MemorySharedState(this.#now);
    this.#stopHearing = this.#shared.onNameClaimed((name, sessionId) => this.#heard(name, sessionId));
    if (this.#shared.remote) {
      // Leases run for the idle window; renewing three times within it survives a late beat.
      this.#heartbeat = setInterval(() => void this.renewLeases(), Math.max(50, Math.min(10_000, this.#idleMs / 3)));
      this.#heartbeat.unref();
    }
  }

  /**
   * Creates a session for `name` and its token; 409 name_taken while another live
   * session holds it. A request that presents the holder's own token (a page
   * reloaded, a client signing in again) gets that session back instead.
   * A new session costs the client's `address` one of its per-address allowance
   * (429 rate_limited past it); getting one's own session back costs nothing.
   * Synchronous over the in-memory shared state; `admit` works over either.
   */
  create(name: string, presented?: TokenClaims, address = 'unknown'): Admission {
    const admission = this.#admit(name, presented, address);
    if (admission instanceof Promise) throw new Error('SessionRegistry: the shared state is remote, call admit()');
    return admission;
  }

  /** `create`, over any shared state. */
  async admit(name: string, presented?: TokenClaims, address = 'unknown'): Promise<Admission> {
    return this.#admit(name, presented, address);
  }

  /**
   * The session a well-signed token names, marked as seen. A token whose session
   * expired gets it back while nobody else holds the name; once someone does,
   * the old token is refused (so it can never speak for the new holder).
   */
  resume(claims: TokenClaims): Session {
    const now = this.#now();
    const holder = this.#byName.get(claims.name);
    if (holder?.id === claims.sessionId && !holder.revoked) {
      holder.lastSeenAt = now;
      // A holder heard of from another node is served here from now on (its lease renewed from here too).
      holder.servedHere = true;
      return holder;
    }
    if (holder && holder.isLive(now, this.#idleMs)) {
      throw new LabError('unauthorized', 'this session expired and its name is now held by another session');
    }
    const claim = this.#shared.claimName(claims.name, claims.sessionId, this.#idleMs);
    if (!(claim instanceof Promise)) {
      if (!claim.granted) throw new LabError('unauthorized', 'this session expired and its name is now held by another session');
      if (claim.newHolder) this.onNewHolder?.(claims.name);
      return this.#install(claims.name, claims.sessionId, now);
    }
    // Several nodes: the token is ours (signed with the shared secret), so it is
    // served now; the claim decides in the background, and a publish waits for it.
    const session = this.#install(claims.name, claims.sessionId, now);
    this.#confirm(session, claim);
    return session;
  }

  /** Marks a connection of the session as open; the returned function closes it (once). */
  hold(session: Session): () => void {
    this.addConnection(session);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.removeConnection(session);
    };
  }

  /** `hold` without the closure, for a caller that removes it once itself (a held request's one release). */
  addConnection(session: Session): void {
    session.connections += 1;
  }

  removeConnection(session: Session): void {
    session.connections -= 1;
    session.lastSeenAt = this.#now();
  }

  /** Lets go of idle sessions (and refilled buckets, expired leases); returns how many sessions remain. */
  sweep(): number {
    this.#shared.sweep();
    const now = this.#now();
    for (const [name, session] of this.#byName) {
      if (!session.isLive(now, this.#idleMs)) this.#byName.delete(name);
    }
    return this.#byName.size;
  }

  /**
   * Several nodes: renews in the shared state the lease of every session live
   * on this node, up to the end of its idle window here (a session with an
   * open connection: a whole window). A session whose name another session
   * took meanwhile is revoked. Redis unreachable: tried again on the next beat.
   */
  async renewLeases(): Promise<void> {
    if (!this.#shared.remote) return;
    const now = this.#now();
    const renewals: Promise<void>[] = [];
    for (const session of this.#byName.values()) {
      if (session.revoked || !session.servedHere) continue;
      const leaseMs = session.connections > 0 ? this.#idleMs : this.#idleMs - (now - session.lastSeenAt);
      if (leaseMs <= 0) continue;
      renewals.push(Promise.resolve(this.#shared.claimName(session.name, session.id, leaseMs)).then((claim) => {
        if (!claim.granted) this.#revoke(session, claim.holder);
        else if (claim.newHolder) this.onNewHolder?.(session.name);
      }));
    }
    await Promise.allSettled(renewals);
  }

  /** Stops the lease heartbeat and stops listening to the shared state (which its owner closes). */
  close(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#stopHearing();
  }

  get size(): number {
    return this.#byName.size;
  }

  #admit(name: string, presented: TokenClaims | undefined, address: string): MaybePromise<Admission> {
    const now = this.#now();
    const holder = this.#byName.get(name);
    const heldHere = holder !== undefined && holder.isLive(now, this.#idleMs);
    if (presented?.name === name && (!heldHere || holder.id === presented.sessionId)) {
      // The holder back with its own token: its session again, at no cost.
      return settle(this.#shared.claimName(name, presented.sessionId, this.#idleMs), (claim) => {
        if (!claim.granted) throw nameTaken(name);
        if (claim.newHolder) this.onNewHolder?.(name);
        const session = this.#install(name, presented.sessionId, this.#now());
        session.address = address;
        return { session, token: this.signer.sign(presented) };
      });
    }
    if (heldHere) throw nameTaken(name);
    return settle(this.#takeCreateToken(address), () => {
      const id = randomUUID();
      return settle(this.#shared.claimName(name, id, this.#idleMs), (claim) => {
        if (!claim.granted) throw nameTaken(name);
        if (claim.newHolder) this.onNewHolder?.(name);
        const session = this.#install(name, id, this.#now());
        session.address = address;
        return { session, token: this.signer.sign({ name, sessionId: id }) };
      });
    });
  }

  /** Spends one of the address's new-session allowance (429 rate_limited without one). */
  #takeCreateToken(address: string): MaybePromise<void> {
    const { sessionCreateRatePerSecondPerAddress: ratePerSecond, sessionCreateBurstPerAddress: burst } = this.options;
    if (ratePerSecond === undefined || burst === undefined) return undefined;
    return settle(this.#shared.take([{ key: `create:${address}`, ratePerSecond, burst }]), (refusal) => {
      if (refusal) throw new LabError('rate_limited', 'this address is creating sessions faster than it may', refusal.waitSeconds);
    });
  }

  /** The name's session on this node, made (or seen) now. */
  #install(name: string, id: string, now: number): Session {
    const known = this.#byName.get(name);
    if (known?.id === id && !known.revoked) {
      known.lastSeenAt = now;
      known.servedHere = true;
      return known;
    }
    if (known) known.revoked = true;
    const session = new Session(id, name, now);
    this.#byName.set(name, session);
    return session;
  }

  /** Checks in the shared state that `session` holds its name; revokes it when another does. */
  #confirm(session: Session, claim: Promise<NameClaim>): void {
    session.confirmation = claim.then(
      (outcome) => {
        if (!outcome.granted) this.#revoke(session, outcome.holder);
        else if (outcome.newHolder) this.onNewHolder?.(session.name);
      },
      () => {
        // Redis unreachable: the signed token stands for now; the next lease renewal checks again.
      },
    ).finally(() => {
      session.confirmation = undefined;
    });
  }

  /**
   * Another session holds the name: this one is let go, and the holder is known
   * here for an idle window, so that the old token is refused at once rather
   * than served again while another check runs.
   */
  #revoke(session: Session, holder: string | undefined): void {
    session.revoked = true;
    if (this.#byName.get(session.name) !== session) return;
    if (holder === undefined) this.#byName.delete(session.name);
    else this.#heard(session.name, holder);
  }

  /**
   * A node (maybe this one) gave `name` to `sessionId`: an older session of the
   * name here is revoked, and the holder is known here for an idle window, so
   * that an old token is refused at once rather than after a check.
   */
  #heard(name: string, sessionId: string): void {
    const known = this.#byName.get(name);
    if (known?.id === sessionId) return;
    if (known) known.revoked = true;
    const holder = new Session(sessionId, name, this.#now());
    holder.servedHere = false;
    this.#byName.set(name, holder);
  }
}

function nameTaken(name: string): LabError {
  return new LabError('name_taken', `the name "${name}" is held by a live session`);
}
