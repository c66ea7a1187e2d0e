/**
 * Samples the server's `GET /api/stats` once a second from the orchestrator
 * (the server counts that traffic under `other`, not under a transport), so
 * the run has a time series of connections, CPU, RSS and event-loop delay.
 */
import type { StatsSnapshot } from '../../src/protocol/index.ts';

const REQUEST_TIMEOUT_MS = 2_000;

export interface StatsSample {
  /** `process.hrtime.bigint()` when the answer came back, in ns. */
  atNs: bigint;
  snapshot: StatsSnapshot;
}

export async function fetchStats(baseUrl: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<StatsSnapshot> {
  const response = await fetch(`${baseUrl}/api/stats`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET /api/stats → ${response.status}`);
  return (await response.json()) as StatsSnapshot;
}

export class StatsSampler {
  readonly samples: StatsSample[] = [];
  readonly failures: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly baseUrl: string) {}

  start(periodMs = 1000): void {
    this.timer = setInterval(() => void this.sample(), periodMs);
  }

  async sample(): Promise<StatsSample | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      const snapshot = await fetchStats(this.baseUrl);
      const sample = { atNs: process.hrtime.bigint(), snapshot };
      this.samples.push(sample);
      return sample;
    } catch (error) {
      if (this.failures.length < 10) this.failures.push((error as Error).message);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  last(): StatsSample | undefined {
    return this.samples[this.samples.length - 1];
  }
}
