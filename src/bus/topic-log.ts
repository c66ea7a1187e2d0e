import type { Message } from '../protocol/envelope.ts';

/**
 * One topic's bounded history: a ring buffer of the last `capacity` messages,
 * indexed by seq in O(1), plus the ids of the held messages for idempotency.
 */
export class TopicLog {
  lastSeq = 0;
  bytes = 0;
  private readonly ring: (Message | undefined)[];
  private readonly ids = new Map<string, number>();
  private held = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<Message | undefined>(capacity);
  }

  get size(): number {
    return this.held;
  }

  /** Oldest seq still held; lastSeq + 1 when nothing is held. */
  get firstHeldSeq(): number {
    return this.lastSeq - this.held + 1;
  }

  seqOfId(id: string): number | undefined {
    return this.ids.get(id);
  }

  get(seq: number): Message | undefined {
    if (seq < this.firstHeldSeq || seq > this.lastSeq) return undefined;
    return this.ring[seq % this.capacity];
  }

  /** Appends a message with seq = lastSeq + 1; returns the bytes it freed by overwriting. */
  append(message: Message, size: number): number {
    const freed = this.held === this.capacity ? this.dropOldest() : 0;
    this.lastSeq = message.seq;
    this.ring[message.seq % this.capacity] = message;
    this.ids.set(message.id, message.seq);
    this.held += 1;
    this.bytes += size;
    return freed;
  }

  /** Drops the oldest held message; returns its accounted size. */
  dropOldest(): number {
    const oldest = this.get(this.firstHeldSeq);
    if (!oldest) return 0;
    this.ring[oldest.seq % this.capacity] = undefined;
    this.ids.delete(oldest.id);
    this.held -= 1;
    const size = messageSize(oldest);
    this.bytes -= size;
    return size;
  }

  /** Messages with seq > afterSeq, at most `limit`. */
  after(afterSeq: number, limit: number): Message[] {
    const from = Math.max(afterSeq + 1, this.firstHeldSeq);
    const to = Math.min(this.lastSeq, from + limit - 1);
    const out: Message[] = [];
    for (let seq = from; seq <= to; seq++) out.push(this.ring[seq % this.capacity] as Message);
    return out;
  }
}

/** What a held message costs, roughly: its strings plus a fixed object overhead. */
export function messageSize(message: Message): number {
  return 2 * (message.body.length + message.id.length + message.from.length + message.topic.length) + 96;
}
