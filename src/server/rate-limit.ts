/**
 * A token bucket: `ratePerSecond` tokens flow in, at most `burst` are kept.
 * One per session limits its publishes on every transport alike; one per
 * client address (AddressBuckets) keeps new sessions from resetting that limit.
 */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#refilledAt = now();
  }

  /** Seconds until a token is available (0: one is), spending nothing; `now` from this bucket's clock. */
  wait(now = this.now()): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.ratePerSecond;
  }

  /** Spends one token; returns 0 when allowed, else the seconds until one is available. */
  take(): number {
    const wait = this.wait();
    if (wait === 0) this.#tokens -= 1;
    return wait;
  }

  /** Spends the token `wait()` just found (0) in this same turn: no second refill. */
  spend(): void {
    this.#tokens -= 1;
  }

  /** True when the bucket is as full as a new one: forgetting it changes nothing. */
  isFull(): boolean {
    this.#refill();
    return this.#tokens >= this.burst;
  }

  #refill(now = this.now()): void {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.ratePerSecond);
    this.#refilledAt = now;
  }
}

/**
 * Buckets kept per client address (issue 8, finding 7: fresh sessions must not
 * reset a limit). Only addresses that spent something are kept, and a bucket
 * that has refilled is forgotten by `sweep()` (a new one would be the same),
 * so the map holds only the addresses active in the last `burst / rate` seconds.
 */
export class AddressBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The address's bucket, made full on first use. */
  of(address: string): TokenBucket {
    let bucket = this.#buckets.get(address);
    if (!bucket) {
      bucket = new TokenBucket(this.ratePerSecond, this.burst, this.now);
      this.#buckets.set(address, bucket);
    }
    return bucket;
  }

  /** Forgets the buckets that have refilled; returns how many remain. */
  sweep(): number {
    for (const [address, bucket] of this.#buckets) if (bucket.isFull()) this.#buckets.delete(address);
    return this.#buckets.size;
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/**
 * The key of a client's address for the per-address limits: the socket's
 * remote address (no proxy header is trusted). An IPv4-mapped IPv6 address is
 * its IPv4 address; a global IPv6 address counts by its /64 prefix, which one
 * machine on a LAN can fill with addresses of its own (SLAAC privacy addresses).
 */
export function addressKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1] as string;
  if (!remoteAddress.includes(':') || remoteAddress === '::1') return remoteAddress;
  const groups = expandIpv6(remoteAddress);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : remoteAddress;
}

/** The eight groups of an IPv6 address (zone dropped), or undefined when it is not one. */
function expandIpv6(address: string): string[] | undefined {
  const bare = address.split('%')[0] as string;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  return [...head, ...Array<string>(missing).fill('0'), ...tail].map((group) => group.toLowerCase());
}
