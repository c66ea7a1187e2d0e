import { randomBytes } from 'node:crypto';
import type { Message } from '../protocol/envelope.ts';
import { LabError } from '../protocol/errors.ts';
import { StoreOrder } from './store-order.ts';
import { Tombstones } from './tombstones.ts';
import { TopicLog, messageSize } from './topic-log.ts';
import type { AdapterStats, BusAdapter, HistorySlice, PublishInput, PublishOutcome } from './types.ts';

export interface MemoryAdapterOptions {
  /** Messages kept per topic (default 1,000). */
  historyPerTopic?: number;
  /**
   * Bytes all topics may cost together (default 64 MiB): messages, each topic's
   * own overhead and ring, and the tombstones of evicted topics.
   */
  historyMaxBytes?: number;
  /** Topics held at once (default 10,000); see `publish`. */
  maxTopics?: number;
}

/** Tombstones kept per topic of `maxTopics` before the oldest fold into the seq floor. */
const TOMBSTONES_PER_TOPIC = 4;
/** The share of `historyMaxBytes` tombstones may take, so that they never crowd out history. */
const TOMBSTONE_SHARE = 1 / 16;

/**
 * The embedded bus backend: everything in this process's memory, a new epoch
 * at every start. Like socket.io-adapter's in-memory adapter, it is the
 * default that a networked adapter replaces without the transports noticing.
 *
 * What it holds is bounded (issue 8, finding 5): `historyMaxBytes` counts what
 * a topic really costs, not only its bodies; at most `maxTopics` topics are
 * held; a topic nobody here subscribes to is evicted as soon as it holds no
 * message (never had one, forgotten, or trimmed away by the byte cap), or,
 * when a new topic needs room, least recently used first. An evicted topic
 * leaves a tombstone with its last seq, so a topic made again continues its
 * seqs and a cursor from before sees a `trimmed` gap, never a reused seq.
 */
export class MemoryAdapter implements BusAdapter {
  readonly epoch = newEpoch();
  private readonly topics = new Map<string, TopicLog>();
  /** Topics with no subscriber on this process, least recently published first: the eviction order. */
  private readonly idle = new Map<string, TopicLog>();
  /** The log set into `idle` last (so last in its order, if still there): publishing to it again moves nothing. */
  private newestIdle: TopicLog | undefined;
  /** Subscriptions per topic on this process (Bus.subscribe → retain / release). */
  private readonly users = new Map<string, number>();
  private readonly listeners = new Set<(message: Message) => void>();
  private readonly storeOrder = new StoreOrder();
  private readonly tombstones: Tombstones;
  /** Every topic's `cost` plus the tombstones' bytes. */
  private topicBytes = 0;
  private held = 0;
  private evictions = 0;
  /** Ids the server makes are `s-<epoch>-<n>`, n counting up from 1 (server-ids.ts). */
  private readonly idPrefix = `s-${this.epoch}-`;
  private nextServerId = 0;
  private readonly historyPerTopic: number;
  private readonly historyMaxBytes: number;
  private readonly maxTopics: number;
  /** Names that ever held a session: one process is the only node, so memory is the truth. */
  private readonly knownUsers = new Set<string>();
  private closed = false;

  constructor(options: MemoryAdapterOptions = {}) {
    this.historyPerTopic = options.historyPerTopic ?? 1000;
    this.historyMaxBytes = options.historyMaxBytes ?? 64 * 1024 * 1024;
    this.maxTopics = options.maxTopics ?? 10_000;
    this.tombstones = new Tombstones(this.maxTopics * TOMBSTONES_PER_TOPIC, this.historyMaxBytes * TOMBSTONE_SHARE);
  }

  /**
   * Stores a message. A new topic past `maxTopics` evicts the least recently
   * used idle topic; when every topic has a subscriber, 503 `unavailable`.
   */
  async publish(input: PublishInput): Promise<PublishOutcome> {
    return this.publishSync(input);
  }

  /** `publish` without a promise: the HTTP publish path answers in the turn its body arrived. */
  publishSync(input: PublishInput): PublishOutcome {
    this.assertOpen();
    const log = this.logFor(input.topic);
    let serverId: number | undefined;
    if (input.id !== undefined) {
      const seq = log.seqOfId(input.id) ?? this.seqOfServerId(log, input.id);
      const earlier = seq === undefined ? undefined : log.get(seq);
      if (earlier) return { message: earlier, duplicate: true };
    } else {
      serverId = this.nextServerId += 1;
    }
    const message: Message = {
      topic: input.topic,
      seq: log.lastSeq + 1,
      id: input.id ?? this.idPrefix + serverId,
      from: input.from,
      body: input.body,
      ts: Date.now(),
    };
    const before = log.cost;
    const overwritten = log.append(message, messageSize(message), serverId);
    this.topicBytes += log.cost - before;
    if (overwritten === 0) this.held += 1;
    else this.storeOrder.markStale(1);
    this.storeOrder.push(log, message.seq);
    // Most publishes go to the topic published to last: already the newest idle one, nothing to move.
    if (log !== this.newestIdle && this.idle.delete(input.topic)) this.markIdle(log);
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
    if (!log) {
      const lastSeq = this.tombstones.lastSeqOf(topic);
      return { messages: [], lastSeq, firstHeldSeq: lastSeq + 1 };
    }
    return { messages: log.after(afterSeq, limit), lastSeq: log.lastSeq, firstHeldSeq: log.firstHeldSeq };
  }

  lastSeqSync(topic: string): number {
    this.assertOpen();
    return this.topics.get(topic)?.lastSeq ?? this.tombstones.lastSeqOf(topic);
  }

  retain(topic: string): void {
    const users = (this.users.get(topic) ?? 0) + 1;
    this.users.set(topic, users);
    if (users === 1) this.idle.delete(topic);
  }

  release(topic: string): void {
    const users = (this.users.get(topic) ?? 0) - 1;
    if (users > 0) {
      this.users.set(topic, users);
      return;
    }
    this.users.delete(topic);
    const log = this.topics.get(topic);
    if (!log) return;
    if (log.size === 0) this.evict(log);
    else this.markIdle(log);
  }

  async forget(topic: string): Promise<void> {
    const log = this.topics.get(topic);
    if (!log) return;
    const before = log.cost;
    const dropped = log.size;
    while (log.size > 0) log.dropOldest();
    this.topicBytes += log.cost - before;
    this.held -= dropped;
    this.storeOrder.markStale(dropped);
    if (!this.users.has(topic)) this.evict(log);
  }

  onMessage(listener: (message: Message) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  statsSync(): AdapterStats {
    return { epoch: this.epoch, topics: this.topics.size, historyMessages: this.held, historyBytes: this.bytes };
  }

  /** What is held, for tests and the curious: topics, tombstones, evictions so far. */
  holdings(): { topics: number; idleTopics: number; tombstones: number; seqFloor: number; evictions: number; bytes: number } {
    return {
      topics: this.topics.size,
      idleTopics: this.idle.size,
      tombstones: this.tombstones.size,
      seqFloor: this.tombstones.floor,
      evictions: this.evictions,
      bytes: this.bytes,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  private get bytes(): number {
    return this.topicBytes + this.tombstones.bytes;
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
    const existing = this.topics.get(topic);
    if (existing) return existing;
    if (this.topics.size >= this.maxTopics) {
      const lru = this.idle.values().next();
      if (lru.done) {
        throw new LabError('unavailable', `the bus holds its maximum of ${this.maxTopics} topics and each has a subscriber`, 5);
      }
      this.evict(lru.value);
    }
    const log = new TopicLog(this.historyPerTopic, topic, this.tombstones.take(topic));
    this.topics.set(topic, log);
    if (!this.users.has(topic)) this.markIdle(log);
    this.topicBytes += log.cost;
    return log;
  }

  /** Puts `log` last in the eviction order (every insertion into `idle` passes here). */
  private markIdle(log: TopicLog): void {
    this.idle.set(log.topic, log);
    this.newestIdle = log;
  }

  private evict(log: TopicLog): void {
    log.evicted = true;
    this.topics.delete(log.topic);
    this.idle.delete(log.topic);
    this.topicBytes -= log.cost;
    this.held -= log.size;
    this.storeOrder.markStale(log.size);
    this.tombstones.bury(log.topic, log.lastSeq);
    this.evictions += 1;
  }

  /**
   * Drops the globally oldest messages until everything fits the byte cap; a
   * topic left empty with no subscriber goes too. Past the messages, the oldest
   * tombstones fold into the seq floor.
   */
  private enforceByteCap(): void {
    while (this.bytes > this.historyMaxBytes) {
      const log = this.storeOrder.shift();
      if (!log) break;
      const before = log.cost;
      log.dropOldest();
      this.topicBytes += log.cost - before;
      this.held -= 1;
      if (log.size === 0 && !this.users.has(log.topic)) this.evict(log);
    }
    while (this.bytes > this.historyMaxBytes && this.tombstones.foldOldest());
  }

  /**
   * A publisher may send back an id the server made (`s-<epoch>-<n>`, as a
   * publish answer gave it): it names the same message, found by its number.
   */
  private seqOfServerId(log: TopicLog, id: string): number | undefined {
    if (!id.startsWith(this.idPrefix)) return undefined;
    const digits = id.slice(this.idPrefix.length);
    const n = Number(digits);
    return Number.isSafeInteger(n) && n > 0 && String(n) === digits ? log.seqOfServerId(n) : undefined;
  }
}

/** Epochs are short lowercase base36 so that cursors stay plain text. */
function newEpoch(): string {
  return (Date.now().toString(36) + randomBytes(4).readUInt32BE(0).toString(36)).slice(0, 32);
}
