import type { CatchUp, LiveMessage, MessageBus, Positions } from '../bus/types.ts';
import type { Gap, Message } from '../protocol/index.ts';
import { envelopeJson } from './envelope-json.ts';

/** What a transport does with what the outbox releases, in order, each once. */
export interface OutboxSink {
  /** `json` is the envelope, one string per message shared by every recipient (envelope-json.ts). */
  message(message: Message, json: string): void;
  gap(gap: Gap): void;
}

type State = 'new' | 'buffering' | 'live' | 'closed';

/**
 * One client's position in its topics, on top of the bus (PROTOCOL.md § Cursors):
 * `begin` turns the cursor into positions and subscribes live (buffering), the
 * catch-up reads what the positions have not seen, and `goLive` releases the
 * buffer and then every live message, dropping seqs ≤ position — nothing missed,
 * nothing twice. A hole in the live seqs (which the bus should never cause) is
 * repaired with another catch-up rather than skipped.
 *
 * Live listeners sit in the bus's Set per topic, so a held long poll, a stream
 * and a socket all join and leave in O(1), and one publish releases N waiters in O(N).
 *
 * When the bus's epoch changes under it (its backend lost the history, so seqs
 * start again at 1), a started outbox tells its client through the sink — one
 * `restarted` gap per topic, as `start` does for a cursor of another epoch —
 * and every position goes back to 0 under the new epoch: the new epoch's
 * messages are delivered, none dropped as "already seen", none twice. A read
 * that was in flight then is discarded and read again from the new positions.
 */
export class Outbox {
  positions: Positions = {};
  #state: State = 'new';
  #pending: LiveMessage[] = [];
  #unsubscribe: (() => void) | undefined;
  #limit = 100;
  /** True once `begin` set the positions: from then on a restart is owed to the client as a gap. */
  #positioned = false;
  /** Counts epoch changes heard: a read that spans one is stale. */
  #restarts = 0;

  constructor(
    private readonly bus: MessageBus,
    readonly topics: string[],
    private readonly sink: OutboxSink,
  ) {}

  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** Resolves the cursor and subscribes live; returns the gaps the start point reports. */
  async begin(cursor: string | undefined, backlog: number): Promise<Gap[]> {
    if (this.#state !== 'new') return [];
    this.#state = 'buffering';
    // Subscribe before reading: a message stored meanwhile is buffered, not missed.
    this.#unsubscribe = this.bus.subscribe(this.topics, this.#onLive, this.#onRestart);
    try {
      let start;
      let restarts;
      do {
        // A start that spans an epoch change read (part of) the old history: start again under the new one.
        restarts = this.#restarts;
        start = await this.bus.start(this.topics, cursor, backlog);
      } while (restarts !== this.#restarts && !this.closed);
      this.positions = { ...start.positions };
      this.#positioned = true;
      return start.gaps;
    } catch (error) {
      // A cursor that is not ours: nothing was started, so nothing stays subscribed.
      this.close();
      throw error;
    }
  }

  /**
   * Live from `positions` on, with no catch-up of its own: for a caller that
   * read up to them in this same turn and found nothing newer (a long-poll
   * room taking over held requests, longpoll-room.ts), so nothing can slip
   * between that read and this subscription. `limit` sizes a repair's reads.
   */
  startLive(positions: Positions, limit: number): void {
    if (this.#state !== 'new') return;
    this.#limit = limit;
    this.positions = { ...positions };
    this.#positioned = true;
    this.#state = 'live';
    this.#unsubscribe = this.bus.subscribe(this.topics, this.#onLive, this.#onRestart);
  }

  /** True while live messages go straight to the sink (not buffered behind a catch-up or a repair). */
  get live(): boolean {
    return this.#state === 'live';
  }

  /** One catch-up read of at most `limit` messages; positions move past what it returns. */
  async readBatch(limit: number): Promise<CatchUp> {
    for (;;) {
      const restarts = this.#restarts;
      const batch = await this.bus.catchUp(this.positions, limit);
      if (this.closed) return batch;
      // The epoch changed meanwhile: the positions were reset (and the gap sent); read again from them.
      if (restarts !== this.#restarts) continue;
      this.positions = { ...batch.positions };
      return batch;
    }
  }

  /**
   * Streams every gap and message the positions have not seen through the sink,
   * in batches of `limit`. `ready`, when given, is awaited before each batch
   * after the first: a stream waits there for its client to take what it has
   * been sent, so a long replay does not pile up in memory (or trip the
   * stream's buffer bound while its client reads).
   */
  async drain(limit: number, ready?: () => Promise<void>): Promise<void> {
    this.#limit = limit;
    for (let first = true; ; first = false) {
      if (!first && ready) {
        await ready();
        if (this.closed) return;
      }
      const before = { ...this.positions };
      const restarts = this.#restarts;
      const batch = await this.bus.catchUp(before, limit);
      if (this.closed) return;
      // The epoch changed meanwhile: this batch belongs to the old positions; read again from the reset ones.
      if (restarts !== this.#restarts) continue;
      this.positions = before;
      for (const gap of batch.gaps) {
        this.positions[gap.topic] = Math.max(this.positions[gap.topic] ?? 0, gap.to);
        this.sink.gap(gap);
      }
      for (const message of batch.messages) {
        this.positions[message.topic] = message.seq;
        this.sink.message(message, envelopeJson(message));
        if (this.closed) return;
      }
      this.positions = { ...batch.positions };
      if (!batch.more) return;
    }
  }

  /** Releases the buffered live messages, then delivers live as they come. */
  goLive(): void {
    if (this.closed) return;
    const pending = this.#pending;
    this.#pending = [];
    this.#state = 'live';
    for (let i = 0; i < pending.length; i++) {
      if (!this.#accept(pending[i])) {
        // A hole: the repair catches up first; keep the rest, in order, behind it.
        this.#pending.push(...pending.slice(i + 1));
        return;
      }
    }
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    // Most outboxes close with nothing buffered: no new array for them.
    if (this.#pending.length > 0) this.#pending = [];
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /**
   * The bus's epoch changed: what is buffered is of the old epoch, and so are
   * the positions. A started outbox owes its client a `restarted` gap per topic
   * and starts every topic over at 0; one still starting just starts again
   * (`begin` reads the start point under the new epoch).
   */
  readonly #onRestart = (): void => {
    if (this.#state === 'new' || this.#state === 'closed') return;
    this.#restarts += 1;
    this.#pending = [];
    if (!this.#positioned) return;
    const positions: Positions = {};
    for (const topic of this.topics) positions[topic] = 0;
    this.positions = positions;
    for (const topic of this.topics) {
      this.sink.gap({ topic, from: 1, to: 0, reason: 'restarted' });
      if (this.closed) return;
    }
    // Live, the next messages are seqs 1, 2…; one this node missed shows as a hole, which #accept repairs.
  };

  readonly #onLive = (live: LiveMessage): void => {
    if (this.#state === 'buffering') this.#pending.push(live);
    else if (this.#state === 'live') this.#accept(live);
  };

  /** Delivers one live message in order; false when a hole sent us back to catching up. */
  #accept(live: LiveMessage): boolean {
    const { topic, seq } = live.message;
    const position = this.positions[topic] ?? 0;
    if (seq <= position) return true;
    if (seq > position + 1) {
      this.#pending.push(live);
      void this.#repair();
      return false;
    }
    this.positions[topic] = seq;
    this.sink.message(live.message, envelopeJson(live.message, live.json));
    return true;
  }

  async #repair(): Promise<void> {
    this.#state = 'buffering';
    try {
      await this.drain(this.#limit);
      this.goLive();
    } catch (error) {
      console.error('transport-lab: outbox repair failed', error);
      this.close();
    }
  }
}
