/**
 * Delivery accounting, the one copy the bench uses: per recipient and topic,
 * which seqs arrived, counted against what should have — lost, duplicated,
 * out of order, gaps, unexpected. "A run never loses a message without
 * counting it" (issue 3).
 *
 * A client worker records its clients' arrivals in a `DeliveryAudit`
 * (bench/sim/recorder.ts) and reports its counts; the orchestrator adds the
 * workers' counts with `sumDeliveries` (bench/run/assemble.ts).
 */
import type { DeliveryCounts } from '../../src/results/schema.ts';

/** Who received: a client's name, or its index inside a worker. */
export type Recipient = string | number;

/** What one worker reports: its counts before `lost`, which the sum across workers derives. */
export type DeliveryTally = Omit<DeliveryCounts, 'lost'>;

/**
 * What one recipient has of one topic: every seq counted once, a repeat
 * counted as a duplicate, a seq below one already seen counted as out of
 * order. Compact because delivery is nearly always in order: a contiguous
 * prefix plus the few seqs that arrived ahead of a hole, so that 10,000
 * subscribers × thousands of messages stay small.
 */
export class SeqRecord {
  /** Every seq in 1..contiguous has arrived or was covered by a gap. */
  private contiguous = 0;
  /** Seqs above contiguous + 1 that arrived or were covered. */
  private readonly ahead = new Set<number>();
  /** Seqs a gap record declared undeliverable: accounted, never counted as arrived. */
  private readonly covered = new Set<number>();
  private highest = 0;
  duplicated = 0;
  outOfOrder = 0;

  /** Records an arrival; false for a duplicate (or a seq a gap already covered). */
  arrive(seq: number): boolean {
    if (seq <= this.contiguous || this.ahead.has(seq)) {
      this.duplicated += 1;
      return false;
    }
    if (seq < this.highest) this.outOfOrder += 1;
    this.highest = Math.max(this.highest, seq);
    if (seq === this.contiguous + 1) {
      this.contiguous = seq;
      while (this.ahead.delete(this.contiguous + 1)) this.contiguous += 1;
    } else this.ahead.add(seq);
    return true;
  }

  /** A gap record covers seqs that will never come: they are accounted, not awaited. */
  cover(from: number, to: number): void {
    for (let seq = Math.max(from, this.contiguous + 1); seq <= to; seq += 1) {
      if (this.ahead.has(seq)) continue;
      this.ahead.add(seq);
      this.covered.add(seq);
    }
    while (this.ahead.delete(this.contiguous + 1)) this.contiguous += 1;
  }

  /** Whether every seq in 1..last arrived or was covered: nothing more to wait for. */
  holdsAll(last: number): boolean {
    return this.contiguous >= last;
  }

  /** Distinct seqs in from..to that arrived (`to` may be Infinity). */
  arrivedIn(from: number, to: number): number {
    if (to < from) return 0;
    let count = Math.max(0, Math.min(to, this.contiguous) - from + 1);
    for (const seq of this.ahead) if (seq >= from && seq <= to) count += 1;
    for (const seq of this.covered) if (seq >= from && seq <= to) count -= 1;
    return count;
  }
}

/** One recipient × topic: what arrived, and the seqs that should have, as sorted disjoint ranges. */
class Stream {
  readonly record = new SeqRecord();
  expected: Array<[number, number]> = [];

  expectRange(from: number, to: number): void {
    const kept: Array<[number, number]> = [];
    let [low, high] = [from, to];
    for (const [start, end] of this.expected) {
      if (end < low - 1 || start > high + 1) kept.push([start, end]);
      else [low, high] = [Math.min(low, start), Math.max(high, end)];
    }
    kept.push([low, high]);
    this.expected = kept.sort((a, b) => a[0] - b[0]);
  }
}

/**
 * Per recipient and topic, what arrived against what should have. Arrivals
 * and gap records go in as they happen; expectations may come at any time
 * (the bench knows the last seq of each topic only at the end of a run).
 */
export class DeliveryAudit {
  private readonly streams = new Map<Recipient, Map<string, Stream>>();
  private gapRecords = 0;

  expect(recipient: Recipient, topic: string, seq: number): void {
    this.expectRange(recipient, topic, seq, seq);
  }

  /** Expects seqs from..to inclusive (a recipient that should see every message of a topic); none when to < from. */
  expectRange(recipient: Recipient, topic: string, from: number, to: number): void {
    if (to < from) return;
    assertSeq(from);
    assertSeq(to);
    this.stream(recipient, topic).expectRange(from, to);
  }

  /** Records an arrival; false for a duplicate. */
  receive(recipient: Recipient, topic: string, seq: number): boolean {
    assertSeq(seq);
    return this.stream(recipient, topic).record.arrive(seq);
  }

  /**
   * A gap record a client reported: counted, and its seqs covered — never
   * awaited, yet never counted as received: a gap is honest, but it is not a
   * delivery, so its seqs stay lost when they were expected.
   */
  gap(recipient: Recipient, topic: string, from: number, to: number): void {
    this.gapRecords += 1;
    this.cover(recipient, topic, from, to);
  }

  /** Covers a gap's seqs without counting the record (one reported before the measured phase). */
  cover(recipient: Recipient, topic: string, from: number, to: number): void {
    this.stream(recipient, topic).record.cover(from, to);
  }

  /** Whether the recipient has (or was told it will never get) every seq in 1..last of the topic. */
  holdsAll(recipient: Recipient, topic: string, last: number): boolean {
    const stream = this.streams.get(recipient)?.get(topic);
    return stream ? stream.record.holdsAll(last) : last <= 0;
  }

  counts(): DeliveryCounts {
    const counts: DeliveryCounts = { expected: 0, received: 0, lost: 0, duplicated: 0, outOfOrder: 0, gaps: this.gapRecords, unexpected: 0 };
    for (const topics of this.streams.values()) {
      for (const { record, expected } of topics.values()) {
        let received = 0;
        for (const [from, to] of expected) {
          counts.expected += to - from + 1;
          received += record.arrivedIn(from, to);
        }
        counts.received += received;
        counts.unexpected += record.arrivedIn(1, Infinity) - received;
        counts.duplicated += record.duplicated;
        counts.outOfOrder += record.outOfOrder;
      }
    }
    counts.lost = counts.expected - counts.received;
    return counts;
  }

  private stream(recipient: Recipient, topic: string): Stream {
    let topics = this.streams.get(recipient);
    if (!topics) {
      topics = new Map();
      this.streams.set(recipient, topics);
    }
    let stream = topics.get(topic);
    if (!stream) {
      stream = new Stream();
      topics.set(topic, stream);
    }
    return stream;
  }
}

/** The counts of a whole run: every worker's tally added, and what is lost. */
export function sumDeliveries(tallies: Iterable<DeliveryTally>): DeliveryCounts {
  const sum = { expected: 0, received: 0, duplicated: 0, outOfOrder: 0, gaps: 0, unexpected: 0 };
  for (const tally of tallies) {
    sum.expected += tally.expected;
    sum.received += tally.received;
    sum.duplicated += tally.duplicated;
    sum.outOfOrder += tally.outOfOrder;
    sum.gaps += tally.gaps;
    sum.unexpected += tally.unexpected;
  }
  return { ...sum, lost: sum.expected - sum.received };
}

function assertSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 1) throw new RangeError(`seq must be a positive integer, got ${seq}`);
}
