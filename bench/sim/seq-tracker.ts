/**
 * What one recipient has of one topic: every seq counted once, a repeat
 * counted as a duplicate, a seq below one already seen counted as out of
 * order. Compact because delivery is nearly always in order: a contiguous
 * prefix plus the few seqs that arrived ahead of a hole.
 */
export class SeqTracker {
  /** Every seq in 1..contiguous has arrived. */
  private contiguous = 0;
  private readonly ahead = new Set<number>();
  private highest = 0;
  /** Seqs a gap record declared undeliverable: covered, never counted as received. */
  private readonly gapped = new Set<number>();
  duplicated = 0;
  outOfOrder = 0;

  /** Records an arrival; returns false for a duplicate. */
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
  skip(from: number, to: number): void {
    for (let seq = Math.max(from, this.contiguous + 1); seq <= to; seq += 1) {
      if (this.ahead.has(seq)) continue;
      this.ahead.add(seq);
      this.gapped.add(seq);
    }
    while (this.ahead.delete(this.contiguous + 1)) this.contiguous += 1;
  }

  /** Distinct seqs in 1..last that arrived. */
  receivedUpTo(last: number): number {
    let count = Math.min(this.contiguous, last);
    for (const seq of this.ahead) if (seq <= last && seq > this.contiguous) count += 1;
    for (const seq of this.gapped) if (seq <= last) count -= 1;
    return count;
  }

  /** Distinct seqs above `last` (arrived but never acknowledged to a publisher). */
  above(last: number): number {
    let count = Math.max(0, this.contiguous - last);
    for (const seq of this.ahead) if (seq > last && seq > this.contiguous) count += 1;
    return count;
  }

  hasAll(last: number): boolean {
    return this.contiguous >= last;
  }
}
