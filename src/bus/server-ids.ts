/**
 * The ids the server made for a topic's held messages (`s-<epoch>-<n>`), by
 * their number `n`: what an idempotency lookup needs to find one, without a
 * hash-map entry per message. The adapter numbers its ids in the order it
 * stores messages, so within a topic the numbers grow with the seqs: a queue
 * in store order, searched by halves, dropped from the front as the topic's
 * oldest messages go. Hashing each new id string into a Map (and out again)
 * was a third of what storing a publish cost (issue 12).
 */
export class ServerIds {
  #numbers: number[] = [];
  #seqs: number[] = [];
  #head = 0;

  /** Records the message `seq`, whose id has number `n` (greater than every number held). */
  push(n: number, seq: number): void {
    this.#numbers.push(n);
    this.#seqs.push(seq);
  }

  /** Drops the entry of `seq` if it is the oldest held (a message leaving oldest first); true when it was. */
  dropOldest(seq: number): boolean {
    if (this.#head >= this.#seqs.length || this.#seqs[this.#head] !== seq) return false;
    this.#head += 1;
    if (this.#head === this.#seqs.length) this.clear();
    else if (this.#head > 1024 && this.#head * 2 > this.#seqs.length) {
      this.#numbers = this.#numbers.slice(this.#head);
      this.#seqs = this.#seqs.slice(this.#head);
      this.#head = 0;
    }
    return true;
  }

  /** The seq of the held message whose id has number `n`, if one is held. */
  seqOf(n: number): number | undefined {
    let low = this.#head;
    let high = this.#numbers.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = this.#numbers[middle] as number;
      if (at === n) return this.#seqs[middle];
      if (at < n) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  clear(): void {
    this.#numbers = [];
    this.#seqs = [];
    this.#head = 0;
  }
}
