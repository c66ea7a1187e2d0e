/**
 * The last seqs of evicted topics, so that a topic made again continues above
 * them (issue 8, finding 5: eviction must not reuse seqs silently). Bounded:
 * past `max` entries the oldest folds into `floor`, a seq at least as high as
 * every seq any forgotten topic gave out. A topic with neither a tombstone nor
 * a log starts at `floor` — so in the worst case a client resuming such a topic
 * sees a gap it did not strictly need, never a seq that meant another message.
 */
export class Tombstones {
  readonly #lastSeqs = new Map<string, number>();
  #floor = 0;
  /** Accounted bytes of the entries (a Map entry and the name's characters). */
  bytes = 0;

  constructor(
    private readonly max: number,
    /** Tombstones may take this many bytes before the oldest fold (so they never crowd out history). */
    private readonly maxBytes = Infinity,
  ) {}

  /** Where `topic`'s seqs continue: its tombstone, else the floor. */
  lastSeqOf(topic: string): number {
    return this.#lastSeqs.get(topic) ?? this.#floor;
  }

  get floor(): number {
    return this.#floor;
  }

  get size(): number {
    return this.#lastSeqs.size;
  }

  /** Remembers an evicted topic's last seq (nothing to remember at or below the floor). */
  bury(topic: string, lastSeq: number): void {
    this.take(topic);
    if (lastSeq <= this.#floor) return;
    this.#lastSeqs.set(topic, lastSeq);
    this.bytes += tombstoneBytes(topic);
    while (this.#lastSeqs.size > this.max || this.bytes > this.maxBytes) this.foldOldest();
  }

  /** The topic's last seq, its tombstone removed (the topic lives again). */
  take(topic: string): number {
    const lastSeq = this.#lastSeqs.get(topic);
    if (lastSeq === undefined) return this.#floor;
    this.#lastSeqs.delete(topic);
    this.bytes -= tombstoneBytes(topic);
    return lastSeq;
  }

  /** Forgets the oldest tombstone into the floor; false when there is none. */
  foldOldest(): boolean {
    const oldest = this.#lastSeqs.entries().next();
    if (oldest.done) return false;
    const [topic, lastSeq] = oldest.value;
    this.#lastSeqs.delete(topic);
    this.bytes -= tombstoneBytes(topic);
    this.#floor = Math.max(this.#floor, lastSeq);
    return true;
  }
}

function tombstoneBytes(topic: string): number {
  return 64 + 2 * topic.length;
}
