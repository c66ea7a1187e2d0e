import { randomBytes } from 'node:crypto';
import type { Message } from '../protocol/envelope.ts';
import type { BusStats } from '../protocol/stats.ts';
import { LabError } from '../protocol/errors.ts';
import { TopicLog, messageSize } from './topic-log.ts';
import type { AdapterStats, BusAdapter, HistorySlice, PublishInput, PublishOutcome } from './types.ts';

export interface MemoryAdapterOptions {
  /** Messages kept per topic (default 1,000). */
  historyPerTopic?: number;
  /** Approximate bytes all topics' histories may hold together (default 64 MiB). */
  historyMaxBytes?: number;
}

/**
 * The embedded bus backend: everything in this process's memory, a new epoch
 * at every start. Like socket.io-adapter's in-memory adapter, it is the
 * default that a networked adapter replaces without the transports noticing.
 */
export class MemoryAdapter implements BusAdapter {
  readonly epoch = newEpoch();
  private readonly topics = new Map<string, TopicLog>();
  private readonly listeners = new Set<(message: Message) => void>();
  /** Topics in the order their messages were stored, for the global byte cap. */
  private readonly storeOrder: string[] = [];
  private storeOrderHead = 0;
  private bytes = 0;
  private held = 0;
  private nextServerId = 0;
  private readonly historyPerTopic: number;
  private readonly historyMaxBytes: number;
  /** Names that ever held a session: one process is the only node, so memory is the truth. */
  private readonly knownUsers = new Set<string>();
  private closed = false;

  constructor(options: MemoryAdapterOptions = {}) {
    this.historyPerTopic = options.historyPerTopic ?? 1000;
    this.historyMaxBytes = options.historyMaxBytes ?? 64 * 1024 * 1024;
  }

  async publish(input: PublishInput): Promise<PublishOutcome> {
    this.assertOpen();
    const log = this.logFor(input.topic);
    if (input.id !== undefined) {
      const seq = log.seqOfId(input.id);
      const earlier = seq === undefined ? undefined : log.get(seq);
      if (earlier) return { message: earlier, duplicate: true };
    }
    const message: Message = {
      topic: input.topic,
      seq: log.lastSeq + 1,
      id: input.id ?? this.makeId(),
      from: input.from,
      body: input.body,
      ts: Date.now(),
    };
    const size = messageSize(message);
    const freed = log.append(message, size);
    this.bytes += size - freed;
    if (freed === 0) this.held += 1;
    this.storeOrder.push(input.topic);
    this.enforceByteCap();
    for (const listener of this.listeners) listener(message);
    return { message, duplicate: false };
  }

  async read(topic: string, afterSeq: number, limit: number): Promise<HistorySlice> {
    return this.readSync(topic, afterSeq, limit);
  }

  async lastSeq(topic: string): Promise<number> {
    return this.lastSeqSync(topic);
  }

  readSync(topic: string, afterSeq: number, limit: number): HistorySlice {
    this.assertOpen();
    const log = this.topics.get(topic);
    if (!log) return { messages: [], lastSeq: 0, firstHeldSeq: 1 };
    return { messages: log.after(afterSeq, limit), lastSeq: log.lastSeq, firstHeldSeq: log.firstHeldSeq };
  }

  lastSeqSync(topic: string): number {
    this.assertOpen();
    return this.topics.get(topic)?.lastSeq ?? 0;
  }

  onMessage(listener: (message: Message) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  statsSync(): Omit<BusStats, 'subscriptions'> {
    return { epoch: this.epoch, topics: this.topics.size, historyMessages: this.held, historyBytes: this.bytes };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  /** Nothing to reach: the history is ready at construction, with its epoch. */
  async connect(): Promise<void> {
    this.assertOpen();
  }

  async rememberUser(name: string): Promise<void> {
    this.assertOpen();
    this.knownUsers.add(name);
  }

  async knowsUser(name: string): Promise<boolean> {
    this.assertOpen();
    return this.knownUsers.has(name);
  }

  async stats(): Promise<AdapterStats> {
    this.assertOpen();
    return this.statsSync();
  }

  /** After `close()` every operation fails the same clear way (BusAdapter lifecycle). */
  private assertOpen(): void {
    if (this.closed) throw new LabError('unavailable', 'the bus adapter is closed');
  }

  private logFor(topic: string): TopicLog {
    let log = this.topics.get(topic);
    if (!log) {
      log = new TopicLog(this.historyPerTopic);
      this.topics.set(topic, log);
    }
    return log;
  }

  /**
   * Drops the globally oldest messages until the histories fit the byte cap.
   * `storeOrder` may name a topic whose oldest message the per-topic cap has
   * already dropped; then the topic's current oldest goes, which keeps every
   * topic's history a contiguous run of seqs ending at its last seq.
   */
  private enforceByteCap(): void {
    while (this.bytes > this.historyMaxBytes && this.storeOrderHead < this.storeOrder.length) {
      const topic = this.storeOrder[this.storeOrderHead++] as string;
      const log = this.topics.get(topic);
      if (!log || log.size === 0) continue;
      this.bytes -= log.dropOldest();
      this.held -= 1;
    }
    // Entries older than every held message are stale: skip them so the queue
    // stays bounded by the number of held messages.
    if (this.storeOrder.length - this.storeOrderHead > this.held * 2 + 1024) {
      this.storeOrderHead = this.storeOrder.length - this.held;
    }
    // Compact the queue now and then so it does not grow without bound.
    if (this.storeOrderHead > 4096 && this.storeOrderHead * 2 > this.storeOrder.length) {
      this.storeOrder.splice(0, this.storeOrderHead);
      this.storeOrderHead = 0;
    }
  }

  private makeId(): string {
    this.nextServerId += 1;
    return `s-${this.epoch}-${this.nextServerId}`;
  }
}

/** Epochs are short lowercase base36 so that cursors stay plain text. */
function newEpoch(): string {
  return (Date.now().toString(36) + randomBytes(4).readUInt32BE(0).toString(36)).slice(0, 32);
}
