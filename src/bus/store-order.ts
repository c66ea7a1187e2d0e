import type { TopicLog } from './topic-log.ts';

/**
 * Every held message in the order it was stored, across topics, so that the
 * global byte cap drops the globally oldest first. An entry whose message went
 * another way (overwritten by its topic's own cap, forgotten, evicted with its
 * topic) is stale and skipped when it comes up; `stale` counts them, and the
 * queue is rebuilt without them when they outnumber the live ones, so it stays
 * O(held messages).
 */
export class StoreOrder {
  #logs: (TopicLog | undefined)[] = [];
  #seqs: number[] = [];
  #head = 0;
  #stale = 0;

  push(log: TopicLog, seq: number): void {
    this.#logs.push(log);
    this.#seqs.push(seq);
  }

  /** Marks `count` entries stale (their messages left without passing through `shift`). */
  markStale(count: number): void {
    this.#stale += count;
    if (this.#stale > 4096 && this.#stale * 2 > this.length) this.#rebuild();
  }

  /**
   * The log of the globally oldest held message (which is that log's oldest),
   * its entry removed from the queue; undefined when none is left.
   */
  shift(): TopicLog | undefined {
    while (this.#head < this.#logs.length) {
      const log = this.#logs[this.#head] as TopicLog;
      const seq = this.#seqs[this.#head] as number;
      this.#logs[this.#head] = undefined;
      this.#head += 1;
      if (this.#head > 4096 && this.#head * 2 > this.#logs.length) this.#compact();
      if (isHeld(log, seq)) return log;
      this.#stale -= 1;
    }
    return undefined;
  }

  get length(): number {
    return this.#logs.length - this.#head;
  }

  #compact(): void {
    this.#logs = this.#logs.slice(this.#head);
    this.#seqs = this.#seqs.slice(this.#head);
    this.#head = 0;
  }

  /** Keeps only the entries of messages still held. */
  #rebuild(): void {
    const logs: TopicLog[] = [];
    const seqs: number[] = [];
    for (let i = this.#head; i < this.#logs.length; i++) {
      const log = this.#logs[i] as TopicLog;
      const seq = this.#seqs[i] as number;
      if (isHeld(log, seq)) {
        logs.push(log);
        seqs.push(seq);
      }
    }
    this.#logs = logs;
    this.#seqs = seqs;
    this.#head = 0;
    this.#stale = 0;
  }
}

/** An evicted log's entries are all stale, even where a new log has the same topic. */
function isHeld(log: TopicLog, seq: number): boolean {
  return !log.evicted && seq >= log.firstHeldSeq && seq <= log.lastSeq;
}
