import { TokenBucket } from '../server/rate-limit.ts';
import type { BucketCheck, BucketRefusal, NameClaim, NameClaimedListener, SharedState } from './types.ts';

/** Names whose last holder is remembered; a name older than these is treated as changing hands. */
const LAST_HOLDERS_KEPT = 100_000;

interface Lease {
  sessionId: string;
  until: number;
}

/**
 * The shared state of one process (the default): maps, answered at once.
 * Bounded: leases leave when they run out, buckets once refilled (a new one
 * would be the same), last holders past LAST_HOLDERS_KEPT oldest first (which
 * only ever costs an inbox history, never exposes one).
 */
export class MemorySharedState implements SharedState {
  readonly remote = false;
  readonly #leases = new Map<string, Lease>();
  readonly #lastHolder = new Map<string, string>();
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #listeners = new Set<NameClaimedListener>();
  /** `take`'s buckets, reused from call to call (take runs to the end in one turn). */
  readonly #taking: TokenBucket[] = [];
  /** Buckets are swept whenever their count doubles: amortised O(1) per take. */
  #sweepAt = 1024;

  constructor(private readonly now: () => number = Date.now) {}

  claimName(name: string, sessionId: string, leaseMs: number): NameClaim {
    const now = this.now();
    const lease = this.#leases.get(name);
    const heldLive = lease !== undefined && lease.until > now;
    if (heldLive && lease.sessionId !== sessionId) return { granted: false, newHolder: false, holder: lease.sessionId };
    this.#leases.set(name, { sessionId, until: now + leaseMs });
    const newHolder = this.#lastHolder.get(name) !== sessionId;
    if (newHolder) {
      this.#lastHolder.delete(name);
      this.#lastHolder.set(name, sessionId);
      if (this.#lastHolder.size > LAST_HOLDERS_KEPT) this.#lastHolder.delete(this.#lastHolder.keys().next().value as string);
    }
    if (!heldLive) for (const listener of this.#listeners) listener(name, sessionId);
    return { granted: true, newHolder };
  }

  onNameClaimed(listener: NameClaimedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  take(checks: BucketCheck[]): BucketRefusal | undefined {
    if (this.#buckets.size >= this.#sweepAt) this.#sweepAt = Math.max(1024, this.#sweepBuckets() * 2);
    // Every publish passes here: the buckets go into one array kept for it, and each
    // is refilled once (by `wait`) before any is spent.
    const buckets = this.#taking;
    buckets.length = 0;
    for (const check of checks) buckets.push(this.#bucket(check));
    // One reading of the clock for every bucket (they all run on this.now).
    const now = this.now();
    for (let index = 0; index < buckets.length; index++) {
      const waitSeconds = (buckets[index] as TokenBucket).wait(now);
      if (waitSeconds > 0) return { index, waitSeconds };
    }
    for (const bucket of buckets) bucket.spend();
    buckets.length = 0;
    return undefined;
  }

  sweep(): void {
    const now = this.now();
    for (const [name, lease] of this.#leases) if (lease.until <= now) this.#leases.delete(name);
    this.#sweepBuckets();
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  /** Buckets held now (for tests). */
  get bucketCount(): number {
    return this.#buckets.size;
  }

  #bucket({ key, ratePerSecond, burst }: BucketCheck): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(ratePerSecond, burst, this.now);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  #sweepBuckets(): number {
    for (const [key, bucket] of this.#buckets) if (bucket.isFull()) this.#buckets.delete(key);
    return this.#buckets.size;
  }
}
