import { performance } from 'node:perf_hooks';

/**
 * How long the server takes to hand one message's copies to its sockets
 * (issue 13: the theory's fan-out term). A publish reaches its live receivers
 * in one pass, but the copies are written one after another: the last of 40
 * long-poll answers leaves a millisecond or more after the first, and every
 * copy between waits its turn. That is part of the path a message takes, so
 * the bench's theory adds it (about half of it per copy, on average), measured
 * here, on the server, never inferred from the latency.
 *
 * A hand-out runs from the start of the bus's dispatch of a message to the end
 * of that turn's writes: the transports write in the dispatch itself, in a
 * microtask (corked sockets, src/transports/turn-cork.ts) or in the check phase
 * of the same loop iteration (long-poll rooms answer in one setImmediate,
 * scheduled during the dispatch). One setImmediate, queued after the
 * dispatch, runs after all of those: it ends every hand-out of the turn.
 */
export class FanoutClock {
  /** Hand-outs ended so far, and their summed time (µs). */
  #count = 0;
  #micros = 0;
  /** Starts (performance.now) of this turn's hand-outs, ended together. */
  #pending: number[] = [];

  /** A hand-out started at `startedAt` (performance.now); its writes are under way or queued for this turn. */
  handedOut(startedAt: number): void {
    if (this.#pending.length === 0) setImmediate(this.#end);
    this.#pending.push(startedAt);
  }

  /** Hand-outs ended so far and their summed time, µs. */
  figures(): { fanouts: number; fanoutMicros: number } {
    return { fanouts: this.#count, fanoutMicros: Math.round(this.#micros) };
  }

  readonly #end = (): void => {
    const now = performance.now();
    for (const startedAt of this.#pending) this.#micros += (now - startedAt) * 1000;
    this.#count += this.#pending.length;
    this.#pending = [];
  };
}
