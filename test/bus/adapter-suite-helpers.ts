import type { BusAdapter, LiveMessage, MessageBus, Positions } from '../../src/bus/index.ts';
import type { Message } from '../../src/protocol/index.ts';
import { LabError } from '../../src/protocol/index.ts';

/** What the bus-adapter conformance cases (adapter-suite.ts) use to publish, listen and judge. */

/** The error a promise rejected with, as a LabError (fails the test otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<LabError> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  if (!(outcome instanceof LabError)) {
    throw new Error(`expected a LabError, got ${outcome === undefined ? 'success' : String(outcome)}`);
  }
  return outcome;
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Lets the event loop run other work (timers, I/O, other publishers) — not a
 * wait for anything: the in-memory adapter never yields by itself, so without
 * this a publisher loop would finish before the receiver could interleave.
 */
export function yieldToOthers(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Records what an adapter's `onMessage` delivers. */
export function listen(adapter: BusAdapter): { messages: Message[]; seqsOf(topic: string): number[] } {
  const messages: Message[] = [];
  adapter.onMessage((message) => messages.push(message));
  return { messages, seqsOf: (topic) => messages.filter((m) => m.topic === topic).map((m) => m.seq) };
}

/**
 * A receiver that follows MessageBus.subscribe's contract to the letter and
 * repairs nothing (unlike src/transports/outbox.ts, which re-reads on a hole):
 * subscribe and buffer, start and catch up from 0, release the buffer, then
 * take each live message; live seqs ≤ position are dropped, and every other
 * one must be position + 1.
 */
export class StrictReceiver {
  readonly seqs: number[] = [];
  readonly faults: string[] = [];
  caughtUp = 0;
  /** Messages taken after the catch-up: released from the buffer or live. */
  live = 0;
  #buffer: LiveMessage[] | undefined = [];
  #position = 0;

  constructor(private readonly bus: MessageBus, private readonly topic: string) {}

  async begin(): Promise<void> {
    this.bus.subscribe([this.topic], (live) => {
      if (this.#buffer) this.#buffer.push(live);
      else this.#takeLive(live.message);
    });
    const start = await this.bus.start([this.topic], this.bus.encodeCursor({ [this.topic]: 0 }), 0);
    let positions: Positions = start.positions;
    for (;;) {
      const batch = await this.bus.catchUp(positions, 25);
      if (batch.gaps.length > 0) this.faults.push(`gaps in catch-up: ${JSON.stringify(batch.gaps)}`);
      for (const message of batch.messages) this.#take(message);
      this.caughtUp += batch.messages.length;
      positions = batch.positions;
      if (!batch.more) break;
      // A transport writes each batch before the next read; publishes land in between.
      await yieldToOthers();
    }
    const buffered = this.#buffer ?? [];
    this.#buffer = undefined;
    for (const live of buffered) this.#takeLive(live.message);
  }

  /**
   * Live messages the catch-up already gave are dropped, whether they were
   * buffered or arrive later: over a network the read can see a message
   * before its live copy reaches this node.
   */
  #takeLive(message: Message): void {
    if (message.seq <= this.#position) return;
    this.live += 1;
    this.#take(message);
  }

  #take(message: Message): void {
    if (message.seq !== this.#position + 1) this.faults.push(`seq ${message.seq} after ${this.#position}`);
    this.#position = Math.max(this.#position, message.seq);
    this.seqs.push(message.seq);
  }
}
