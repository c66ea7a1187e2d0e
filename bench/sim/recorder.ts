/**
 * Everything a worker measures about deliveries: latency from the due time
 * into HDR histograms (the whole run, and the current second for the time
 * series), and each arrival and gap record of its clients' subscriptions in
 * the bench's delivery accounting (bench/aggregate/deliveries.ts). Only the
 * recording happens here, as it must, in the worker; the counting is the
 * aggregate stage's.
 */
import * as hdr from 'hdr-histogram-js';
import type { Gap, Message } from '../../src/protocol/index.ts';
import { DeliveryAudit, type DeliveryTally } from '../aggregate/index.ts';
import { dueTimeOf } from './body.ts';

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
  /** Recipients are client indexes; only the topics a client subscribed to are recorded. */
  private readonly audit = new DeliveryAudit();
  private readonly subscribed: Set<string>[];
  private measuring = false;
  deliveries = 0;
  /** Bodies that carried no due time: counted, never silently dropped. */
  unstamped = 0;

  constructor(private readonly subscriptions: string[][]) {
    this.subscribed = subscriptions.map((topics) => new Set(topics));
  }

  /** From now on arrivals count towards latency and the delivery tally. */
  start(): void {
    this.measuring = true;
  }

  message(client: number, message: Message, nowNs: bigint): void {
    if (!this.measuring || !this.subscribed[client]?.has(message.topic)) return;
    if (!this.audit.receive(client, message.topic, message.seq)) return;
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

  /** A gap before the measured phase is not counted, but its seqs are still not awaited. */
  gap(client: number, gap: Gap): void {
    if (!this.subscribed[client]?.has(gap.topic)) return;
    if (this.measuring) this.audit.gap(client, gap.topic, gap.from, gap.to);
    else this.audit.cover(client, gap.topic, gap.from, gap.to);
  }

  /** The latency histogram of the second that just ended; starts a new one. */
  takeSecond(): string {
    const encoded = encodeHistogram(this.second);
    this.second = latencyHistogram();
    return encoded;
  }

  /** True when every recipient has every seq up to `lastSeq[topic]`. */
  complete(lastSeq: Record<string, number>): boolean {
    return this.subscriptions.every((topics, client) => topics.every((topic) => this.audit.holdsAll(client, topic, lastSeq[topic] ?? 0)));
  }

  /** Every subscriber of a topic should have had its seqs 1..lastSeq[topic]. */
  tally(lastSeq: Record<string, number>): DeliveryTally {
    this.subscriptions.forEach((topics, client) => {
      for (const topic of topics) this.audit.expectRange(client, topic, 1, lastSeq[topic] ?? 0);
    });
    const { lost: _lost, ...tally } = this.audit.counts();
    return tally;
  }
}
