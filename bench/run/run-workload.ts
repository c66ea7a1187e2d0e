/**
 * One workload scenario on one transport, as a turn on a rig (rig.ts: the
 * server, the client workers, the delay proxies): the clients open, both
 * sides' counters are read, the measured phase runs on an open-loop schedule,
 * then the drain until every expected delivery arrived (or a time limit), and
 * the counters are read again. Every wait has a time limit; Ctrl-C and a
 * dying server cut the turn short but keep what was measured.
 */
import type { TransportName } from '../../src/protocol/index.ts';
import type { RunError, TransportResult } from '../../src/results/schema.ts';
import type { ClientSpec, WorkloadScenario, WorkloadSettings } from '../scenarios/types.ts';
import { heardBy } from '../scenarios/workloads.ts';
import { socketsPerClient } from '../sim/index.ts';
import { assembleTransport, type Collected } from './assemble.ts';
import type { FromWorker, WorkerPlan } from './ipc.ts';
import type { Rig } from './rig.ts';
import { SeriesBuilder } from './series.ts';
import { ServerFailure, type ServerProcess } from './server-process.ts';
import { fetchStats, StatsSampler } from './stats-sampler.ts';

/** A worker's sockets plus the proxy's two per socket stay well under the 20,000 descriptors of a process. */
const SOCKETS_PER_WORKER = 8000;
const GO_LEAD_MS = 300;
const SETTLE_MS = 150;

export interface WorkloadRunOptions {
  scenario: WorkloadScenario;
  settings: WorkloadSettings;
  transport: TransportName;
  /** The scenario's processes (rig.ts); this run takes its turn on them. */
  rig: Rig;
  headers: (origin: string) => Record<string, string>;
  signal: AbortSignal;
  /** Session and topic prefix; by default `<scenario>.<transport>.` (the warm-up uses its own). */
  prefix?: string;
  /** Called about every second of the measured phase with the seconds it has run. */
  onProgress?: (seconds: number) => void;
  /** Short polling with If-None-Match (`--conditional`): the `poll` row's conditional twin. */
  conditional?: boolean;
  /** Clients that accept compressed answers (`--compression`): the transport's compressed twin. */
  compressed?: boolean;
  /** `--http 2`: poll, longpoll and sse over h2c (the rig's h2 targets); ws stays on HTTP/1.1. */
  http2?: boolean;
  /** With `http2`: h2 over TLS (`--http 2-tls`, the rig's TLS targets) instead of h2c. */
  tls?: boolean;
  /**
   * Called as the server's counters are read before the measured phase and
   * after it: a runner with counters of its own (the cluster scenario: each
   * node's CPU, Redis's INFO) reads them over the same window.
   */
  phase?: { started(): Promise<void>; ended(): Promise<void> };
}

/** Worker processes for these clients on any of these transports: enough that none passes the descriptor limit. */
export function workerCount(clients: ClientSpec[], transports: TransportName[], requested?: number): number {
  const sockets = Math.max(
    ...transports.map((transport) => clients.reduce((sum, spec) => sum + socketsPerClient(transport, spec.subscribe.length > 0, spec.publish !== undefined), 0)),
  );
  return Math.max(requested ?? 1, Math.ceil(sockets / SOCKETS_PER_WORKER));
}

/** `BENCH_TRACE=1` prints when each phase of a unit begins (to find where the time goes). */
const trace = process.env.BENCH_TRACE
  ? (() => {
      const t0 = Date.now();
      return (what: string): void => void process.stderr.write(`[bench +${Date.now() - t0} ms] ${what}\n`);
    })()
  : (): void => undefined;

export async function runWorkload(options: WorkloadRunOptions): Promise<TransportResult> {
  const { settings, transport } = options;
  // Names and topics of their own: the transports of a scenario share one server.
  const prefix = options.prefix ?? `${options.scenario.name}.${transport}.`;
  const plan = options.scenario.plan(settings, prefix);
  trace(`${prefix} start`);
  const errors: RunError[] = [];
  const series = new SeriesBuilder();
  const collected: Collected = {
    transport,
    settings,
    clients: plan.clients.length,
    workers: 0,
    startNs: process.hrtime.bigint(),
    endNs: process.hrtime.bigint(),
    counters: [],
    tallies: [],
    latencies: [],
    harnessCpuMicros: 0,
    baseline: undefined,
    final: undefined,
    samples: [],
    series,
    errors,
    incomplete: false,
    heard: heardBy(plan),
    http2: options.http2 === true && transport !== 'ws',
    tls: options.http2 === true && options.tls === true && transport !== 'ws',
    // The 2009 article's poll, where it applies: plain short polling with nothing published, over HTTP/1.1 or h2
    // (a conditional or compressed twin polls as its variant says, with the profile's headers).
    replay2009: settings.headers === 'websocket.org-2009' && transport === 'poll' && plan.publishers === 0
      && options.conditional !== true && options.compressed !== true,
  };
  const { rig } = options;
  const { server, workers } = rig;
  collected.workers = workers.length;
  let sampler: StatsSampler | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    await guard(server, options.signal, rig.reset());
    let delivered = false;
    workers.forEach((worker, i) => {
      worker.onTick = (tick) => {
        series.addTick(i, tick.t, tick.counters, tick.latency);
        if (!delivered && tick.counters.deliveries > 0) {
          delivered = true;
          trace(`${prefix} first deliveries`);
        }
      };
    });
    const shares: ClientSpec[][] = workers.map(() => []);
    plan.clients.forEach((spec, i) => shares[i % workers.length].push(spec));
    const serverUrl = server.url;
    const targets = rig.targets;
    const stepTimeoutMs = 10_000 + settings.network.rttMs * 20;
    workers.forEach((worker, i) => {
      const workerPlan: WorkerPlan = {
        workerIndex: i,
        transport,
        baseUrl: targets[i],
        clients: shares[i],
        headers: options.headers(serverUrl),
        bodyBytes: settings.bodyBytes,
        body: settings.body,
        bodySeed: settings.network.conditions?.seed ?? 1,
        pollIntervalMs: settings.pollIntervalMs,
        longPollWaitSeconds: settings.longPollWaitSeconds,
        stepTimeoutMs,
        replay2009: collected.replay2009 === true,
        conditional: options.conditional === true && transport === 'poll',
        compression: options.compressed === true,
        ...(options.http2 === true && transport !== 'ws' ? { h2Url: options.tls === true ? rig.tlsTargets[i] : rig.h2Targets[i] } : {}),
      };
      worker.send({ type: 'plan', plan: workerPlan });
    });
    const setupMs = 30_000 + plan.clients.length * 20 + settings.network.rttMs * 10;
    await guard(server, options.signal, Promise.all(workers.map((worker) => worker.waitFor('ready', setupMs))));

    trace(`${prefix} clients ready`);
    // Let the last setup requests land, zero the clients' counters, then read the server's.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + settings.network.rttMs));
    for (const worker of workers) worker.send({ type: 'mark' });
    await guard(server, options.signal, Promise.all(workers.map((worker) => worker.waitFor('marked', 10_000))));
    sampler = new StatsSampler(server.url);
    await options.phase?.started();
    collected.baseline = await fetchStats(server.url);
    sampler.start();
    const durationMs = settings.durationSeconds * 1000;
    collected.startNs = process.hrtime.bigint() + BigInt(GO_LEAD_MS * 1e6);
    for (const worker of workers) worker.send({ type: 'go', startNs: String(collected.startNs), durationMs });
    progress = setInterval(() => options.onProgress?.(Number(process.hrtime.bigint() - collected.startNs) / 1e9), 1000);

    // Publishing: until the schedule ends, Ctrl-C, or the server dies.
    const published = Promise.all(workers.map((worker) => worker.waitFor('published', durationMs + GO_LEAD_MS + stepTimeoutMs + 10_000)));
    const watch = interruption(server, options.signal);
    const cut = await Promise.race([published.then(() => false), watch.stopped]);
    watch.cancel();
    if (cut) {
      collected.incomplete = true;
      for (const worker of workers) worker.send({ type: 'abort' });
    }
    trace(`${prefix} publish awaited`);
    const tallies = (await published).map((message) => message.tally);
    const lastSeq: Record<string, number> = {};
    for (const tally of tallies) {
      for (const [topic, seq] of Object.entries(tally.lastSeq)) lastSeq[topic] = Math.max(lastSeq[topic] ?? 0, seq);
      if (tally.failed > 0) errors.push({ source: 'clients', message: `${tally.failed} of ${tally.attempted} publishes failed` });
    }

    // Drain: a poll interval and a few round trips for the last messages to arrive.
    const drainMs = cut ? 500 : settings.pollIntervalMs + 4 * settings.network.rttMs + 2000;
    const quiet = Promise.all(workers.map((worker) => worker.waitFor('quiet', drainMs + 15_000)));
    for (const worker of workers) worker.send({ type: 'expect', lastSeq, drainMs });
    await quiet;
    // Nothing in flight inside the proxies before either side is read (issue 13 item 6).
    await rig.drained();
    const reported = Promise.all(workers.map((worker) => worker.waitFor('report', 15_000)));
    for (const worker of workers) worker.send({ type: 'count' });
    const reports = await reported;
    // Time and traffic over the same window: from startNs (the clients start then) to when they stopped.
    collected.endNs = reports.reduce((end, report) => {
      const stopped = BigInt(report.stoppedNs);
      return stopped > end ? stopped : end;
    }, collected.startNs);
    sampler.stop();
    collected.final = await fetchStats(server.url).catch(() => sampler?.last()?.snapshot);
    await options.phase?.ended();
    trace(`${prefix} reports in`);
    absorb(collected, reports);
    const death = server.death();
    if (death) throw death;
  } catch (error) {
    collected.incomplete = true;
    errors.push(runError(error));
    if (!collected.final) collected.final = sampler?.last()?.snapshot;
    const counters = series.lastCounters();
    if (collected.counters.length === 0 && counters.length > 0) {
      collected.counters = counters;
      collected.endNs = process.hrtime.bigint();
    }
  } finally {
    clearInterval(progress);
    sampler?.stop();
    collected.samples = sampler?.samples ?? [];
    for (const worker of workers) worker.onTick = undefined;
  }
  trace(`${prefix} torn down`);
  if (options.signal.aborted) errors.push({ source: 'bench', message: 'interrupted (Ctrl-C): figures are what was measured until then' });
  const result = assembleTransport(collected);
  if (options.compressed === true) result.variant = 'compressed';
  // A row over h2 says so even when no h2 counter came back (a run cut short before its sessions opened).
  if (options.http2 === true && transport !== 'ws') result.http = '2';
  if (options.http2 === true && options.tls === true && transport !== 'ws') result.tls = true;
  return options.conditional === true && transport === 'poll' ? { ...result, variant: 'conditional' } : result;
}

function absorb(collected: Collected, reports: Extract<FromWorker, { type: 'report' }>[]): void {
  for (const [i, report] of reports.entries()) {
    collected.counters.push(report.counters);
    collected.tallies.push(report.deliveries);
    collected.latencies.push(report.latency);
    collected.harnessCpuMicros += report.cpuMicros;
    for (const message of report.errors) collected.errors.push({ source: `client-worker-${i}`, message });
  }
}

function runError(error: unknown): RunError {
  if (error instanceof ServerFailure) return { source: 'server', message: error.message, output: error.output };
  return { source: 'bench', message: error instanceof Error ? error.message : String(error) };
}

/** Resolves true when the run must stop early: Ctrl-C, or the server died. `cancel` stops watching. */
function interruption(server: ServerProcess, signal: AbortSignal): { stopped: Promise<true>; cancel(): void } {
  let cancel = (): void => undefined;
  const stopped = new Promise<true>((resolve) => {
    if (signal.aborted) return resolve(true);
    const done = (): void => {
      cancel();
      resolve(true);
    };
    const timer = setInterval(() => {
      if (!server.alive()) done();
    }, 200);
    cancel = () => {
      clearInterval(timer);
      signal.removeEventListener('abort', done);
    };
    signal.addEventListener('abort', done, { once: true });
  });
  return { stopped, cancel: () => cancel() };
}

/** Waits for `work` unless Ctrl-C or the server's death comes first (then throws why). */
async function guard<T>(server: ServerProcess, signal: AbortSignal, work: Promise<T>): Promise<T> {
  const watch = interruption(server, signal);
  const stop = watch.stopped.then(() => {
    throw server.death() ?? new Error('interrupted (Ctrl-C) during setup');
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, stop]);
  } finally {
    watch.cancel();
  }
}
