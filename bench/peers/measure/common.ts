/**
 * Small things every measurement shares: sessions on a server, progress and
 * abort handling, and how a figure becomes a `PeerMeasurement`.
 */
import { randomBytes } from 'node:crypto';
import type { ContenderName, PeerMeasurement, PeersSizes } from '../types.ts';
import type { ServerProcess } from '../proc/server-process.ts';

/** What a measurement gets from the run. */
export interface MeasureContext {
  sizes: PeersSizes;
  pin: boolean;
  signal?: AbortSignal;
  progress: (line: string) => void;
}

/** A contender's running server, or why there is none. */
export type Contender = { name: ContenderName; server: ServerProcess } | { name: ContenderName; server: null; reason: string };

/** `POST /api/session` with a fresh name; the token of the new session. */
/** Names must never repeat: 10,000 random 32-bit suffixes collide about once in a hundred runs. */
const RUN_TAG = randomBytes(4).toString('hex');
let sessionCount = 0;

export async function createSession(server: ServerProcess, prefix: string): Promise<string> {
  sessionCount += 1;
  const name = `${prefix}-${RUN_TAG}-${sessionCount}`;
  const response = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /api/session answered ${response.status}: ${text.slice(0, 200)}`);
  const token = (JSON.parse(text) as { token?: unknown }).token;
  if (typeof token !== 'string') throw new Error('POST /api/session answered without a token');
  return token;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('aborted');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function completedFigure(
  metric: string, contender: ContenderName, value: number, unit: string, workload: string, harnessCpuMicrosPerOperation?: number,
): PeerMeasurement {
  return { metric, contender, value, unit, completed: true, workload, harnessCpuMicrosPerOperation };
}

export function missingFigure(metric: string, contender: ContenderName, unit: string, workload: string, reason: string, value: number | null = null): PeerMeasurement {
  return { metric, contender, value, unit, completed: false, reason, workload };
}

/** Runs `measure` and turns a thrown error into an incomplete figure for each metric. */
export async function guarded(
  metrics: { metric: string; unit: string }[],
  contender: ContenderName,
  workload: string,
  measure: () => Promise<PeerMeasurement[]>,
): Promise<PeerMeasurement[]> {
  try {
    return await measure();
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return metrics.map(({ metric, unit }) => missingFigure(metric, contender, unit, workload, reason));
  }
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** `count` sessions, `concurrency` requests at a time: one per simulated client, as real users have. */
export async function createSessions(server: ServerProcess, prefix: string, count: number, concurrency = 32): Promise<string[]> {
  const tokens: string[] = new Array<string>(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      tokens[index] = await createSession(server, prefix);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return tokens;
}
