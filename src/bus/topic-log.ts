import type { Message } from '../protocol/envelope.ts';
import { ServerIds } from './server-ids.ts';

/**
 * What a topic costs before its messages, roughly, in bytes: the Map entry that
 * names it, this object, its empty ids Map and ring array (measured with V8's
 * heap over 100,000 topics; see test/bus/topic-memory.test.ts). Its name's
 * characters come on top (`topicCost`).
 */
export const TOPIC_OVERHEAD_BYTES = 400;
/** A ring slot (one pointer), charged for every slot the ring has grown to, used or not. */
export const RING_SLOT_BYTES = 8;
/** A held message's entries in the ids Map and in the adapter's store-order queue. */
export const MESSAGE_INDEX_BYTES = 64;
/** The ring starts this small and doubles as messages come, up to the topic's capacity. */
const FIRST_RING_SLOTS = 4;

/**
 * One topic's bounded history: the last `capacity` messages in a ring that
 * grows as they come (and shrinks as they go), indexed by seq in O(1), plus
 * the ids of the held messages for idempotency.
 *
 * `lastSeq` starts at `baseSeq`, not 0: a topic made again after an eviction
 * continues above every seq the bus ever gave out before (memory-adapter.ts
 * § seq floor), so a cursor from before sees a gap, never a reused seq.
 */
export class TopicLog {
  lastSeq: number;
  /** Accounted size of the held messages (`messageSize`). */
  bytes = 0;
  /** Set when the adapter lets the topic go: its log is dead even if the topic comes back. */
  evicted = false;
  #ring: (Message | undefined)[] = [];
  /** Ring index of the oldest held message. */
  #start = 0;
  #held = 0;
  /** Ids the publishers chose; the ids the server made are in `#serverIds`. */
  readonly #ids = new Map<string, number>();
  readonly #serverIds = new ServerIds();

  constructor(
    private readonly capacity: number,
    readonly topic: string,
    baseSeq = 0,
  ) {
    this.lastSeq = baseSeq;
  }

  get size(): number {
    return this.#held;
  }

  /** Oldest seq still held; lastSeq + 1 when nothing is held. */
  get firstHeldSeq(): number {
    return this.lastSeq - this.#held + 1;
  }

  /** What this topic costs now: overhead, name, ring slots and held messages. */
  get cost(): number {
    return topicCost(this.topic) + this.#ring.length * RING_SLOT_BYTES + this.bytes;
  }

  /** The seq of the held message a publisher gave `id`. */
  seqOfId(id: string): number | undefined {
    return this.#ids.get(id);
  }

  /** The seq of the held message whose server-made id has number `n`. */
  seqOfServerId(n: number): number | undefined {
    return this.#serverIds.seqOf(n);
  }

  get(seq: number): Message | undefined {
    if (seq < this.firstHeldSeq || seq > this.lastSeq) return undefined;
    return this.#ring[this.#slot(seq)];
  }

  /**
   * Appends a message with seq = lastSeq + 1; returns the size of the message it
   * overwrote (0 if none). `serverId`: the number of its id when the server made
   * it (numbers grow from one append to the next), else its id is the publisher's.
   */
  append(message: Message, size: number, serverId?: number): number {
    const freed = this.#held === this.capacity ? this.dropOldest() : 0;
    if (this.#held === this.#ring.length) this.#resize(Math.min(this.capacity, Math.max(FIRST_RING_SLOTS, this.#ring.length * 2)));
    this.lastSeq = message.seq;
    this.#held += 1;
    this.#ring[this.#slot(message.seq)] = message;
    if (serverId === undefined) this.#ids.set(message.id, message.seq);
    else this.#serverIds.push(serverId, message.seq);
    this.bytes += size;
    return freed;
  }

  /** Drops the oldest held message; returns its accounted size. */
  dropOldest(): number {
    const oldest = this.get(this.firstHeldSeq);
    if (!oldest) return 0;
    this.#ring[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.#ring.length;
    if (!this.#serverIds.dropOldest(oldest.seq)) this.#ids.delete(oldest.id);
    this.#held -= 1;
    const size = messageSize(oldest);
    this.bytes -= size;
    // A topic trimmed to a few messages gives back the ring it grew for many.
    if (this.#ring.length > FIRST_RING_SLOTS && this.#held * 4 <= this.#ring.length) this.#resize(Math.floor(this.#ring.length / 2));
    return size;
  }

  /** Messages with seq > afterSeq, at most `limit`. */
  after(afterSeq: number, limit: number): Message[] {
    const from = Math.max(afterSeq + 1, this.firstHeldSeq);
    const to = Math.min(this.lastSeq, from + limit - 1);
    const out: Message[] = [];
    for (let seq = from; seq <= to; seq++) out.push(this.#ring[this.#slot(seq)] as Message);
    return out;
  }

  #slot(seq: number): number {
    return (this.#start + seq - this.firstHeldSeq) % this.#ring.length;
  }

  /** Copies the held messages, oldest first, into a ring of `slots` (≥ held). */
  #resize(slots: number): void {
    const ring = new Array<Message | undefined>(slots);
    for (let i = 0; i < this.#held; i++) ring[i] = this.#ring[(this.#start + i) % this.#ring.length];
    this.#ring = ring;
    this.#start = 0;
  }
}

/** What a topic costs with nothing held: its fixed overhead and its name's characters. */
export function topicCost(topic: string): number {
  return TOPIC_OVERHEAD_BYTES + 2 * topic.length;
}

/** What a held message costs, roughly: its strings, a fixed object overhead and its index entries. */
export function messageSize(message: Message): number {
  return 2 * (message.body.length + message.id.length + message.from.length + message.topic.length) + 96 + MESSAGE_INDEX_BYTES;
}
