/**
 * `poll` and publish at saturation (autocannon -c N), then latency of both
 * sides at the *same* offered rate: 50 % of the lower of the two median
 * saturations, so that neither side is past its knee and the workloads are
 * identical. Every run is repeated, the contenders interleaved (ours, ref,
 * ours, ref …), and each run records what the machine and autocannon were
 * doing meanwhile (proc/machine.ts).
 */
import { MachineWindow } from '../proc/machine.ts';
import { readCpuSeconds } from '../proc/spawn-node.ts';
import type { ContenderName, PeerMeasurement } from '../types.ts';
import { runAutocannon, type AutocannonFigures, type AutocannonRun } from './autocannon.ts';
import { createSession, formatCount, guarded, missingFigure, throwIfAborted, type Contender, type MeasureContext } from './common.ts';
import { SampleBook } from './samples.ts';

export type HttpEndpoint = 'poll' | 'publish';

const TOPICS: Record<HttpEndpoint, string> = { poll: 'room:peers-poll', publish: 'room:peers-publish' };

function requestOf(endpoint: HttpEndpoint, baseUrl: string, token: string, bodyBytes: number): Pick<AutocannonRun, 'url' | 'method' | 'headers' | 'body'> {
  const headers = { authorization: `Bearer ${token}` };
  if (endpoint === 'poll') return { url: `${baseUrl}/api/poll?topics=${encodeURIComponent(TOPICS.poll)}`, method: 'GET', headers };
  const body = JSON.stringify({ topic: TOPICS.publish, body: 'x'.repeat(bodyBytes) });
  return { url: `${baseUrl}/api/messages`, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body };
}

/** Why a run is not a complete, loss-free workload, or null when it is. */
function lossOf(figures: AutocannonFigures): string | null {
  if (figures.completed === 0) return 'no request completed';
  const lost = figures.non2xx + figures.errors + figures.timeouts;
  if (lost > 0) return `${figures.non2xx} non-2xx, ${figures.errors} errors, ${figures.timeouts} timeouts`;
  return null;
}

/** One autocannon run against a server, with the server's CPU and the machine's conditions over it. */
async function measuredRun(run: AutocannonRun, serverPid: number): Promise<{ figures: AutocannonFigures; serverCpuSeconds: number | null; conditions: ReturnType<MachineWindow['close']> }> {
  const window = new MachineWindow();
  const cpuBefore = readCpuSeconds(serverPid);
  const figures = await runAutocannon(run);
  const cpuAfter = readCpuSeconds(serverPid);
  const serverCpuSeconds = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  const conditions = window.close({ serverSeconds: serverCpuSeconds, harnessSeconds: figures.harnessCpuSeconds, harnessCores: figures.harnessCores });
  return { figures, serverCpuSeconds, conditions };
}

/** Saturation, then latency at half the lower saturation, for one endpoint on every contender. */
export async function measureHttpEndpoint(endpoint: HttpEndpoint, contenders: Contender[], context: MeasureContext): Promise<PeerMeasurement[]> {
  const { sizes } = context;
  const rpsMetric = `${endpoint}.rps`;
  const cpuMetric = `${endpoint}.serverCpu`;
  const saturation = `autocannon -c ${sizes.httpConnections}, ${sizes.httpSeconds} s, ${sizes.repeats} interleaved repeats, ${endpoint === 'publish' ? `${sizes.bodyBytes}-byte bodies` : 'empty answers'}`;
  const results: PeerMeasurement[] = [];
  const tokens = new Map<ContenderName, string>();
  const book = new SampleBook();
  const failures = new Map<ContenderName, PeerMeasurement>();
  const noCpu = new Set<ContenderName>();

  for (let repeat = 0; repeat < sizes.repeats; repeat += 1) {
    for (const contender of contenders) {
      throwIfAborted(context.signal);
      if (!contender.server || failures.has(contender.name)) continue;
      const server = contender.server;
      context.progress(`${endpoint}: saturating ${contender.name} (${repeat + 1}/${sizes.repeats})`);
      const [failure] = await guarded([{ metric: rpsMetric, unit: 'req/s' }], contender.name, saturation, async () => {
        let token = tokens.get(contender.name);
        if (token === undefined) {
          token = await createSession(server, `peers-${endpoint}`);
          tokens.set(contender.name, token);
        }
        const request = requestOf(endpoint, server.url, token, sizes.bodyBytes);
        const base = { ...request, connections: sizes.httpConnections, pin: context.pin, signal: context.signal };
        if (repeat === 0 && sizes.httpWarmupSeconds > 0) await runAutocannon({ ...base, seconds: sizes.httpWarmupSeconds, rate: null }); // warm-up: JIT and sockets
        const { figures, serverCpuSeconds, conditions } = await measuredRun({ ...base, seconds: sizes.httpSeconds, rate: null }, server.pid);
        const loss = lossOf(figures);
        if (loss) return [missingFigure(rpsMetric, contender.name, 'req/s', saturation, loss, figures.requestsPerSecond)];
        book.add(rpsMetric, contender.name, figures.requestsPerSecond, conditions, (figures.harnessCpuSeconds * 1e6) / figures.completed);
        if (serverCpuSeconds === null) noCpu.add(contender.name);
        else book.add(cpuMetric, contender.name, (serverCpuSeconds * 1e6) / figures.completed, conditions);
        return [];
      });
      if (failure) failures.set(contender.name, failure);
    }
  }
  const saturations = new Map<ContenderName, number>();
  for (const contender of contenders) {
    const failure = failures.get(contender.name);
    const rps = book.figure(rpsMetric, contender.name, 'req/s', saturation);
    if (!contender.server) results.push(missingFigure(rpsMetric, contender.name, 'req/s', saturation, contender.reason));
    else if (failure) results.push(failure);
    else if (rps) {
      saturations.set(contender.name, rps.value ?? 0);
      results.push(rps);
      const cpu = book.figure(cpuMetric, contender.name, 'µs', saturation);
      if (cpu === undefined || noCpu.has(contender.name)) results.push(missingFigure(cpuMetric, contender.name, 'µs', saturation, 'could not read the server CPU from /proc'));
      else results.push(cpu);
    }
  }
  results.push(...(await measureHttpLatency(endpoint, contenders, tokens, saturations, context)));
  return results;
}

async function measureHttpLatency(
  endpoint: HttpEndpoint,
  contenders: Contender[],
  tokens: Map<ContenderName, string>,
  saturations: Map<ContenderName, number>,
  context: MeasureContext,
): Promise<PeerMeasurement[]> {
  const { sizes } = context;
  const measured = [...saturations.values()];
  const rate = measured.length === contenders.length && measured.length > 0 ? Math.min(...measured) / 2 : null;
  const workload = rate === null
    ? 'latency at 50 % of the lower saturation'
    : `${formatCount(Math.round(rate))} req/s (50 % of the lower median saturation), -c ${sizes.httpConnections}, ${sizes.httpSeconds} s, ${sizes.repeats} interleaved repeats`;
  const metrics = [{ metric: `${endpoint}.p50`, unit: 'ms' }, { metric: `${endpoint}.p99`, unit: 'ms' }];
  const results: PeerMeasurement[] = [];
  const book = new SampleBook();
  const failures = new Map<ContenderName, PeerMeasurement[]>();
  for (const contender of contenders) {
    if (rate === null || !contender.server || !tokens.has(contender.name)) {
      const reason = contender.server ? 'no common rate: a saturation run did not complete' : contender.reason;
      failures.set(contender.name, metrics.map(({ metric, unit }) => missingFigure(metric, contender.name, unit, workload, reason)));
    }
  }
  for (let repeat = 0; rate !== null && repeat < sizes.repeats; repeat += 1) {
    for (const contender of contenders) {
      throwIfAborted(context.signal);
      const token = tokens.get(contender.name);
      if (!contender.server || token === undefined || failures.has(contender.name)) continue;
      const server = contender.server;
      context.progress(`${endpoint}: latency of ${contender.name} at ${Math.round(rate)} req/s (${repeat + 1}/${sizes.repeats})`);
      const failed = await guarded(metrics, contender.name, workload, async () => {
        const request = requestOf(endpoint, server.url, token, sizes.bodyBytes);
        const run = { ...request, connections: sizes.httpConnections, seconds: sizes.httpSeconds, rate, pin: context.pin, signal: context.signal };
        const { figures, conditions } = await measuredRun(run, server.pid);
        const loss = lossOf(figures);
        if (loss) return metrics.map(({ metric, unit }) => missingFigure(metric, contender.name, unit, workload, loss));
        book.add(`${endpoint}.p50`, contender.name, figures.latencyP50Ms, conditions);
        book.add(`${endpoint}.p99`, contender.name, figures.latencyP99Ms, conditions);
        return [];
      });
      if (failed.length > 0) failures.set(contender.name, failed);
    }
  }
  for (const contender of contenders) {
    const failed = failures.get(contender.name);
    if (failed) {
      results.push(...failed);
      continue;
    }
    for (const { metric, unit } of metrics) {
      const figure = book.figure(metric, contender.name, unit, workload);
      if (figure) results.push(figure);
    }
  }
  return results;
}
