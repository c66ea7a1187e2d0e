/**
 * Load role: many WebSocket subscribers of one topic in this process. They
 * count deliveries per subscriber per round and, when asked, record latency
 * from each message's scheduled send time (stamped in its body) into an HDR
 * histogram — measured from when it *should* have been sent (STYLE habit 8).
 */
import * as hdr from 'hdr-histogram-js';
import { WS_DIALECTS, nowMicros, readStamp } from './dialects.ts';
import { cpuMicrosSince, openAll, type WorkerCommand, type WorkerConfig, type WorkerReport } from './messages.ts';
import { openWsSession } from './ws-session.ts';
import type { RawWebSocket } from './raw-ws.ts';

type SubscribersConfig = Extract<WorkerConfig, { role: 'subscribers' }>;

const HIGHEST_MICROS = 120_000_000;

export class SubscribersRole {
  private readonly sockets: RawWebSocket[] = [];
  private counts: Uint32Array;
  private round = -1;
  private expect = 0;
  private complete = 0;
  private total = 0;
  private errors = 0;
  private firstAt = 0;
  private lastAt = 0;
  private histogram: hdr.Histogram | null = null;
  private cpuSince = process.cpuUsage();
  private reported = true;

  constructor(private readonly config: SubscribersConfig, private readonly report: (message: WorkerReport) => void) {
    this.counts = new Uint32Array(config.count);
  }

  async start(tokens: string[]): Promise<void> {
    const dialect = WS_DIALECTS[this.config.dialect];
    const marker = dialect.deliveryMarker;
    const result = await openAll(this.config.count, this.config.concurrency, async (index) => {
      const target = { host: this.config.host, port: this.config.port, token: tokens[index] ?? this.config.token };
      const socket = await openWsSession(target, dialect, this.config.topic, (payload, ws) => {
        if (payload.indexOf(marker) !== -1) return this.onDelivery(index, payload);
        const reply = dialect.autoReply(payload);
        if (reply !== null) ws.send(reply);
        else if (dialect.isError(payload)) this.errors += 1;
      });
      this.sockets.push(socket);
    });
    this.report({ type: 'ready', ...result });
  }

  handle(command: WorkerCommand): void {
    if (command.type === 'round') {
      this.round = command.round;
      this.expect = command.expectPerSubscriber;
      this.counts = new Uint32Array(this.config.count);
      this.complete = 0;
      this.total = 0;
      this.errors = 0;
      this.firstAt = 0;
      this.lastAt = 0;
      this.histogram = command.recordLatency
        ? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MICROS, numberOfSignificantValueDigits: 3 })
        : null;
      this.cpuSince = process.cpuUsage();
      this.reported = false;
    } else if (command.type === 'report' && command.round === this.round) {
      this.finishRound();
    }
  }

  private onDelivery(index: number, payload: Buffer): void {
    const now = nowMicros();
    if (this.total === 0) this.firstAt = now;
    this.total += 1;
    this.lastAt = now;
    const count = (this.counts[index] += 1);
    if (this.histogram) {
      const stamp = readStamp(payload);
      if (stamp >= 0) this.histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, now - stamp)));
    }
    if (count === this.expect) {
      this.complete += 1;
      if (this.complete === this.config.count) this.finishRound();
    }
  }

  private finishRound(): void {
    if (this.reported) return;
    this.reported = true;
    // A subscriber whose socket failed to open keeps a count of 0.
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.counts.length; i += 1) min = Math.min(min, this.counts[i]);
    this.report({
      type: 'round',
      round: this.round,
      total: this.total,
      minPerSubscriber: Number.isFinite(min) ? min : 0,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      latency: this.histogram ? hdr.encodeIntoCompressedBase64(this.histogram) : null,
      errors: this.errors,
      cpuMicros: cpuMicrosSince(this.cpuSince),
    });
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}
