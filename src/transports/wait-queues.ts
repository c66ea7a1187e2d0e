import { performance } from 'node:perf_hooks';

/** Something that is due once its `wait` has run out, unless it leaves its queue first. */
export interface Expiring {
  expire(): void;
}

interface Entry {
  readonly item: Expiring;
  readonly deadline: number;
}

/**
 * One timer queue per `wait` value, instead of one setTimeout per held request:
 * requests with the same `wait` expire in the order they arrived, so each queue
 * is a FIFO (a Map in insertion order) with one timer armed for its head. Joining
 * and leaving are O(1) and allocate one small entry, where a Timeout per waiter
 * cost an object, an async id and a timer-list insert and unlink (issue 12).
 * A queue's timer is cleared once it empties, so nothing keeps the process alive.
 */
export class WaitQueues {
  readonly #queues = new Map<number, WaitQueue>();

  /** Calls `item.expire()` after `waitMs`, unless `remove(waitMs, item)` comes first. */
  add(waitMs: number, item: Expiring): void {
    let queue = this.#queues.get(waitMs);
    if (queue === undefined) {
      queue = new WaitQueue(waitMs);
      this.#queues.set(waitMs, queue);
    }
    queue.add(item);
  }

  remove(waitMs: number, item: Expiring): void {
    this.#queues.get(waitMs)?.remove(item);
  }
}

class WaitQueue {
  readonly #entries = new Map<Expiring, Entry>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly waitMs: number) {}

  add(item: Expiring): void {
    this.#entries.set(item, { item, deadline: performance.now() + this.waitMs });
    if (this.#timer === undefined) this.#arm(this.waitMs);
  }

  remove(item: Expiring): void {
    if (!this.#entries.delete(item) || this.#entries.size > 0 || this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delayMs: number): void {
    // One timer per queue, even if a waiter joins while the queue's expiries run.
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onTimer, delayMs);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    for (const entry of this.#entries.values()) {
      if (entry.deadline > now) {
        // The timer's clock (whole milliseconds) may run a little ahead of this one: wait out the rest.
        this.#arm(Math.max(1, Math.ceil(entry.deadline - now)));
        return;
      }
      this.#entries.delete(entry.item);
      entry.item.expire();
    }
  };
}
