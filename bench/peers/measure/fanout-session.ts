/**
 * One contender's fan-out rig: N subscribers spread over load processes and
 * one publisher process, driven round by round. A round's figures are
 * whatever arrived: the caller decides whether that was loss-free and in order.
 */
import * as hdr from 'hdr-histogram-js';
import type { WsDialectName } from '../load/dialects.ts';
import type { HttpDialectName } from '../load/http-dialects.ts';
import type { WorkerConfig } from '../load/messages.ts';
import { LoadProcess } from '../proc/load-process.ts';
import { coresOver } from '../proc/machine.ts';
import type { ServerProcess } from '../proc/server-process.ts';
import { createSession, createSessions } from './common.ts';

/** Which wire protocol a contender's subscribers and publisher speak. */
export interface RigPlan {
  subscriber: { role: 'subscribers'; dialect: WsDialectName } | { role: 'http-subscribers'; dialect: HttpDialectName };
  publisher: { role: 'publisher'; dialect: WsDialectName } | { role: 'http-publisher' };
  /** One session per subscriber, as real users have (ours answers a second long poll of one session at once). */
  sessionPerSubscriber: boolean;
}

/** Long polls and streams of a fan-out stay held this long when no message comes. */
const FANOUT_WAIT_SECONDS = 60;

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
  /** Deliveries that came after a later message to the same subscriber. */
  outOfOrder: number;
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

  static async open(server: ServerProcess, plan: RigPlan, count: number, perProcess: number, pin: boolean, topic: string): Promise<FanoutRig> {
    const subscriberToken = await createSession(server, 'peers-sub');
    const publisherToken = await createSession(server, 'peers-pub');
    const tokens = plan.sessionPerSubscriber ? await createSessions(server, 'peers-sub', count) : null;
    const target = { host: server.host, port: server.port, topic };
    const processes = Math.max(1, Math.ceil(count / perProcess));
    const subscribers: LoadProcess[] = [];
    let first = 0;
    for (let i = 0; i < processes; i += 1) {
      const share = Math.floor(count / processes) + (i < count % processes ? 1 : 0);
      const base = { ...target, token: subscriberToken, count: share, concurrency: 100 };
      const config: WorkerConfig = plan.subscriber.role === 'subscribers'
        ? { ...base, role: 'subscribers', dialect: plan.subscriber.dialect }
        : { ...base, role: 'http-subscribers', dialect: plan.subscriber.dialect, waitSeconds: FANOUT_WAIT_SECONDS, once: false };
      subscribers.push(new LoadProcess(`subscribers-${i}`, config, pin, tokens?.slice(first, first + share)));
      first += share;
    }
    const publisherConfig: WorkerConfig = plan.publisher.role === 'publisher'
      ? { ...target, token: publisherToken, role: 'publisher', dialect: plan.publisher.dialect }
      : { ...target, token: publisherToken, role: 'http-publisher' };
    const publisher = new LoadProcess('publisher', publisherConfig, pin);
    const rig = new FanoutRig(subscribers, publisher, count, Math.random().toString(36).slice(2, 8));
    try {
      const readies = await Promise.all([...subscribers, publisher].map((process) => process.next('ready', 60_000)));
      const failed = readies.reduce((sum, ready) => sum + ready.failed, 0);
      if (failed > 0) {
        const error = readies.find((ready) => ready.error)?.error ?? 'unknown error';
        throw new Error(`${failed} of ${count + 1} clients did not subscribe: ${error}`);
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
    await Promise.all(this.subscribers.map((process) => process.next('armed', 10_000)));
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
      outOfOrder: rounds.reduce((sum, report) => sum + report.outOfOrder, 0),
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
  if (figures.outOfOrder > 0) return `${figures.outOfOrder} of ${figures.expected} deliveries out of order`;
  return null;
}
