/**
 * The per-second time series of one transport run: client counters from the
 * workers' ticks (cumulative, so a late tick loses nothing), latency from
 * their per-second histograms, server figures from the stats samples.
 */
import { LatencyHistogram } from '../aggregate/index.ts';
import type { SeriesPoint } from '../../src/results/schema.ts';
import type { WorkerCounters } from './ipc.ts';
import type { StatsSample } from './stats-sampler.ts';

interface Tick {
  second: number;
  counters: WorkerCounters;
  latency: string;
}

export class SeriesBuilder {
  /** worker index → ticks in arrival order */
  private readonly ticks = new Map<number, Tick[]>();

  addTick(worker: number, t: number, counters: WorkerCounters, latency: string): void {
    const list = this.ticks.get(worker) ?? [];
    list.push({ second: Math.max(1, Math.round(t)), counters, latency });
    this.ticks.set(worker, list);
  }

  /** The latency of every tick merged: what an interrupted run still knows. */
  mergedLatency(): LatencyHistogram {
    const all = new LatencyHistogram();
    for (const list of this.ticks.values()) for (const tick of list) all.merge(LatencyHistogram.decode(tick.latency));
    return all;
  }

  /** The newest cumulative counters of each worker. */
  lastCounters(): WorkerCounters[] {
    return [...this.ticks.values()].flatMap((list) => (list.length ? [list[list.length - 1].counters] : []));
  }

  build(startNs: bigint, samples: StatsSample[], transportConnections: (sample: StatsSample) => number): SeriesPoint[] {
    const seconds = Math.max(0, ...[...this.ticks.values()].flatMap((list) => list.map((tick) => tick.second)));
    const points: SeriesPoint[] = [];
    for (let second = 1; second <= seconds; second += 1) {
      const point: SeriesPoint = {
        t: second,
        deliveries: 0,
        requests: 0,
        bytesUp: 0,
        bytesDown: 0,
        headerBytes: 0,
        connections: 0,
        serverCpuPercent: 0,
        serverRssBytes: 0,
        latencyP50Ms: null,
        latencyP99Ms: null,
        eventLoopDelayP99Ms: null,
      };
      const latency = new LatencyHistogram();
      for (const list of this.ticks.values()) {
        const index = list.findIndex((tick) => tick.second === second);
        if (index < 0) continue;
        const now = list[index].counters;
        const before = index > 0 ? list[index - 1].counters : undefined;
        point.deliveries += now.deliveries - (before?.deliveries ?? 0);
        point.requests += now.requests - (before?.requests ?? 0);
        point.bytesUp += total(now.up) - (before ? total(before.up) : 0);
        point.bytesDown += total(now.down) - (before ? total(before.down) : 0);
        point.headerBytes += now.up.headers + now.down.headers - (before ? before.up.headers + before.down.headers : 0);
        latency.merge(LatencyHistogram.decode(list[index].latency));
      }
      if (latency.count > 0) {
        const summary = latency.summary();
        point.latencyP50Ms = summary.p50;
        point.latencyP99Ms = summary.p99;
      }
      Object.assign(point, serverAt(startNs, second, samples, transportConnections));
      points.push(point);
    }
    return points;
  }
}

function total(split: { headers: number; framing: number; bodies: number }): number {
  return split.headers + split.framing + split.bodies;
}

/** Server figures over second `second` of the run, from the two samples around its end. */
function serverAt(
  startNs: bigint,
  second: number,
  samples: StatsSample[],
  transportConnections: (sample: StatsSample) => number,
): Pick<SeriesPoint, 'connections' | 'serverCpuPercent' | 'serverRssBytes' | 'eventLoopDelayP99Ms'> {
  const at = (sample: StatsSample): number => Number(sample.atNs - startNs) / 1e9;
  const index = samples.findIndex((sample) => at(sample) >= second);
  const sample = index >= 0 ? samples[index] : samples[samples.length - 1];
  if (!sample) return { connections: 0, serverCpuPercent: 0, serverRssBytes: 0, eventLoopDelayP99Ms: null };
  const previous = index > 0 ? samples[index - 1] : undefined;
  let cpuPercent = 0;
  if (previous) {
    const cpu = (s: StatsSample): number => s.snapshot.process.cpuUserMicros + s.snapshot.process.cpuSystemMicros;
    const elapsedMicros = Number(sample.atNs - previous.atNs) / 1e3;
    cpuPercent = elapsedMicros > 0 ? (100 * (cpu(sample) - cpu(previous))) / elapsedMicros : 0;
  }
  return {
    connections: transportConnections(sample),
    serverCpuPercent: cpuPercent,
    serverRssBytes: sample.snapshot.process.rssBytes,
    eventLoopDelayP99Ms: eventLoopDelayP99(sample),
  };
}

/**
 * The sample's event-loop delay p99, or null where it has none: the stats
 * format declares it, but a sample from an older or foreign server may lack it.
 */
function eventLoopDelayP99(sample: StatsSample): number | null {
  const delay = (sample.snapshot.process as Partial<StatsSample['snapshot']['process']>).eventLoopDelayMs;
  return typeof delay?.p99 === 'number' ? delay.p99 : null;
}
