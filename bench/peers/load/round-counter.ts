/**
 * What every subscriber role counts per round, whatever its wire protocol:
 * deliveries per subscriber, whether each subscriber saw the round's messages
 * in publish order (the index stamped in each body), and, when asked, latency
 * from each message's scheduled send time into an HDR histogram. It reports
 * once every subscriber has the round's count, or when asked.
 */
import * as hdr from 'hdr-histogram-js';
import { nowMicros } from './dialects.ts';
import { cpuMicrosSince, type WorkerCommand, type WorkerReport } from './messages.ts';

const HIGHEST_MICROS = 120_000_000;

export class RoundCounter {
  private counts: Uint32Array;
  private lastIndex: Int32Array;
  private round = -1;
  private expect = 0;
  private complete = 0;
  private total = 0;
  private errors = 0;
  private outOfOrder = 0;
  private firstAt = 0;
  private lastAt = 0;
  private histogram: hdr.Histogram | null = null;
  private cpuSince = process.cpuUsage();
  private reported = true;

  constructor(private readonly size: number, private readonly report: (message: WorkerReport) => void) {
    this.counts = new Uint32Array(size);
    this.lastIndex = new Int32Array(size).fill(-1);
  }

  /** `round` starts counting afresh; `report` sends what there is now. */
  handle(command: WorkerCommand): void {
    if (command.type === 'round') {
      this.round = command.round;
      this.expect = command.expectPerSubscriber;
      this.counts = new Uint32Array(this.size);
      this.lastIndex = new Int32Array(this.size).fill(-1);
      this.complete = 0;
      this.total = 0;
      this.errors = 0;
      this.outOfOrder = 0;
      this.firstAt = 0;
      this.lastAt = 0;
      this.histogram = command.recordLatency
        ? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MICROS, numberOfSignificantValueDigits: 3 })
        : null;
      this.cpuSince = process.cpuUsage();
      this.reported = false;
      // The rig publishes only once every subscriber process has reset: a fast
      // server's first delivery would otherwise land in the old round.
      this.report({ type: 'armed', round: command.round });
    } else if (command.type === 'report' && command.round === this.round) {
      this.finish();
    }
  }

  /** Subscriber `client` received the message with `index` (-1: no index), scheduled at `stamp` µs. */
  delivery(client: number, index: number, stamp: number): void {
    const now = nowMicros();
    if (this.total === 0) this.firstAt = now;
    this.total += 1;
    this.lastAt = now;
    if (index >= 0) {
      if (index <= this.lastIndex[client]) this.outOfOrder += 1;
      this.lastIndex[client] = index;
    }
    const count = (this.counts[client] += 1);
    if (this.histogram && stamp >= 0) this.histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, now - stamp)));
    if (count === this.expect) {
      this.complete += 1;
      if (this.complete === this.size) this.finish();
    }
  }

  error(): void {
    this.errors += 1;
  }

  private finish(): void {
    if (this.reported) return;
    this.reported = true;
    // A subscriber whose connection failed keeps a count of 0.
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.counts.length; i += 1) min = Math.min(min, this.counts[i]);
    this.report({
      type: 'round',
      round: this.round,
      total: this.total,
      minPerSubscriber: Number.isFinite(min) ? min : 0,
      outOfOrder: this.outOfOrder,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      latency: this.histogram ? hdr.encodeIntoCompressedBase64(this.histogram) : null,
      errors: this.errors,
      cpuMicros: cpuMicrosSince(this.cpuSince),
    });
  }
}
