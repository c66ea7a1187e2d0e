/**
 * What the bench (parent) and its load processes (children) say to each
 * other over the IPC channel. Times are monotonic microseconds (`nowMicros`).
 */
import type { WsDialectName } from './dialects.ts';
import type { HttpDialectName } from './http-dialects.ts';

interface Target {
  host: string;
  port: number;
  token: string;
  topic: string;
}

export type WorkerConfig =
  /** `count` WebSocket subscribers of `topic`; idle until a round starts. */
  | (Target & { role: 'subscribers'; dialect: WsDialectName; count: number; concurrency: number })
  /** One WebSocket publisher. */
  | (Target & { role: 'publisher'; dialect: WsDialectName })
  /** `count` HTTP subscribers (event streams or long polls) in `dialect`; `once`: a long poll is not re-issued after it delivered. */
  | (Target & { role: 'http-subscribers'; dialect: HttpDialectName; count: number; concurrency: number; waitSeconds: number; once: boolean })
  /** One HTTP publisher: `POST /api/messages` pipelined on one connection. */
  | (Target & { role: 'http-publisher' })
  /** `count` held HTTP requests: long polls (released by a publish) or event streams. */
  | (Target & { role: 'held'; kind: 'longpoll' | 'sse'; count: number; concurrency: number; waitSeconds: number });

export type WorkerCommand =
  /** Begin: open the clients. `tokens[i]` is client i's session; the config's token otherwise. */
  | { type: 'start'; tokens?: string[] }
  /** Subscribers: reset counters; report when each subscriber has `expectPerSubscriber`. */
  | { type: 'round'; round: number; expectPerSubscriber: number; recordLatency: boolean }
  /** Publisher: `count` messages, at most `window` unacknowledged, or paced at `ratePerSecond`. */
  | { type: 'publish'; round: number; count: number; window: number; ratePerSecond: number | null; bodyBytes: number; idPrefix: string }
  /** Report what there is now, complete or not. */
  | { type: 'report'; round: number };

export type WorkerReport =
  | { type: 'ready'; opened: number; failed: number; error?: string }
  /** Subscribers: counters reset for `round`; the publish may start. */
  | { type: 'armed'; round: number }
  | {
      type: 'round';
      round: number;
      total: number;
      minPerSubscriber: number;
      /** Deliveries whose index was not above the previous one of the same subscriber. */
      outOfOrder: number;
      firstAt: number;
      lastAt: number;
      /** hdr-histogram-js compressed base64 of latencies in µs, or null. */
      latency: string | null;
      errors: number;
      cpuMicros: number;
    }
  | { type: 'published'; round: number; sent: number; acked: number; failed: number; startedAt: number; endedAt: number; cpuMicros: number; error?: string }
  | { type: 'released'; received: number; failed: number; lastAt: number; cpuMicros: number; error?: string }
  | { type: 'fatal'; message: string };

/** CPU (user + system) this process spent since `since`, in µs. */
export function cpuMicrosSince(since: NodeJS.CpuUsage): number {
  const usage = process.cpuUsage(since);
  return usage.user + usage.system;
}

/** Runs `open(i)` for i < count with at most `concurrency` in flight. */
export async function openAll(
  count: number,
  concurrency: number,
  open: (index: number) => Promise<void>,
): Promise<{ opened: number; failed: number; error?: string }> {
  let next = 0;
  let opened = 0;
  let failed = 0;
  let error: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      try {
        await open(index);
        opened += 1;
      } catch (cause) {
        failed += 1;
        error ??= (cause as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { opened, failed, error };
}
