import { performance } from 'node:perf_hooks';

/** Something that is due once its `wait` has run out, unless it leaves its queue first. */
export interface Expiring {
  expire(): void;
  /** Where it sits in its queue: written by the queue (-1 when in none), read back by `remove`. */
  waitSlot: number;
}

/**
 * One timer queue per `wait` value, instead of one setTimeout per held request:
 * requests with the same `wait` expire in the order they arrived, so each queue
 * is a FIFO with one timer armed for its head. A Timeout per waiter cost an
 * object, an async id and a timer-list insert and unlink (issue 12).
 * A queue's timer is cleared once it empties, so nothing keeps the process alive.
 */
export class WaitQueues<T extends Expiring = Expiring> {
  readonly #queues = new Map<number, WaitQueue<T>>();

  /** Calls `item.expire()` after `waitMs`, unless `remove(waitMs, item)` comes first. */
  add(waitMs: number, item: T): void {
    let queue = this.#queues.get(waitMs);
    if (queue === undefined) {
      queue = new WaitQueue<T>(waitMs);
      this.#queues.set(waitMs, queue);
    }
    queue.add(item);
  }

  remove(waitMs: number, item: T): void {
    this.#queues.get(waitMs)?.remove(item);
  }

  /** Everything waiting now, oldest first per queue (a stopping server answers them all). */
  *waiting(): Generator<T> {
    for (const queue of this.#queues.values()) yield* queue.waiting();
  }
}

/**
 * A FIFO in two arrays — the items and their deadlines (unboxed doubles) —
 * with no object and no hash entry per item: leaving writes its slot empty,
 * which is all that one publish releasing 10,000 held requests does here per
 * request. Empty slots are dropped when they outnumber the live ones, on the
 * next join (never in the middle of a release), so the arrays stay within
 * twice the requests held (and at least `COMPACT_FROM` slots).
 */
class WaitQueue<T extends Expiring> {
  #items: (T | undefined)[] = [];
  #deadlines: number[] = [];
  /** The first slot the timer has not passed yet. */
  #head = 0;
  #live = 0;
  #expiring = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly waitMs: number) {}

  add(item: T): void {
    if (!this.#expiring && this.#items.length - this.#live > Math.max(this.#live, COMPACT_FROM)) this.#compact();
    item.waitSlot = this.#items.length;
    this.#items.push(item);
    this.#deadlines.push(performance.now() + this.waitMs);
    this.#live += 1;
    if (this.#timer === undefined) this.#arm(this.waitMs);
  }

  remove(item: T): void {
    const slot = item.waitSlot;
    if (slot < 0 || this.#items[slot] !== item) return;
    this.#items[slot] = undefined;
    item.waitSlot = -1;
    this.#live -= 1;
    if (this.#live === 0 && !this.#expiring) this.#empty();
  }

  *waiting(): Generator<T> {
    for (let i = this.#head; i < this.#items.length; i += 1) {
      const item = this.#items[i];
      if (item !== undefined) yield item;
    }
  }

  #empty(): void {
    this.#items = [];
    this.#deadlines = [];
    this.#head = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Drops the empty slots; the live items keep their order and learn their new slots. */
  #compact(): void {
    const items: T[] = [];
    const deadlines: number[] = [];
    for (let i = this.#head; i < this.#items.length; i += 1) {
      const item = this.#items[i];
      if (item === undefined) continue;
      item.waitSlot = items.length;
      items.push(item);
      deadlines.push(this.#deadlines[i] as number);
    }
    this.#items = items;
    this.#deadlines = deadlines;
    this.#head = 0;
  }

  #arm(delayMs: number): void {
    // One timer per queue, even if a waiter joins while the queue's expiries run.
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onTimer, delayMs);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    // Items may join (or leave) while expiries run: slots stay where they are until the loop ends.
    this.#expiring = true;
    try {
      while (this.#head < this.#items.length) {
        const slot = this.#head;
        const item = this.#items[slot];
        if (item === undefined) {
          this.#head += 1;
          continue;
        }
        const deadline = this.#deadlines[slot] as number;
        if (deadline > now) {
          // The timer's clock (whole milliseconds) may run a little ahead of this one: wait out the rest.
          this.#arm(Math.max(1, Math.ceil(deadline - now)));
          return;
        }
        this.#head += 1;
        this.#items[slot] = undefined;
        item.waitSlot = -1;
        this.#live -= 1;
        item.expire();
      }
    } finally {
      this.#expiring = false;
      if (this.#live === 0) this.#empty();
    }
  };
}

/** Below this many slots a queue is not worth compacting. */
const COMPACT_FROM = 64;
