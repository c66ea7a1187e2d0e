/**
 * Reconnection delays: exponential growth with "full jitter" — a uniformly
 * random delay between 0 and min(maxMs, minMs · 2^attempt) — so that clients
 * cut off together do not come back together.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** A number in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions) {
    if (!(options.minMs >= 0) || !(options.maxMs >= options.minMs)) {
      throw new RangeError(`backoff needs 0 <= minMs <= maxMs, got ${options.minMs} and ${options.maxMs}`);
    }
    this.minMs = options.minMs;
    this.maxMs = options.maxMs;
    this.random = options.random ?? Math.random;
  }

  /** The ceiling of the next delay, before jitter. */
  ceiling(): number {
    // 2 ** attempt overflows to Infinity eventually; Math.min keeps it at maxMs.
    return Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
  }

  /** The delay before the next attempt; each call grows the ceiling. */
  next(): number {
    const delay = Math.floor(this.random() * this.ceiling());
    this.attempt += 1;
    return delay;
  }

  /** After a success: the next failure starts small again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
