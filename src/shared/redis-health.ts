import type { Redis } from 'ioredis';
import { claimSecretFingerprint, SecretMismatchError } from './secret-fingerprint.ts';

/**
 * Whether this node's Redis answers, for `/healthz` (docs/api.md § Several
 * nodes): a PING every `intervalMs` on the shared-state connection, which
 * fails within the command timeout when Redis is paused or gone. Each answered
 * beat also stores this node's secret fingerprint again (SET NX), so a Redis
 * restarted without its data gets it back before a node with another secret
 * could claim it.
 */
export class RedisHealth {
  #problem: string | undefined;
  #pending = false;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly redis: Redis,
    private readonly fingerprintKey: string,
    private readonly fingerprint: string,
    intervalMs: number,
  ) {
    this.#timer = setInterval(() => void this.check(), intervalMs);
    this.#timer.unref();
  }

  /** Undefined while Redis answers; else what is wrong, in a few words. */
  get problem(): string | undefined {
    return this.#problem;
  }

  /** One beat now (the timer calls it; tests may too). */
  async check(): Promise<void> {
    if (this.#pending) return;
    this.#pending = true;
    try {
      await this.redis.ping();
      await claimSecretFingerprint(this.redis, this.fingerprintKey, this.fingerprint);
      this.#problem = undefined;
    } catch (error) {
      this.#problem = error instanceof SecretMismatchError ? 'another node on this Redis signs with a different TRANSPORT_LAB_SECRET' : 'redis unreachable';
    } finally {
      this.#pending = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
