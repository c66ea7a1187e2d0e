/**
 * The whole run: scenarios × transports (STYLE habit 6: the bench loops over
 * the matrix) into one `BenchResults`. On Ctrl-C the unit under way is cut
 * short and what was measured so far is returned, marked incomplete.
 */
import type { TransportName } from '../../src/protocol/index.ts';
import { extraHeadersFor } from '../headers/index.ts';
import type { HttpVersion } from '../cli/args.ts';
import type { BenchConfig, BenchResults, CpuWakeState, PeersPart, RunError, ScenarioResult, TransportResult } from '../../src/results/schema.ts';
import { SCHEMA_VERSION } from '../../src/results/schema.ts';
import { settingsFor, type Scenario, type WorkloadScenario, type WorkloadSettings } from '../scenarios/index.ts';
import { failedTransport } from './assemble.ts';
import { runContext } from './context.ts';
import { tasksetAvailable } from './pinning.ts';
import { chat } from '../scenarios/workloads.ts';
import { RigPool, type Rig } from './rig.ts';
import { runCeiling } from './run-ceiling.ts';
import { runPeersPart } from './run-peers.ts';
import { peersFullSeconds } from '../peers/estimate.ts';
import { runWorkload, workerCount } from './run-workload.ts';
import { runAbusePart } from '../abuse/run-abuse.ts';
import { runFaultsPart } from '../faults/part.ts';
import { runClusterPart } from '../cluster/part.ts';

export interface BenchPlan {
  runId: string;
  date: Date;
  scenarios: Scenario[];
  transports: TransportName[];
  /** Only the settings given on the command line. */
  flags: Partial<WorkloadSettings>;
  quick: boolean;
  pin: boolean;
  clientProcesses?: number;
  /** `--peers-repeats`: interleaved repeats of each peers pair; bench/peers' default otherwise. */
  peersRepeats?: number;
  /** `--peers-scale limit`: the peers memory parts at the process's descriptor limit. */
  peersScale?: boolean;
  /** `--peers-parts`: only these peers parts; every part otherwise. */
  peersParts?: PeersPart[];
  /** `--scenario` named the scenarios; otherwise the default list runs, with peers at its small size. */
  scenariosChosen: boolean;
  argv: string[];
  /** `--conditional`: after `poll`, short polling again with If-None-Match / 304 (a second poll row). */
  conditional?: boolean;
  /** `--compression`: the server compresses (--ws-deflate --gzip), and after each transport its compressed twin runs. */
  compression?: boolean;
  /** `--http`: the HTTP versions the HTTP transports are measured over (`['1.1']` when absent). */
  http?: HttpVersion[];
  /** Whether idle CPUs were held awake while measuring (bench/run/cpu-wake.ts: the command line holds them). */
  cpuWake?: CpuWakeState;
}

export interface WorkloadUnit {
  transport: TransportName;
  conditional: boolean;
  /** The compressed twin (`--compression`): the clients accept gzip / permessage-deflate. */
  compressed?: true;
  /** Over h2 (`--http 2`, `2-tls`); absent for HTTP/1.1. */
  http2?: true;
  /** h2 over TLS (`--http 2-tls`). */
  tls?: true;
}

/**
 * The runs of a scenario: each transport over each HTTP version asked for
 * (ws once, over HTTP/1.1: it has no h2 path here), the conditional poll
 * right after each `poll` when asked for, and each plain row's compressed
 * twin right after it when `--compression` asks (over h2 too: the h2
 * clients offer gzip on their streams and inflate what comes back).
 */
export function workloadUnits(
  transports: TransportName[],
  conditional: boolean | undefined,
  http: HttpVersion[] = ['1.1'],
  compression?: boolean,
): WorkloadUnit[] {
  return transports.flatMap((transport) => {
    const versions = transport === 'ws' ? ['1.1' as const] : http;
    return versions.flatMap((version) => {
      const over = version === '2' ? { http2: true as const } : version === '2-tls' ? { http2: true as const, tls: true as const } : {};
      return [
        { transport, conditional: false, ...over },
        ...(conditional === true && transport === 'poll' ? [{ transport, conditional: true, ...over }] : []),
        ...(compression === true ? [{ transport, conditional: false, compressed: true as const, ...over }] : []),
      ];
    });
  });
}

/** A unit's name in progress lines and prefixes: `poll-conditional`, `sse-h2`, `ws-compressed`. */
export function unitName(unit: WorkloadUnit): string {
  const stem = unit.conditional ? 'poll-conditional' : unit.compressed === true ? `${unit.transport}-compressed` : unit.transport;
  return `${stem}${unit.tls ? '-h2-tls' : unit.http2 ? '-h2' : ''}`;
}

/** The server's flags for a run: compression on when `--compression` asks (plain rows' clients do not accept it, so they get none). */
export function serverArgsFor(plan: Pick<BenchPlan, 'compression'>): string[] {
  return plan.compression === true ? ['--ws-deflate', '--gzip'] : [];
}

/**
 * A compressed row's session and topic prefix: as long as the plain row's
 * (`<scenario>.<transport>.`, its last letter a `z`), so names, cursors and
 * tokens weigh the same bytes in both rows. `separator`: `.` over HTTP/1.1,
 * `-` over h2c and `_` over h2 TLS, as the plain rows have.
 */
export function compressedPrefix(scenario: string, transport: TransportName, separator = '.'): string {
  return `${scenario}.${transport.slice(0, -1)}z${separator}`;
}

/**
 * A unit's own topics and sessions, as every transport of a scenario has
 * (undefined: run-workload's default, `<scenario>.<transport>.`). `cond` is
 * as long as `poll`, the compressed stem as long as its transport, and `-`/`_`
 * as `.`, so topic names, cursors and ETags weigh the same bytes in every row.
 */
export function unitPrefix(scenario: string, unit: WorkloadUnit): string | undefined {
  const separator = unit.tls ? '_' : unit.http2 ? '-' : '.';
  if (unit.compressed === true) return compressedPrefix(scenario, unit.transport, separator);
  if (unit.conditional || unit.http2) return `${scenario}.${unit.conditional ? 'cond' : unit.transport}${separator}`;
  return undefined;
}

export interface BenchHooks {
  signal: AbortSignal;
  /** A unit (scenario × transport, or a custom part) begins. */
  onUnit?: (label: string, estimatedSeconds: number) => void;
  /** Seconds into the current unit's measured phase. */
  onProgress?: (seconds: number) => void;
}

/** What decides a full `peers` run's length: its parts, repeats and scale (`--peers-*`). */
export type PeersEstimate = Pick<BenchPlan, 'peersParts' | 'peersRepeats' | 'peersScale'>;

/** Seconds a unit is expected to take, for the progress bar's ETA. */
export function estimateSeconds(scenario: Scenario, settings: WorkloadSettings, quick: boolean, chosen = false, peers: PeersEstimate = {}): number {
  if (scenario.name === 'peers') return quick || !chosen ? 60 : peersFullSeconds(peers.peersParts, peers.peersRepeats, peers.peersScale);
  // Thirteen attacks, each with its own server and a clean run to compare against.
  if (scenario.name === 'abuse') return 60;
  // Per transport: a quiet baseline, then three faults, each waited out (the long poll's silent drop takes wait + slack).
  if (scenario.name === 'faults') return quick ? 80 : 120;
  // Three setups (each a rig of its own) × the transports, then the failover.
  if (scenario.name === 'cluster') return 3 * (15 + 4 * (settings.durationSeconds + 3)) + 20;
  if (scenario.name === 'http-ceiling') return 2 * Math.max(2, Math.round(settings.durationSeconds / 2)) + 5;
  return settings.durationSeconds + 1.5 + settings.pollIntervalMs / 1000;
}

/** Seconds a fresh rig spends starting and warming up. */
export function rigSeconds(transports: number): number {
  return 6 + transports * (WARMUP_SECONDS + 1);
}

export function benchConfig(plan: BenchPlan): BenchConfig {
  const reference = settingsFor({ kind: 'custom', name: '', description: '', defaults: {} }, plan.quick, plan.flags);
  return {
    scenarios: plan.scenarios.map((scenario) => scenario.name),
    transports: plan.transports,
    clients: reference.clients,
    publishRatePerSecond: reference.publishRatePerSecond,
    durationSeconds: reference.durationSeconds,
    warmupSeconds: WARMUP_SECONDS,
    bodyBytes: reference.bodyBytes,
    pollIntervalMs: reference.pollIntervalMs,
    longPollWaitSeconds: reference.longPollWaitSeconds,
    network: reference.network,
    headers: reference.headers,
    quick: plan.quick,
    pin: plan.pin,
    clientProcesses: plan.clientProcesses ?? 1,
    argv: plan.argv,
    ...(plan.http?.some((version) => version !== '1.1') ? { http: plan.http } : {}),
    extra: {
      flags: plan.flags,
      note:
        'each scenario lists the settings it used under params; the workload scenarios of one network share one server ' +
        'process, each transport with its own topics and sessions',
    },
  };
}

export async function runBench(plan: BenchPlan, hooks: BenchHooks): Promise<BenchResults> {
  const results: BenchResults = {
    schemaVersion: SCHEMA_VERSION,
    runId: plan.runId,
    incomplete: false,
    context: runContext(plan.pin && tasksetAvailable(), plan.date, plan.cpuWake),
    config: benchConfig(plan),
    scenarios: [],
    errors: [],
  };
  if (plan.pin && !tasksetAvailable()) results.errors.push({ source: 'bench', message: '--pin asked, but taskset is not available: not pinned' });
  const rigs = new RigPool(plan.pin, (rig) => warmUp(rig, plan, hooks.signal), serverArgsFor(plan));
  try {
    for (const scenario of plan.scenarios) {
      if (hooks.signal.aborted) break;
      const settings = settingsFor(scenario, plan.quick, plan.flags);
      if (scenario.kind === 'workload') {
        results.scenarios.push(await runWorkloadScenario(scenario, settings, plan, hooks, rigs));
        continue;
      }
      // The custom parts bring their own servers: nothing of ours may compete for the cores.
      await rigs.release();
      hooks.onUnit?.(scenario.name, estimateSeconds(scenario, settings, plan.quick, plan.scenariosChosen, plan));
      if (scenario.name === 'abuse') await runAbusePart(results, hooks.signal);
      else if (scenario.name === 'faults') await runFaultsPart(results, plan.transports, settings, plan.quick, hooks.signal);
      else if (scenario.name === 'cluster') {
        await runClusterPart(results, {
          transports: plan.transports, settings, quick: plan.quick, pin: plan.pin, signal: hooks.signal,
          onUnit: hooks.onUnit, onProgress: hooks.onProgress, warmUp: (rig) => warmUp(rig, plan, hooks.signal),
        });
      }
      else if (scenario.name === 'peers') {
        // Issue 5: in the default run at a small size; at full size when asked for by name.
        const size = !plan.scenariosChosen ? 'default-run' : plan.quick ? 'quick' : 'full';
        const part = await runPeersPart(size, plan.pin, hooks.signal, undefined, { repeats: plan.peersRepeats, scale: plan.peersScale, parts: plan.peersParts });
        if (part.peers) results.peers = part.peers;
        results.errors.push(...part.errors);
        if (part.incomplete) results.incomplete = true;
      } else {
        const result = emptyScenario(scenario, settings, 0);
        const ceiling = await runCeiling(settings, plan.pin, hooks.signal);
        Object.assign(result, { ceiling: ceiling.figures });
        result.errors.push(...ceiling.errors);
        result.incomplete = ceiling.incomplete;
        results.scenarios.push(result);
      }
    }
  } finally {
    await rigs.release();
  }
  if (results.scenarios.some((scenario) => scenario.incomplete)) results.incomplete = true;
  if (hooks.signal.aborted) {
    results.incomplete = true;
    results.errors.push(interrupted());
  }
  return results;
}

async function runWorkloadScenario(
  scenario: WorkloadScenario,
  settings: WorkloadSettings,
  plan: BenchPlan,
  hooks: BenchHooks,
  rigs: RigPool,
): Promise<ScenarioResult> {
  const workload = scenario.plan(settings, 'x.');
  const result = emptyScenario(scenario, settings, workload.publishers);
  const workers = workerCount(workload.clients, plan.transports, plan.clientProcesses);
  // One server for every version: with `--http 2` it listens for h2c (and TLS) too (HTTP/1.1 rows do not notice).
  const http2 = { h2c: plan.http?.includes('2') === true, tls: plan.http?.includes('2-tls') === true };
  for (const unit of workloadUnits(plan.transports, plan.conditional, plan.http, plan.compression)) {
    const { transport, conditional, compressed } = unit;
    if (hooks.signal.aborted) {
      result.incomplete = true;
      break;
    }
    hooks.onUnit?.(`${scenario.name} × ${unitName(unit)}`, estimateSeconds(scenario, settings, plan.quick));
    let measured: TransportResult;
    try {
      const rig = await rigs.acquire(settings.network, workers, http2);
      if (hooks.signal.aborted) {
        result.incomplete = true;
        break;
      }
      measured = await runWorkload({
        scenario,
        settings,
        transport,
        rig,
        headers: (origin) => extraHeadersFor(settings.headers, { origin }),
        signal: hooks.signal,
        onProgress: hooks.onProgress,
        conditional,
        http2: unit.http2 === true,
        tls: unit.tls === true,
        ...(compressed === true ? { compressed } : {}),
        // Topics and sessions of its own (unitPrefix), so rows weigh the same bytes.
        ...(unitPrefix(scenario.name, unit) !== undefined ? { prefix: unitPrefix(scenario.name, unit) } : {}),
      });
    } catch (error) {
      measured = failedTransport(transport, settings, workload.clients.length, error);
      if (conditional) measured.variant = 'conditional';
      if (compressed === true) measured.variant = 'compressed';
      if (unit.http2) measured.http = '2';
      if (unit.tls) measured.tls = true;
    }
    result.transports.push(measured);
    if (measured.incomplete) result.incomplete = true;
  }
  return result;
}

/** Seconds each transport runs, unmeasured, on a fresh server: the first measured unit then meets warm code. */
const WARMUP_SECONDS = 1;

/**
 * A fresh server process runs its first requests through cold code (module
 * loading, the JIT): the first transport measured would pay for it. A short
 * chat on every transport first, thrown away, takes that cost out.
 */
async function warmUp(rig: Rig, plan: BenchPlan, signal: AbortSignal): Promise<void> {
  const settings: WorkloadSettings = {
    ...settingsFor(chat, plan.quick, plan.flags),
    clients: 4,
    durationSeconds: WARMUP_SECONDS,
    pollIntervalMs: 100,
    longPollWaitSeconds: 5,
  };
  for (const unit of workloadUnits(plan.transports, false, plan.http)) {
    if (signal.aborted) return;
    const { transport } = unit;
    const http2 = unit.http2 === true;
    const tls = unit.tls === true;
    await runWorkload({ scenario: chat, settings, transport, rig, prefix: `warmup.${unitName(unit)}.`, headers: () => ({}), signal, http2, tls });
  }
}

function emptyScenario(scenario: Scenario, settings: WorkloadSettings, publishers: number): ScenarioResult {
  return {
    name: scenario.name,
    description: scenario.description,
    params: {
      clients: settings.clients,
      publishers,
      publishRatePerSecond: settings.publishRatePerSecond,
      durationSeconds: settings.durationSeconds,
      bodyBytes: settings.bodyBytes,
      pollIntervalMs: settings.pollIntervalMs,
      longPollWaitSeconds: settings.longPollWaitSeconds,
      ...(settings.burstSize > 1 ? { burstSize: settings.burstSize } : {}),
      network: settings.network,
      headers: settings.headers,
      body: settings.body,
    },
    incomplete: false,
    errors: [],
    transports: [],
  };
}

function interrupted(): RunError {
  return { source: 'bench', message: 'interrupted (Ctrl-C): the results hold what was measured until then' };
}
