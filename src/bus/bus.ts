import { performance } from 'node:perf_hooks';
import type { Gap, Message } from '../protocol/envelope.ts';
import type { BusStats } from '../protocol/stats.ts';
import { copyPositions, decodeCursorShared, encodeCursor, newPositions } from './cursor.ts';
import { FanoutClock } from './fanout-clock.ts';
import type {
  AdapterStats, BusAdapter, CatchUp, DecodedCursor, HistorySlice, LiveListener, LiveMessage, MessageBus, Positions, PublishInput, PublishOutcome,
  StartPoint,
} from './types.ts';

/**
 * The bus the transports talk to: cursors and catch-up on top of an adapter's
 * history, and this process's live subscriptions (topic → listeners), fed by
 * the adapter's stream of stored messages. What several nodes must agree on
 * (history, epoch, known users) stays behind the adapter.
 */
export class Bus implements MessageBus {
  private readonly listenersByTopic = new Map<string, Set<LiveListener>>();
  private subscriptionCount = 0;
  private readonly stopFeed: () => void;
  private readonly stopEpochs: (() => void) | undefined;
  /**
   * The subscriptions' `onRestart`, only over an adapter whose epoch can change
   * (`onEpoch`); over the in-memory adapter it stays undefined and costs nothing.
   */
  readonly #restartListeners: Set<() => void> | undefined;
  /** The adapter's last figures, for `stats()` over an adapter without `statsSync`. */
  #lastStats: AdapterStats | undefined;
  #refreshingStats = false;
  #closed = false;
  /** How long each message's hand-out to its live receivers takes (the bench's fan-out term). */
  readonly #fanout = new FanoutClock();

  /** Present when the adapter answers from memory (see MessageBus.startSync). */
  readonly startSync: MessageBus['startSync'];
  readonly catchUpSync: MessageBus['catchUpSync'];
  readonly publishSync: MessageBus['publishSync'];

  /** `adapter` must be connected (see `connectBus`). */
  constructor(private readonly adapter: BusAdapter) {
    const inMemory = adapter.readSync !== undefined && adapter.lastSeqSync !== undefined;
    this.startSync = inMemory ? (topics, cursor, backlog) => this.#startSync(topics, cursor, backlog) : undefined;
    this.catchUpSync = inMemory ? (positions, limit) => this.#catchUpSync(positions, limit) : undefined;
    const publishSync = adapter.publishSync?.bind(adapter);
    this.publishSync = inMemory ? publishSync : undefined;
    this.stopFeed = adapter.onMessage((message) => this.dispatch(message));
    if (adapter.onEpoch) {
      this.#restartListeners = new Set();
      this.stopEpochs = adapter.onEpoch(() => this.#restarted());
    }
  }

  get epoch(): string {
    return this.adapter.epoch;
  }

  publish(input: PublishInput): Promise<PublishOutcome> {
    return this.adapter.publish(input);
  }

  async start(topics: string[], cursor: string | undefined, backlog: number): Promise<StartPoint> {
    const decoded = decodeCursor(cursor);
    const claims = decoded?.epoch === this.epoch ? decoded.positions : undefined;
    const heads: TopicHead[] = [];
    for (const topic of topics) {
      const claimed = claims?.[topic];
      const settled = claimed === undefined ? undefined : this.adapter.settledSeq?.(topic);
      // A claim within what this node knows is stored can be no `unknown` gap: nothing to ask the backend.
      if (settled !== undefined && (claimed as number) <= settled) {
        heads.push({ lastSeq: settled });
        continue;
      }
      // A backlog needs to know where the history begins; a bare start only the last seq.
      if (backlog > 0) heads.push(await this.adapter.read(topic, Number.MAX_SAFE_INTEGER, 0));
      else heads.push({ lastSeq: await this.adapter.lastSeq(topic) });
    }
    return startPoint(this.epoch, topics, decoded, backlog, heads);
  }

  async catchUp(positions: Positions, limit: number): Promise<CatchUp> {
    const batch = new CatchUpBuilder(positions, limit);
    for (const topic in batch.next) {
      const position = batch.next[topic] as number;
      // Nothing after the head this node knows (see BusAdapter.settledSeq): no message, no gap, no read.
      if (position === this.adapter.settledSeq?.(topic)) continue;
      batch.add(topic, position, await this.adapter.read(topic, position, batch.room()));
    }
    return batch.result();
  }

  #startSync(topics: string[], cursor: string | undefined, backlog: number): StartPoint {
    const adapter = this.adapter as Required<BusAdapter>;
    const heads: TopicHead[] = [];
    for (const topic of topics) {
      heads.push(backlog > 0 ? adapter.readSync(topic, Number.MAX_SAFE_INTEGER, 0) : { lastSeq: adapter.lastSeqSync(topic) });
    }
    return startPoint(this.epoch, topics, decodeCursor(cursor), backlog, heads);
  }

  #catchUpSync(positions: Positions, limit: number): CatchUp {
    const adapter = this.adapter as Required<BusAdapter>;
    const batch = new CatchUpBuilder(positions, limit);
    for (const topic in batch.next) {
      const position = batch.next[topic] as number;
      // At the head (a poll with nothing new, the common case): no message, no gap, no slice to make.
      if (position === adapter.lastSeqSync(topic)) continue;
      batch.add(topic, position, adapter.readSync(topic, position, batch.room()));
    }
    return batch.result();
  }

  encodeCursor(positions: Positions): string {
    return encodeCursor(this.epoch, positions);
  }

  subscribe(topics: string[], listener: LiveListener, onRestart?: () => void): () => void {
    if (onRestart && this.#restartListeners) this.#restartListeners.add(onRestart);
    for (const topic of topics) {
      let listeners = this.listenersByTopic.get(topic);
      if (!listeners) {
        listeners = new Set();
        this.listenersByTopic.set(topic, listeners);
        // A topic with a subscriber here is never evicted from under it.
        this.adapter.retain?.(topic);
      }
      if (!listeners.has(listener)) {
        listeners.add(listener);
        this.subscriptionCount += 1;
      }
    }
    return () => {
      if (onRestart) this.#restartListeners?.delete(onRestart);
      for (const topic of topics) {
        const listeners = this.listenersByTopic.get(topic);
        if (listeners?.delete(listener)) this.subscriptionCount -= 1;
        if (listeners?.size === 0) {
          this.listenersByTopic.delete(topic);
          this.adapter.release?.(topic);
        }
      }
    };
  }

  async forget(topic: string): Promise<void> {
    await this.adapter.forget?.(topic);
  }

  rememberUser(name: string): Promise<void> {
    return this.adapter.rememberUser(name);
  }

  knowsUser(name: string): Promise<boolean> {
    return this.adapter.knowsUser(name);
  }

  stats(): BusStats {
    if (this.adapter.statsSync) return { ...this.adapter.statsSync(), subscriptions: this.subscriptionCount, ...this.#fanout.figures() };
    this.#refreshStats();
    const figures = this.#lastStats ?? { epoch: this.epoch, topics: 0, historyMessages: 0, historyBytes: 0 };
    return { ...figures, subscriptions: this.subscriptionCount, ...this.#fanout.figures() };
  }

  async refreshStats(): Promise<BusStats> {
    const figures = await this.adapter.stats();
    this.#lastStats = figures;
    return { ...figures, subscriptions: this.subscriptionCount, ...this.#fanout.figures() };
  }

  /** One background refresh at a time; a failure keeps the last figures (the backend may be away). */
  #refreshStats(): void {
    if (this.#refreshingStats || this.#closed) return;
    this.#refreshingStats = true;
    this.adapter.stats().then(
      (figures) => { this.#lastStats = figures; },
      () => {},
    ).finally(() => { this.#refreshingStats = false; });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.stopFeed();
    this.stopEpochs?.();
    this.#restartListeners?.clear();
    this.listenersByTopic.clear();
    this.subscriptionCount = 0;
    await this.adapter.close();
  }

  /** The adapter's epoch changed (its backend lost the history): every live receiver starts over. */
  #restarted(): void {
    if (!this.#restartListeners) return;
    // A copy: a receiver may unsubscribe (or subscribe) while it is told.
    for (const onRestart of [...this.#restartListeners]) onRestart();
  }

  private dispatch(message: Message): void {
    const listeners = this.listenersByTopic.get(message.topic);
    if (!listeners) return;
    const startedAt = performance.now();
    const live = liveMessage(message);
    for (const listener of listeners) listener(live);
    this.#fanout.handedOut(startedAt);
  }
}

/** A topic's last seq and, when a backlog is asked for, its oldest held seq. */
interface TopicHead {
  lastSeq: number;
  firstHeldSeq?: number;
}

/** A client's cursor decoded, or undefined for none (LabError bad_request for one not of ours). */
function decodeCursor(cursor: string | undefined): DecodedCursor | undefined {
  return cursor === undefined || cursor === '' ? undefined : decodeCursorShared(cursor);
}

/** Where `topics` start, given each one's head (the same order): see MessageBus.start. */
function startPoint(epoch: string, topics: string[], decoded: DecodedCursor | undefined, backlog: number, heads: TopicHead[]): StartPoint {
  const sameEpoch = decoded?.epoch === epoch;
  const positions = newPositions();
  const gaps: Gap[] = [];
  for (let i = 0; i < topics.length; i++) {
    const topic = topics[i] as string;
    const { lastSeq, firstHeldSeq = 1 } = heads[i] as TopicHead;
    const claimed = decoded?.positions[topic];
    if (claimed === undefined) {
      // A backlog replays what is held: a client that had no position missed nothing,
      // so history trimmed (or a topic evicted and made again) before it is no gap.
      positions[topic] = Math.max(0, lastSeq - Math.max(0, backlog), firstHeldSeq - 1);
    } else if (!sameEpoch) {
      // The bus restarted: the client's seqs mean nothing here. Start the
      // topic over; catchUp reports whatever of the new epoch is trimmed.
      positions[topic] = 0;
      gaps.push({ topic, from: 1, to: 0, reason: 'restarted' });
    } else if (claimed > lastSeq) {
      positions[topic] = lastSeq;
      gaps.push({ topic, from: lastSeq + 1, to: claimed, reason: 'unknown' });
    } else {
      positions[topic] = claimed;
    }
  }
  return { positions, gaps };
}

/** One catch-up read, topic by topic, whether the slices come with or without a promise. */
class CatchUpBuilder {
  readonly next: Positions;
  readonly #messages: Message[] = [];
  readonly #gaps: Gap[] = [];
  #more = false;

  constructor(positions: Positions, private readonly limit: number) {
    this.next = copyPositions(positions);
  }

  room(): number {
    return Math.max(this.limit - this.#messages.length, 0);
  }

  add(topic: string, position: number, slice: HistorySlice): void {
    if (slice.firstHeldSeq > position + 1) {
      this.#gaps.push({ topic, from: position + 1, to: slice.firstHeldSeq - 1, reason: 'trimmed' });
      this.next[topic] = slice.firstHeldSeq - 1;
    }
    for (const message of slice.messages) this.#messages.push(message);
    if (slice.messages.length > 0) this.next[topic] = slice.messages[slice.messages.length - 1]!.seq;
    if ((this.next[topic] as number) < slice.lastSeq) this.#more = true;
  }

  result(): CatchUp {
    return { messages: this.#messages, gaps: this.#gaps, positions: this.next, more: this.#more };
  }
}

/** Wraps a message so its JSON is made once, on first use, for every recipient. */
function liveMessage(message: Message): LiveMessage {
  let json: string | undefined;
  return { message, json: () => (json ??= JSON.stringify(message)) };
}

/** Connects `adapter` (learning its epoch) and puts a bus over it. */
export async function connectBus(adapter: BusAdapter): Promise<Bus> {
  await adapter.connect();
  return new Bus(adapter);
}
