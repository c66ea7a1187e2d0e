/**
 * The `peers` part of the bench (issue 5): our server next to minimal
 * reference servers, the same load on both, in one run; every figure is
 * reported as ours ÷ the reference's, next to its target.
 *
 *   const report = await runPeers({ quick: false, pin: true, onProgress: console.log });
 *   console.log(formatPeersTable(report));
 *
 * Throughput figures share one running instance per server; each memory
 * figure gets a freshly started server, so that earlier load does not hide
 * in its baseline.
 */
import { cpus, release, type as osType } from 'node:os';
import type { RunError } from '../../src/results/schema.ts';
import { expandPeersParts } from '../../src/results/peers.ts';
import { FANOUT_KINDS, measureFanout, type FanoutTransport } from './measure/fanout.ts';
import { measureHttpEndpoint } from './measure/http.ts';
import { MEMORY_METRICS, RELEASE_CPU_METRIC, RELEASE_METRIC, clientsFor, measureMemory, type IdleKind } from './measure/memory.ts';
import { guarded, missingFigure, throwIfAborted, type Contender, type MeasureContext } from './measure/common.ts';
import { mergeRepeats } from './measure/samples.ts';
import { ServerProcess, SERVER_SPECS } from './proc/server-process.ts';
import { canPin } from './proc/spawn-node.ts';
import { computeRatios, ratioSpecs } from './ratios.ts';
import { DESCRIPTOR_LIMIT, FULL_SIZES, MAX_CLIENTS_PER_PROCESS, PEERS_PART_GROUPS, PEERS_PARTS, QUICK_SIZES, SCALE_SIZES, type ContenderName, type PeersPart, type PeersSizes, type PeerMeasurement, type PeersOptions, type PeersReport } from './types.ts';
import { measureStickiness } from './sticky/measure.ts';
import { versionsOf } from './versions.ts';

export { formatPeersTable } from './format.ts';
export type { PeersReport, PeersOptions, PeerMeasurement, PeersSizes, ContenderName } from './types.ts';

const ALL_CONTENDERS: ContenderName[] = ['ours', 'node:http', 'ws', 'ws+cork', 'sse', 'socket.io', 'socket.io-polling', 'better-sse', 'faye', 'sockjs'];
/** Fan-out parts in the order: long poll, SSE, then ws (each against the peers of its transport, fanout.ts). */
const FANOUT_PARTS: { part: PeersPart; transport: FanoutTransport }[] = [
  { part: 'fanout-longpoll', transport: 'longpoll' },
  { part: 'fanout-sse', transport: 'sse' },
  { part: 'fanout-ws', transport: 'ws' },
];
const HTTP_ENDPOINT_CONTENDERS: ContenderName[] = ['ours', 'node:http'];
const MEMORY_RUNS: { part: PeersPart; kind: IdleKind; contenders: ContenderName[] }[] = [
  { part: 'held', kind: 'longpoll', contenders: ['ours', 'node:http', 'socket.io-polling', 'faye'] },
  { part: 'idle-ws', kind: 'ws', contenders: ['ours', 'ws', 'socket.io', 'faye', 'sockjs'] },
  { part: 'idle-sse', kind: 'sse', contenders: ['ours', 'sse', 'better-sse', 'sockjs'] },
];

/** Starts servers, remembers which are running (to stop them on abort) and which failed. */
class ServerPool {
  readonly running = new Set<ServerProcess>();
  readonly skipped = new Map<ContenderName, string>();
  readonly errors: RunError[] = [];

  constructor(private readonly options: PeersOptions, private readonly pin: boolean) {}

  async start(name: ContenderName): Promise<Contender> {
    const nodeFlags = name === 'ours' && this.options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${this.options.cpuProfileDir}`] : undefined;
    try {
      const server = await ServerProcess.start(SERVER_SPECS[name], { pin: this.pin, nodeFlags });
      this.running.add(server);
      return { name, server };
    } catch (error) {
      const message = (error as Error).message;
      if (!this.skipped.has(name)) {
        this.skipped.set(name, message);
        const [first, ...rest] = message.split('\n');
        this.errors.push({ source: name === 'ours' ? 'server' : `peer:${name}`, message: first, output: rest.join('\n') || undefined });
      }
      return { name, server: null, reason: `server did not start: ${message.split('\n')[0]}` };
    }
  }

  async stop(contenders: Contender[]): Promise<void> {
    await Promise.all(contenders.map(async (contender) => {
      if (!contender.server) return;
      if (!contender.server.alive) {
        this.errors.push({ source: contender.name === 'ours' ? 'server' : `peer:${contender.name}`, message: 'exited during the run', output: contender.server.output() });
      }
      await contender.server.stop();
      this.running.delete(contender.server);
    }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((server) => server.stop(1000)));
    this.running.clear();
  }
}

function pick(contenders: Contender[], names: ContenderName[]): Contender[] {
  return contenders.filter((contender) => names.includes(contender.name));
}

/** The servers the throughput parts in `parts` speak to: only those are started. */
function throughputServers(parts: PeersPart[], wanted: ContenderName[]): ContenderName[] {
  const needed = new Set<ContenderName>();
  if (parts.includes('poll') || parts.includes('publish')) HTTP_ENDPOINT_CONTENDERS.forEach((name) => needed.add(name));
  for (const { part, transport } of FANOUT_PARTS) {
    if (parts.includes(part)) Object.keys(FANOUT_KINDS[transport].plans).forEach((name) => needed.add(name as ContenderName));
  }
  return ALL_CONTENDERS.filter((name) => needed.has(name) && wanted.includes(name));
}

async function runThroughput(pool: ServerPool, parts: PeersPart[], wanted: ContenderName[], context: MeasureContext): Promise<PeerMeasurement[]> {
  const names = throughputServers(parts, wanted);
  if (names.length === 0) return [];
  const contenders = await Promise.all(names.map((name) => pool.start(name)));
  const measurements: PeerMeasurement[] = [];
  try {
    const http = pick(contenders, HTTP_ENDPOINT_CONTENDERS);
    if (parts.includes('poll')) measurements.push(...(await measureHttpEndpoint('poll', http, context)));
    if (parts.includes('publish')) measurements.push(...(await measureHttpEndpoint('publish', http, context)));
    for (const { part, transport } of FANOUT_PARTS) {
      if (!parts.includes(part)) continue;
      for (const subscribers of context.sizes.fanoutSubscribers) {
        measurements.push(...(await measureFanout(transport, subscribers, contenders, context)));
      }
    }
  } finally {
    await pool.stop(contenders);
  }
  return measurements;
}

/**
 * Each memory figure on a freshly started server, `repeats` times, the
 * contenders interleaved (ours, ref, ours, ref …); the repeats of one figure
 * are merged into its median.
 */
async function runMemory(pool: ServerPool, parts: PeersPart[], wanted: ContenderName[], context: MeasureContext): Promise<PeerMeasurement[]> {
  const byFigure = new Map<string, PeerMeasurement[]>();
  const record = (measurement: PeerMeasurement): void => {
    const key = `${measurement.metric}\u0000${measurement.contender}`;
    byFigure.set(key, [...(byFigure.get(key) ?? []), measurement]);
  };
  const failed = new Set<ContenderName>();
  const repeats = context.sizes.memoryRepeats ?? context.sizes.repeats;
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    for (const { part, kind, contenders } of MEMORY_RUNS) {
      if (!parts.includes(part)) continue;
      for (const name of contenders.filter((contender) => wanted.includes(contender))) {
        throwIfAborted(context.signal);
        const metrics = [{ metric: MEMORY_METRICS[kind], unit: 'bytes' }, ...(kind === 'longpoll' ? [{ metric: RELEASE_METRIC, unit: 'ms' }, { metric: RELEASE_CPU_METRIC, unit: 'ms' }] : [])];
        const clients = clientsFor(kind, context.sizes);
        const workload = `${clients} ${kind} clients`;
        // A server that did not start once is not started again: its figures stay missing.
        if (failed.has(name) && repeat > 0) continue;
        const contender = await pool.start(name);
        if (!contender.server) {
          failed.add(name);
          metrics.forEach(({ metric, unit }) => record(missingFigure(metric, name, unit, workload, contender.reason)));
          continue;
        }
        context.progress(`${kind}: ${clients} clients on ${name} (${repeat + 1}/${repeats})`);
        const server = contender.server;
        try {
          (await guarded(metrics, name, workload, () => measureMemory(kind, name, server, context))).forEach(record);
        } finally {
          await pool.stop([contender]);
        }
      }
    }
  }
  return [...byFigure.values()].map(mergeRepeats);
}

/** The part a figure belongs to, from its metric id (ratios.ts, measure/). */
export function partOf(metric: string): PeersPart {
  if (metric.startsWith('poll.')) return 'poll';
  if (metric.startsWith('publish.')) return 'publish';
  if (metric.startsWith('longpoll.fanout.')) return 'fanout-longpoll';
  if (metric.startsWith('sse.fanout.')) return 'fanout-sse';
  if (metric.startsWith('fanout.')) return 'fanout-ws';
  if (metric === MEMORY_METRICS.ws) return 'idle-ws';
  if (metric === MEMORY_METRICS.sse) return 'idle-sse';
  if (metric === MEMORY_METRICS.longpoll || metric === RELEASE_METRIC || metric === RELEASE_CPU_METRIC) return 'held';
  throw new Error(`no peers part measures ${metric}`);
}

/** `options.parts` (parts and groups), every part when absent; an unknown name is an error that lists the valid ones. */
export function partsOf(names: readonly string[] | undefined): PeersPart[] {
  if (names === undefined) return [...PEERS_PARTS];
  const parts = expandPeersParts(names);
  if (parts === null || parts.length === 0) {
    throw new Error(`peers parts must be some of ${[...PEERS_PARTS, ...Object.keys(PEERS_PART_GROUPS)].join(', ')}, got "${names.join(',')}"`);
  }
  return parts;
}

/**
 * Refuses sizes that would pass the descriptor limit: a load process over
 * ~18,000 connections, or a server asked to hold more than the limit leaves
 * room for (its listening socket, files, the bench's own requests).
 */
export function checkDescriptorBudget(sizes: PeersSizes): void {
  if (sizes.clientsPerProcess > MAX_CLIENTS_PER_PROCESS) {
    throw new Error(`clientsPerProcess ${sizes.clientsPerProcess} passes ${MAX_CLIENTS_PER_PROCESS} descriptors per load process`);
  }
  const most = Math.max(sizes.heldClients, sizes.idleClients ?? 0);
  if (most > DESCRIPTOR_LIMIT - 500) throw new Error(`${most} clients on one server leave it no room under the ${DESCRIPTOR_LIMIT}-descriptor limit`);
}

export async function runPeers(options: PeersOptions): Promise<PeersReport> {
  const startedAt = Date.now();
  const sizes: PeersSizes = { ...(options.quick ? QUICK_SIZES : FULL_SIZES), ...(options.scale ? SCALE_SIZES : {}), ...options.sizes };
  checkDescriptorBudget(sizes);
  const wanted = options.contenders ?? ALL_CONTENDERS;
  // The sticky part is the socket.io polling peer on a cluster: it runs when that peer is wanted.
  const parts = partsOf(options.parts).filter((part) => part !== 'sticky' || wanted.includes('socket.io-polling'));
  const pinned = options.pin && canPin();
  const progress = options.onProgress ?? (() => undefined);
  const context: MeasureContext = { sizes, pin: pinned, signal: options.signal, progress: (line) => progress(`peers: ${line}`) };
  const pool = new ServerPool(options, pinned);
  const onAbort = (): void => void pool.stopAll();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const measurements: PeerMeasurement[] = [];
  let sticky: PeersReport['sticky'];
  let incomplete = false;
  try {
    measurements.push(...(await runThroughput(pool, parts, wanted, context)));
    measurements.push(...(await runMemory(pool, parts, wanted, context)));
    if (parts.includes('sticky')) sticky = await measureStickiness({ quick: options.quick, signal: options.signal, onProgress: (line) => context.progress(`sticky: ${line}`) });
  } catch (error) {
    incomplete = true;
    if (!options.signal?.aborted) pool.errors.push({ source: 'peers', message: (error as Error).message });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await pool.stopAll();
  }
  if (options.signal?.aborted) incomplete = true;
  const cpu = cpus();
  const versions = versionsOf(wanted);
  return {
    // Only the references this run started: a contender left out (the plain `npm run bench`
    // leaves the libraries out) is not a row of "not measured".
    ratios: computeRatios(
      ratioSpecs(sizes).filter((spec) => parts.includes(partOf(spec.metric)) && wanted.includes(spec.reference)),
      measurements,
      versions,
    ),
    versions,
    errors: pool.errors,
    repeats: sizes.repeats,
    date: new Date(startedAt).toISOString(),
    quick: options.quick,
    pinned,
    pinRequested: options.pin,
    sizes,
    scale: options.scale === true,
    parts,
    ...(sticky ? { sticky } : {}),
    machine: { nproc: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', node: process.version, os: `${osType()} ${release()}` },
    measurements,
    skipped: [...pool.skipped].map(([contender, reason]) => ({ contender, reason })),
    durationSeconds: (Date.now() - startedAt) / 1000,
    incomplete,
  };
}
