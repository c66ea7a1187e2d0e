/**
 * Everything a worker measures about deliveries: latency from the due time
 * into HDR histograms (the whole run, and the current second for the time
 * series), and per recipient and topic which seqs arrived.
 */
import * as hdr from 'hdr-histogram-js';
import type { Gap, Message } from '../../src/protocol/index.ts';
import type { DeliveryTally } from '../run/ipc.ts';
import { dueTimeOf } from './body.ts';
import { SeqTracker } from './seq-tracker.ts';

/** Microseconds: 1 µs to 1 hour at 3 significant digits. */
export function latencyHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

export function encodeHistogram(histogram: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export class DeliveryRecorder {
  readonly total = latencyHistogram();
  private second = latencyHistogram();
  /** client index → topic → tracker */
  private readonly seen: Map<string, SeqTracker>[];
  private measuring = false;
  deliveries = 0;
  gaps = 0;
  /** Bodies that carried no due time: counted, never silently dropped. */
  unstamped = 0;

  constructor(private readonly subscriptions: string[][]) {
    this.seen = subscriptions.map((topics) => new Map(topics.map((topic) => [topic, new SeqTracker()])));
  }

  /** From now on arrivals count towards latency and the delivery tally. */
  start(): void {
    this.measuring = true;
  }

  message(client: number, message: Message, nowNs: bigint): void {
    const tracker = this.seen[client]?.get(message.topic);
    if (!tracker || !this.measuring) return;
    if (!tracker.arrive(message.seq)) return;
    this.deliveries += 1;
    const due = dueTimeOf(message.body);
    if (due === null) {
      this.unstamped += 1;
      return;
    }
    const micros = Math.max(1, Number((nowNs - due) / 1000n));
    this.total.recordValue(micros);
    this.second.recordValue(micros);
  }

  gap(client: number, gap: Gap): void {
    const tracker = this.seen[client]?.get(gap.topic);
    if (!tracker) return;
    if (this.measuring) this.gaps += 1;
    if (gap.to >= gap.from) tracker.skip(gap.from, gap.to);
  }

  /** The latency histogram of the second that just ended; starts a new one. */
  takeSecond(): string {
    const encoded = encodeHistogram(this.second);
    this.second = latencyHistogram();
    return encoded;
  }

  /** True when every recipient has every seq up to `lastSeq[topic]`. */
  complete(lastSeq: Record<string, number>): boolean {
    return this.seen.every((topics) => [...topics].every(([topic, tracker]) => tracker.hasAll(lastSeq[topic] ?? 0)));
  }

  tally(lastSeq: Record<string, number>): DeliveryTally {
    const tally: DeliveryTally = { expected: 0, received: 0, duplicated: 0, outOfOrder: 0, gaps: this.gaps, unexpected: 0 };
    for (const topics of this.seen) {
      for (const [topic, tracker] of topics) {
        const last = lastSeq[topic] ?? 0;
        tally.expected += last;
        tally.received += tracker.receivedUpTo(last);
        tally.unexpected += tracker.above(last);
        tally.duplicated += tracker.duplicated;
        tally.outOfOrder += tracker.outOfOrder;
      }
    }
    return tally;
  }
}
