/** How many names a node remembers as known before it starts over (a bound on memory, not on correctness). */
export const KNOWN_USERS_MAX = 10_000;

/**
 * The names a networked adapter has seen its backend confirm ever held a
 * session, so that `knowsUser` (every direct message) asks Redis once per
 * name rather than every time.
 *
 * Exact, not a cache that can be stale: the set of names that ever held a
 * session only grows — until the backend loses its data, which is a new
 * epoch, and the adapter clears this then. A name is only added when the
 * epoch did not change while it was asked (`sameEpoch`). A name never seen
 * is always asked: a negative answer is never kept, so a name that gets its
 * first session on another node is known here at once. When full, it starts
 * over empty (the next asks go to Redis again).
 */
export class KnownUsers {
  readonly #names = new Set<string>();

  has(name: string): boolean {
    return this.#names.has(name);
  }

  add(name: string, sameEpoch: boolean): void {
    if (!sameEpoch) return;
    if (this.#names.size >= KNOWN_USERS_MAX) this.#names.clear();
    this.#names.add(name);
  }

  clear(): void {
    this.#names.clear();
  }
}
