/**
 * The whole run: scenarios × transports (STYLE habit 6: the bench loops over
 * the matrix), each unit on a fresh server, into one `BenchResults`. On Ctrl-C
 * the unit under way is cut short and what was measured so far is returned,
 * marked incomplete.
 */
import type { TransportName } from '../../src/protocol/index.ts';
import { extraHeadersFor } from '../headers/index.ts';
import type { BenchConfig, BenchResults, RunError, ScenarioResult, TransportResult } from '../schema.ts';
import { SCHEMA_VERSION } from '../schema.ts';
import { settingsFor, type Scenario, type WorkloadSettings } from '../scenarios/index.ts';
import { runContext } from './context.ts';
import { tasksetAvailable } from './pinning.ts';
import { runCeiling } from './run-ceiling.ts';
import { runPeersPart } from './run-peers.ts';
import { failedTransport } from './assemble.ts';
import { Rig } from './rig.ts';
import { runWorkload, workerCount } from './run-workload.ts';

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
  argv: string[];
}

export interface BenchHooks {
  signal: AbortSignal;
  /** A unit (scenario × transport, or a custom part) begins. */
  onUnit?: (label: string, estimatedSeconds: number) => void;
  /** Seconds into the current unit's measured phase. */
  onProgress?: (seconds: number) => void;
  /** Results so far, after each unit (so an interrupted run can be written). */
  onPartial?: (results: BenchResults) => void;
}

/** Seconds a unit is expected to take, for the progress bar's ETA. */
export function estimateSeconds(scenario: Scenario, settings: WorkloadSettings, quick: boolean): number {
  if (scenario.name === 'peers') return quick ? 40 : 60;
  if (scenario.name === 'http-ceiling') return 2 * Math.max(2, Math.round(settings.durationSeconds / 2)) + 3;
  return settings.durationSeconds + 4 + settings.pollIntervalMs / 1000;
}

export function benchConfig(plan: BenchPlan): BenchConfig {
  const reference = settingsFor({ kind: 'custom', name: '', description: '', defaults: {} }, plan.quick, plan.flags);
  return {
    scenarios: plan.scenarios.map((scenario) => scenario.name),
    transports: plan.transports,
    clients: reference.clients,
    publishRatePerSecond: reference.publishRatePerSecond,
    durationSeconds: reference.durationSeconds,
    warmupSeconds: 0,
    bodyBytes: reference.bodyBytes,
    pollIntervalMs: reference.pollIntervalMs,
    longPollWaitSeconds: reference.longPollWaitSeconds,
    network: reference.network,
    headers: reference.headers,
    quick: plan.quick,
    pin: plan.pin,
    clientProcesses: plan.clientProcesses ?? 1,
    argv: plan.argv,
    extra: { flags: plan.flags, note: 'each scenario lists the settings it really used under params' },
  };
}

export async function runBench(plan: BenchPlan, hooks: BenchHooks): Promise<BenchResults> {
  const results: BenchResults = {
    schemaVersion: SCHEMA_VERSION,
    runId: plan.runId,
    incomplete: false,
    context: runContext(plan.pin && tasksetAvailable(), plan.date),
    config: benchConfig(plan),
    scenarios: [],
    errors: [],
  };
  if (plan.pin && !tasksetAvailable()) results.errors.push({ source: 'bench', message: '--pin asked, but taskset is not available: not pinned' });

  for (const scenario of plan.scenarios) {
    if (hooks.signal.aborted) break;
    const settings = settingsFor(scenario, plan.quick, plan.flags);
    if (scenario.name === 'peers') {
      hooks.onUnit?.('peers', estimateSeconds(scenario, settings, plan.quick));
      const part = await runPeersPart(plan.quick, plan.pin, hooks.signal);
      if (part.peers) results.peers = part.peers;
      results.errors.push(...part.errors);
      if (part.incomplete) results.incomplete = true;
      hooks.onPartial?.(results);
      continue;
    }
    const result: ScenarioResult = {
      name: scenario.name,
      description: scenario.description,
      params: {
        clients: settings.clients,
        publishers: 0,
        publishRatePerSecond: settings.publishRatePerSecond,
        durationSeconds: settings.durationSeconds,
        bodyBytes: settings.bodyBytes,
        pollIntervalMs: settings.pollIntervalMs,
        longPollWaitSeconds: settings.longPollWaitSeconds,
        ...(settings.burstSize > 1 ? { burstSize: settings.burstSize } : {}),
        network: settings.network,
        headers: settings.headers,
      },
      incomplete: false,
      errors: [],
      transports: [],
    };
    results.scenarios.push(result);
    if (scenario.kind === 'custom') {
      hooks.onUnit?.(scenario.name, estimateSeconds(scenario, settings, plan.quick));
      const ceiling = await runCeiling(settings, plan.pin, hooks.signal);
      Object.assign(result, { ceiling: ceiling.figures });
      result.errors.push(...ceiling.errors);
      result.incomplete = ceiling.incomplete;
    } else {
      const workload = scenario.plan(settings, 'x.');
      result.params.publishers = workload.publishers;
      const workers = workerCount(workload.clients, plan.transports, plan.clientProcesses);
      let rig: Rig | undefined;
      try {
        for (const transport of plan.transports) {
          if (hooks.signal.aborted) {
            result.incomplete = true;
            break;
          }
          hooks.onUnit?.(`${scenario.name} × ${transport}`, estimateSeconds(scenario, settings, plan.quick));
          if (rig && !rig.usable()) {
            await rig.stop();
            rig = undefined;
          }
          let measured: TransportResult;
          try {
            rig ??= await Rig.start(workers, settings.network, plan.pin);
            measured = await runWorkload({
              scenario,
              settings,
              transport,
              rig,
              headers: (origin) => extraHeadersFor(settings.headers, { origin }),
              signal: hooks.signal,
              onProgress: hooks.onProgress,
            });
          } catch (error) {
            measured = failedTransport(transport, settings, workload.clients.length, error);
          }
          result.transports.push(measured);
          if (measured.incomplete) result.incomplete = true;
          hooks.onPartial?.(results);
        }
      } finally {
        await rig?.stop();
      }
    }
    if (result.incomplete) results.incomplete = true;
    hooks.onPartial?.(results);
  }
  if (hooks.signal.aborted) {
    results.incomplete = true;
    results.errors.push(interrupted());
  }
  return results;
}

function interrupted(): RunError {
  return { source: 'bench', message: 'interrupted (Ctrl-C): the results hold what was measured until then' };
}
