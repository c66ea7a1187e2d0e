/**
 * Delivery accounting: given what should have arrived — (topic, seq,
 * recipient) triples — and what did, how many were lost, duplicated, out of
 * order, and how many gaps the clients reported. "A run never loses a message
 * without counting it" (issue 3).
 *
 * Kept per stream (recipient × topic) as a bitmap of seqs, so that 10,000
 * subscribers × thousands of messages stay a few megabytes.
 */
import type { DeliveryCounts } from '../schema.ts';

export interface DeliveryKey {
  topic: string;
  seq: number;
  recipient: string;
}

export interface GapReport {
  recipient: string;
  topic: string;
  from: number;
  to: number;
}

/** A set of non-negative integers, as a growable bitmap. */
class SeqBitmap {
  private bits = new Uint8Array(128);

  has(seq: number): boolean {
    const byte = seq >>> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (seq & 7))) !== 0;
  }

  /** Adds seq; false when it was already there. */
  add(seq: number): boolean {
    const byte = seq >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (seq & 7);
    if (this.bits[byte] & mask) return false;
    this.bits[byte] |= mask;
    return true;
  }
}

class Stream {
  readonly expected = new SeqBitmap();
  readonly seen = new SeqBitmap();
  highestSeen = 0;
}

export class DeliveryLedger {
  private readonly streams = new Map<string, Stream>();
  private expectedCount = 0;
  private receivedCount = 0;
  private duplicated = 0;
  private outOfOrder = 0;
  private unexpected = 0;
  private gaps = 0;

  expect(recipient: string, topic: string, seq: number): void {
    assertSeq(seq);
    if (this.stream(recipient, topic).expected.add(seq)) this.expectedCount++;
  }

  /** Expects seqs from..to inclusive (a recipient that should see every message of a topic). */
  expectRange(recipient: string, topic: string, from: number, to: number): void {
    for (let seq = from; seq <= to; seq++) this.expect(recipient, topic, seq);
  }

  receive(recipient: string, topic: string, seq: number): void {
    assertSeq(seq);
    const stream = this.stream(recipient, topic);
    if (!stream.seen.add(seq)) {
      this.duplicated++;
      return;
    }
    if (seq < stream.highestSeen) this.outOfOrder++;
    stream.highestSeen = Math.max(stream.highestSeen, seq);
    if (stream.expected.has(seq)) this.receivedCount++;
    else this.unexpected++;
  }

  /**
   * Counts gap records a client reported. The seqs inside a gap stay counted
   * as lost when they were expected: a gap is honest, but it is not a delivery.
   */
  gap(count = 1): void {
    this.gaps += count;
  }

  counts(): DeliveryCounts {
    return {
      expected: this.expectedCount,
      received: this.receivedCount,
      lost: this.expectedCount - this.receivedCount,
      duplicated: this.duplicated,
      outOfOrder: this.outOfOrder,
      gaps: this.gaps,
      unexpected: this.unexpected,
    };
  }

  private stream(recipient: string, topic: string): Stream {
    const key = `${recipient}\u0000${topic}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new Stream();
      this.streams.set(key, stream);
    }
    return stream;
  }
}

/** Accounting of whole lists (for tests and small runs). Received events are taken in arrival order. */
export function accountDeliveries(
  expected: Iterable<DeliveryKey>,
  received: Iterable<DeliveryKey>,
  gaps: Iterable<GapReport> = [],
): DeliveryCounts {
  const ledger = new DeliveryLedger();
  for (const key of expected) ledger.expect(key.recipient, key.topic, key.seq);
  for (const key of received) ledger.receive(key.recipient, key.topic, key.seq);
  ledger.gap([...gaps].length);
  return ledger.counts();
}

function assertSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 1) throw new RangeError(`seq must be a positive integer, got ${seq}`);
}
