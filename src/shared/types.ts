/**
 * What several nodes must agree on besides the bus (issue 10): who holds a
 * name, and how much of each rate limit is spent. One interface, two
 * implementations — in this process's memory (the default, synchronous) and
 * in Redis (several nodes) — and one conformance suite
 * (test/server/shared-state-suite.ts) run against both.
 *
 * The methods may answer with a promise: the in-memory implementation answers
 * at once, so the single-process hot path pays no await (see `settle`).
 */
export type MaybePromise<T> = T | Promise<T>;

export interface NameClaim {
  /** The session holds the name now: it was free, its lease had run out, or this session held it already. */
  granted: boolean;
  /**
   * Granted to a session other than the last one that ever held the name: the
   * name's inbox history must not pass to it (issue 8, finding 8; bus.forget).
   */
  newHolder: boolean;
  /** Refused: the session that holds the name. */
  holder?: string;
}

/** One token bucket to check: `key` names it for every node (e.g. `publish-session:<id>`). */
export interface BucketCheck {
  key: string;
  ratePerSecond: number;
  burst: number;
}

export interface BucketRefusal {
  /** The first bucket (index in the checks) that had no token. */
  index: number;
  /** Seconds until it has one. */
  waitSeconds: number;
}

export type NameClaimedListener = (name: string, sessionId: string) => void;

export interface SharedState {
  /** True when the state lives outside this process (its answers are promises). */
  readonly remote: boolean;
  /**
   * Claims `name` for `sessionId` with a lease of `leaseMs` (a holder renews it
   * while it is live): granted when nobody holds it, the lease ran out, or
   * `sessionId` holds it already (a holder back with its own token). A refused
   * claim changes nothing.
   */
  claimName(name: string, sessionId: string, leaseMs: number): MaybePromise<NameClaim>;
  /**
   * Called when a name passes to a session that did not hold a live lease on
   * it, on whichever node claimed it (this one included). Best effort across
   * nodes (pub/sub): a node that missed it learns on its next check.
   */
  onNameClaimed(listener: NameClaimedListener): () => void;
  /**
   * Checks every bucket and spends one token from each only when all have one:
   * a refusal costs nothing. Answers undefined when allowed.
   */
  take(checks: BucketCheck[]): MaybePromise<BucketRefusal | undefined>;
  /** Lets go of what no longer matters (expired leases, refilled buckets). */
  sweep(): void;
  close(): Promise<void>;
}

/** Continues with a value now, or once its promise settles: no await for an answer that is already here. */
export function settle<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
