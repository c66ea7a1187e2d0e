import type { Message } from '../protocol/envelope.ts';
import type { HistorySlice } from './types.ts';

/** How many messages one repair read asks for. */
const REPAIR_BATCH = 500;

/**
 * Turns the live copies a networked adapter receives (Redis pub/sub, which
 * loses whatever is published while its connection is down) into what
 * BusAdapter.onMessage promises: every stored message, once, in seq order per
 * topic. Per topic it remembers the last seq it passed on; a copy at or below
 * it is dropped, a copy past a hole waits while the hole is read from history,
 * and `resync()` (after a reconnect) reads every known topic's tail.
 *
 * What history no longer holds (trimmed meanwhile) is skipped: the receivers
 * see the hole and report it as a `trimmed` gap from their own catch-up.
 */
export class LiveFeed {
  /** topic → last seq passed on. One number per topic this node has heard. */
  readonly #lastSeq = new Map<string, number>();
  /** topic → copies that arrived while a repair of that topic was reading. */
  readonly #waiting = new Map<string, Message[]>();

  constructor(
    private readonly read: (topic: string, afterSeq: number, limit: number) => Promise<HistorySlice>,
    private readonly emit: (message: Message) => void,
  ) {}

  receive(message: Message): void {
    const waiting = this.#waiting.get(message.topic);
    if (waiting) {
      waiting.push(message);
      return;
    }
    const last = this.#lastSeq.get(message.topic);
    if (last !== undefined && message.seq <= last) return;
    if (last !== undefined && message.seq > last + 1) {
      this.#waiting.set(message.topic, [message]);
      void this.#repair(message.topic);
      return;
    }
    this.#pass(message);
  }

  /** The last seq passed on for `topic`; undefined when none was. */
  lastPassed(topic: string): number | undefined {
    return this.#lastSeq.get(topic);
  }

  /** True while a hole of `topic` is being read from history (copies wait meanwhile). */
  repairing(topic: string): boolean {
    return this.#waiting.has(topic);
  }

  /** Reads what every known topic may have missed (call once live copies flow again). */
  resync(): void {
    for (const topic of this.#lastSeq.keys()) {
      if (this.#waiting.has(topic)) continue;
      this.#waiting.set(topic, []);
      void this.#repair(topic);
    }
  }

  /**
   * The history restarted under a new epoch, and its seqs with it: every known
   * topic starts over at 0 (not forgotten), so that `resync()` after the
   * reconnect reads what the new epoch stored while live copies were lost.
   */
  reset(): void {
    for (const topic of this.#lastSeq.keys()) this.#lastSeq.set(topic, 0);
  }

  #pass(message: Message): void {
    this.#lastSeq.set(message.topic, message.seq);
    this.emit(message);
  }

  async #repair(topic: string): Promise<void> {
    let repaired = true;
    try {
      for (;;) {
        const last = this.#lastSeq.get(topic) ?? 0;
        const slice = await this.read(topic, last, REPAIR_BATCH);
        if (slice.firstHeldSeq > last + 1) this.#lastSeq.set(topic, slice.firstHeldSeq - 1);
        for (const message of slice.messages) if (message.seq > (this.#lastSeq.get(topic) ?? 0)) this.#pass(message);
        if ((this.#lastSeq.get(topic) ?? 0) >= slice.lastSeq || slice.messages.length === 0) break;
      }
    } catch {
      repaired = false;
    }
    const waiting = (this.#waiting.get(topic) ?? []).sort((a, b) => a.seq - b.seq);
    this.#waiting.delete(topic);
    for (const message of waiting) {
      if (repaired) this.receive(message);
      // The backend is away: pass the copies on over the hole rather than
      // retry in a loop; the receivers' own catch-up repairs it.
      else if (message.seq > (this.#lastSeq.get(topic) ?? 0)) this.#pass(message);
    }
  }
}
