/**
 * One contender's fan-out rig: N subscribers spread over load processes and
 * one publisher process, driven round by round. A round's figures are
 * whatever arrived: the caller decides whether that was loss-free.
 */
import * as hdr from 'hdr-histogram-js';
import type { WsDialectName } from '../load/dialects.ts';
import { LoadProcess } from '../proc/load-process.ts';
import { coresOver } from '../proc/machine.ts';
import type { ServerProcess } from '../proc/server-process.ts';
import { createSession } from './common.ts';

export interface RoundRequest {
  messages: number;
  /** Saturation: unacknowledged publishes allowed at once; ignored when paced. */
  window: number;
  /** null saturates. */
  ratePerSecond: number | null;
  recordLatency: boolean;
  bodyBytes: number;
  timeoutMs: number;
}

export interface RoundFigures {
  expected: number;
  delivered: number;
  minPerSubscriber: number;
  acked: number;
  /** From the first publish to the last delivery, in seconds. */
  seconds: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  subscriberCpuMicros: number;
  /** CPU of every load process (subscribers and publisher) over the round, read from /proc; null when unreadable. */
  harnessCpuSeconds: number | null;
  /** The busiest load process over the round, in cores. */
  harnessCores: number | null;
  timedOut: boolean;
}

/** CPU seconds of each process now (null entries where /proc could not be read). */
function cpuOf(processes: LoadProcess[]): (number | null)[] {
  return processes.map((process) => process.cpuSeconds());
}

export class FanoutRig {
  private round = 0;
  private constructor(
    private readonly subscribers: LoadProcess[],
    private readonly publisher: LoadProcess,
    readonly subscriberCount: number,
    private readonly tag: string,
  ) {}

  static async open(server: ServerProcess, dialect: WsDialectName, count: number, perProcess: number, pin: boolean, topic: string): Promise<FanoutRig> {
    const subscriberToken = await createSession(server, 'peers-sub');
    const publisherToken = await createSession(server, 'peers-pub');
    const target = { host: server.host, port: server.port, topic };
    const processes = Math.max(1, Math.ceil(count / perProcess));
    const subscribers: LoadProcess[] = [];
    for (let i = 0; i < processes; i += 1) {
      const share = Math.floor(count / processes) + (i < count % processes ? 1 : 0);
      subscribers.push(new LoadProcess(`subscribers-${i}`, { ...target, token: subscriberToken, role: 'subscribers', dialect, count: share, concurrency: 100 }, pin));
    }
    const publisher = new LoadProcess('publisher', { ...target, token: publisherToken, role: 'publisher', dialect }, pin);
    const rig = new FanoutRig(subscribers, publisher, count, Math.random().toString(36).slice(2, 8));
    try {
      const readies = await Promise.all([...subscribers, publisher].map((process) => process.next('ready', 60_000)));
      const failed = readies.reduce((sum, ready) => sum + ready.failed, 0);
      if (failed > 0) {
        const error = readies.find((ready) => ready.error)?.error ?? 'unknown error';
        throw new Error(`${failed} of ${count + 1} WebSocket clients did not subscribe: ${error}`);
      }
    } catch (error) {
      await rig.close();
      throw error;
    }
    return rig;
  }

  async run(request: RoundRequest): Promise<RoundFigures> {
    this.round += 1;
    const round = this.round;
    const perSubscriber = request.messages;
    const loads = [...this.subscribers, this.publisher];
    const cpuBefore = cpuOf(loads);
    const startedMs = performance.now();
    for (const process of this.subscribers) process.send({ type: 'round', round, expectPerSubscriber: perSubscriber, recordLatency: request.recordLatency });
    this.publisher.send({
      type: 'publish', round, count: request.messages, window: request.window, ratePerSecond: request.ratePerSecond,
      bodyBytes: request.bodyBytes, idPrefix: `${this.tag}-${round}`,
    });
    const deadline = Date.now() + request.timeoutMs;
    let timedOut = false;
    const collect = async <T>(process: LoadProcess, wait: () => Promise<T>, again: () => Promise<T>): Promise<T> => {
      try {
        return await wait();
      } catch {
        timedOut = true;
        process.send({ type: 'report', round });
        return again();
      }
    };
    const remaining = (): number => Math.max(1000, deadline - Date.now());
    const published = await collect(this.publisher, () => this.publisher.next('published', remaining()), () => this.publisher.next('published', 5000));
    const rounds = await Promise.all(this.subscribers.map((process) =>
      collect(process, () => process.next('round', remaining()), () => process.next('round', 5000))));
    const wallSeconds = (performance.now() - startedMs) / 1000;
    const cpuAfter = cpuOf(loads);
    const deltas = cpuAfter.map((after, i) => (after === null || cpuBefore[i] === null ? null : after - (cpuBefore[i] ?? 0)));
    const readable = deltas.every((delta) => delta !== null);
    const harnessCpuSeconds = readable ? deltas.reduce<number>((sum, delta) => sum + (delta ?? 0), 0) : null;
    const harnessCores = readable ? coresOver(Math.max(...deltas.map((delta) => delta ?? 0)), wallSeconds) : null;
    const lastAt = Math.max(...rounds.map((report) => report.lastAt));
    const delivered = rounds.reduce((sum, report) => sum + report.total, 0);
    let latency: hdr.Histogram | null = null;
    for (const report of rounds) {
      if (report.latency === null) continue;
      const histogram = hdr.decodeFromCompressedBase64(report.latency);
      if (latency) latency.add(histogram);
      else latency = histogram;
    }
    return {
      expected: perSubscriber * this.subscriberCount,
      delivered,
      minPerSubscriber: Math.min(...rounds.map((report) => report.minPerSubscriber)),
      acked: published.acked,
      seconds: delivered > 0 ? (lastAt - published.startedAt) / 1e6 : 0,
      latencyP50Ms: latency ? latency.getValueAtPercentile(50) / 1000 : null,
      latencyP99Ms: latency ? latency.getValueAtPercentile(99) / 1000 : null,
      subscriberCpuMicros: rounds.reduce((sum, report) => sum + report.cpuMicros, 0),
      harnessCpuSeconds,
      harnessCores,
      timedOut,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscribers, this.publisher].map((process) => process.stop()));
  }
}

/** Why a round is not a complete, loss-free fan-out, or null. */
export function fanoutLoss(figures: RoundFigures, messages: number): string | null {
  if (figures.acked < messages) return `${messages - figures.acked} of ${messages} publishes not acknowledged${figures.timedOut ? ' (timed out)' : ''}`;
  if (figures.delivered < figures.expected || figures.minPerSubscriber < messages) {
    return `${figures.expected - figures.delivered} of ${figures.expected} deliveries missing${figures.timedOut ? ' (timed out)' : ''}`;
  }
  if (figures.delivered > figures.expected) return `${figures.delivered - figures.expected} duplicate deliveries`;
  return null;
}
