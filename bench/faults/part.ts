/**
 * The faults scenario as one part of a bench run (bench/run/run-bench.ts):
 * its settings from the run's flags, its figures into `results.faults`.
 * `--clients` is the number of readers (at most 50: they run in the
 * orchestrator's own process); the network's round trip, stall rate and seed
 * apply (stalls default to 6 a minute when the network names none).
 */
import type { TransportName } from '../../src/protocol/index.ts';
import type { BenchResults } from '../../src/results/schema.ts';
import type { WorkloadSettings } from '../scenarios/types.ts';
import { DEFAULT_FAULTS_SETTINGS, runFaults } from './run-faults.ts';
import type { FaultsSettings } from '../../src/results/faults.ts';

const MAX_READERS = 50;

export function faultsSettings(settings: WorkloadSettings, quick: boolean): FaultsSettings {
  const conditions = settings.network.conditions ?? {};
  return {
    ...DEFAULT_FAULTS_SETTINGS,
    readers: Math.min(settings.clients, MAX_READERS),
    phaseSeconds: quick ? 1 : DEFAULT_FAULTS_SETTINGS.phaseSeconds,
    oneWayDelayMs: settings.network.rttMs / 2,
    stallsPerMinute: conditions.stallsPerMinute ?? DEFAULT_FAULTS_SETTINGS.stallsPerMinute,
    seed: conditions.seed ?? DEFAULT_FAULTS_SETTINGS.seed,
  };
}

export async function runFaultsPart(
  results: BenchResults, transports: readonly TransportName[], settings: WorkloadSettings, quick: boolean, signal: AbortSignal,
): Promise<void> {
  const faults = await runFaults(transports, faultsSettings(settings, quick), signal);
  results.faults = faults;
  for (const transport of faults.transports) {
    for (const message of transport.errors) results.errors.push({ source: `faults:${transport.transport}`, message });
    if (transport.errors.length > 0 || transport.faults.length < 3) results.incomplete = true;
  }
  if (signal.aborted) results.incomplete = true;
}
