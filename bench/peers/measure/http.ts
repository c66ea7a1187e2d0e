/**
 * `poll` and publish at saturation (autocannon -c N), then latency of both
 * sides at the *same* offered rate: 50 % of the lower of the two saturations,
 * so that neither side is past its knee and the workloads are identical.
 */
import { readCpuSeconds } from '../proc/spawn-node.ts';
import type { PeerMeasurement } from '../types.ts';
import { runAutocannon, type AutocannonFigures, type AutocannonRun } from './autocannon.ts';
import { completedFigure, createSession, formatCount, guarded, missingFigure, throwIfAborted, type Contender, type MeasureContext } from './common.ts';

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

/** Saturation, then latency at half the lower saturation, for one endpoint on every contender. */
export async function measureHttpEndpoint(endpoint: HttpEndpoint, contenders: Contender[], context: MeasureContext): Promise<PeerMeasurement[]> {
  const { sizes } = context;
  const rpsMetric = `${endpoint}.rps`;
  const saturation = `autocannon -c ${sizes.httpConnections}, ${sizes.httpSeconds} s, best of ${sizes.repeats}, ${endpoint === 'publish' ? `${sizes.bodyBytes}-byte bodies` : 'empty answers'}`;
  const results: PeerMeasurement[] = [];
  const tokens = new Map<Contender['name'], string>();
  const saturations = new Map<Contender['name'], number>();

  // Alternate the contenders, `repeats` times, and keep each one's best run:
  // on a shared machine a neighbour's burst then hurts one run, not a side.
  const best = new Map<Contender['name'], AutocannonFigures>();
  // Server CPU per request is far less sensitive to a busy neighbour than req/s.
  const cpuPerRequest = new Map<Contender['name'], number>();
  const failures = new Map<Contender['name'], PeerMeasurement>();
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
        if (repeat === 0) await runAutocannon({ ...base, seconds: 1, rate: null }); // warm-up: JIT and sockets
        const cpuBefore = readCpuSeconds(server.pid);
        const figures = await runAutocannon({ ...base, seconds: sizes.httpSeconds, rate: null });
        const cpuAfter = readCpuSeconds(server.pid);
        const loss = lossOf(figures);
        if (loss) return [missingFigure(rpsMetric, contender.name, 'req/s', saturation, loss, figures.requestsPerSecond)];
        const previous = best.get(contender.name);
        if (!previous || figures.requestsPerSecond > previous.requestsPerSecond) best.set(contender.name, figures);
        if (cpuBefore !== null && cpuAfter !== null) {
          const micros = ((cpuAfter - cpuBefore) * 1e6) / figures.completed;
          cpuPerRequest.set(contender.name, Math.min(micros, cpuPerRequest.get(contender.name) ?? Number.POSITIVE_INFINITY));
        }
        return [];
      });
      if (failure) failures.set(contender.name, failure);
    }
  }
  for (const contender of contenders) {
    const figures = best.get(contender.name);
    const failure = failures.get(contender.name);
    if (!contender.server) results.push(missingFigure(rpsMetric, contender.name, 'req/s', saturation, contender.reason));
    else if (failure) results.push(failure);
    else if (figures) {
      saturations.set(contender.name, figures.requestsPerSecond);
      const harnessPerRequest = (figures.harnessCpuSeconds * 1e6) / figures.completed;
      results.push(completedFigure(rpsMetric, contender.name, figures.requestsPerSecond, 'req/s', saturation, harnessPerRequest));
      const serverCpu = cpuPerRequest.get(contender.name);
      if (serverCpu === undefined) results.push(missingFigure(`${endpoint}.serverCpu`, contender.name, 'µs', saturation, 'could not read the server CPU from /proc'));
      else results.push(completedFigure(`${endpoint}.serverCpu`, contender.name, serverCpu, 'µs', saturation));
    }
  }

  const measured = [...saturations.values()];
  const rate = measured.length === contenders.length && measured.length > 0 ? Math.min(...measured) / 2 : null;
  const latencyWorkload = rate === null ? 'latency at 50 % of the lower saturation' : `${formatCount(Math.round(rate))} req/s (50 % of the lower saturation), -c ${sizes.httpConnections}, ${sizes.httpSeconds} s`;
  for (const contender of contenders) {
    throwIfAborted(context.signal);
    const metrics = [{ metric: `${endpoint}.p50`, unit: 'ms' }, { metric: `${endpoint}.p99`, unit: 'ms' }];
    const token = tokens.get(contender.name);
    if (rate === null || !contender.server || token === undefined) {
      const reason = contender.server ? 'no common rate: a saturation run did not complete' : contender.reason;
      results.push(...metrics.map(({ metric, unit }) => missingFigure(metric, contender.name, unit, latencyWorkload, reason)));
      continue;
    }
    context.progress(`${endpoint}: latency of ${contender.name} at ${Math.round(rate)} req/s`);
    const server = contender.server;
    results.push(...(await guarded(metrics, contender.name, latencyWorkload, async () => {
      const request = requestOf(endpoint, server.url, token, sizes.bodyBytes);
      const figures = await runAutocannon({ ...request, connections: sizes.httpConnections, seconds: sizes.httpSeconds, rate, pin: context.pin, signal: context.signal });
      const loss = lossOf(figures);
      if (loss) return metrics.map(({ metric, unit }) => missingFigure(metric, contender.name, unit, latencyWorkload, loss));
      return [
        completedFigure(`${endpoint}.p50`, contender.name, figures.latencyP50Ms, 'ms', latencyWorkload),
        completedFigure(`${endpoint}.p99`, contender.name, figures.latencyP99Ms, 'ms', latencyWorkload),
      ];
    })));
  }
  return results;
}
