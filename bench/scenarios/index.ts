/**
 * The scenario catalogue, the default settings, and how flags, scenario
 * defaults and global defaults combine (STYLE habit 4: defaults in one object,
 * options spread over them).
 */
import { IMPAIRED_PROFILE_NAMES, NETWORK_PROFILES } from '../../src/net/profiles.ts';
import type { NetworkConfig } from '../../src/results/schema.ts';
import type { CustomScenario, Scenario, WorkloadSettings } from './types.ts';
import { WORKLOADS } from './workloads.ts';
import { abuse } from '../abuse/scenario.ts';
import { faults } from '../faults/scenario.ts';
import { cluster } from '../cluster/scenario.ts';

export type { CustomScenario, Scenario, WorkloadScenario, WorkloadSettings } from './types.ts';

export const httpCeiling: CustomScenario = {
  kind: 'custom',
  name: 'http-ceiling',
  description:
    'autocannon against GET /api/poll and POST /api/messages: the requests per second one server process holds, ' +
    'and so how many short-polling clients at interval T it can serve.',
  defaults: {},
};

export const peers: CustomScenario = {
  kind: 'custom',
  name: 'peers',
  description: 'Our server next to minimal reference servers (node:http, ws, ws+cork, a bare SSE writer) and the libraries ' +
    'people pick (socket.io, Faye, SockJS, better-sse), as interleaved ratios; and socket.io on two nodes behind nginx, round-robin and sticky.',
  defaults: {},
};

export const SCENARIOS: readonly Scenario[] = [...WORKLOADS, httpCeiling, peers, abuse, faults, cluster];
export const SCENARIO_NAMES = SCENARIOS.map((scenario) => scenario.name);

/** The default run: every workload, the ceiling, and the peers at a small size. */
export const DEFAULT_SCENARIOS = ['chat', 'fanout', 'direct', 'idle', 'burst', 'http-ceiling', 'peers'];
/** `--quick`: the two workloads that show the most, small and short. */
export const QUICK_SCENARIOS = ['chat', 'burst'];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}

/** Plain networks (networkConfig), then the impaired profiles (bench/cli/network-flags.ts). */
export const NETWORK_NAMES = [...Object.keys(NETWORK_PROFILES), ...IMPAIRED_PROFILE_NAMES];

/**
 * Chosen so that the default run teaches the textbook differences (a 30 ms
 * round trip makes one network transit visible next to a 1 s poll interval)
 * and finishes in under five minutes on two cores.
 */
export const DEFAULT_SETTINGS: Readonly<WorkloadSettings> = Object.freeze({
  clients: 40,
  publishRatePerSecond: 1,
  durationSeconds: 5,
  bodyBytes: 100,
  pollIntervalMs: 1000,
  longPollWaitSeconds: 20,
  burstSize: 1,
  network: networkConfig('broadband'),
  headers: 'minimal',
  body: 'filler',
});

/** `--quick`: under a minute for everything (the default network, so long polling's round trips still show). */
export const QUICK_SETTINGS: Partial<WorkloadSettings> = {
  clients: 10,
  durationSeconds: 3,
};

/** A profile name, or a custom round trip as `<ms>ms` (e.g. `50ms`); undefined when neither. */
export function networkConfig(name: string): NetworkConfig {
  const custom = /^(\d+(?:\.\d+)?)ms$/.exec(name);
  if (custom) return { name, rttMs: Number(custom[1]) };
  const profile = (NETWORK_PROFILES as Record<string, { rttMs: number; bandwidthBytesPerSecond?: number }>)[name];
  if (!profile) throw new Error(`unknown network profile "${name}": use one of ${NETWORK_NAMES.join(', ')} or <rtt>ms (e.g. 50ms)`);
  return {
    name,
    rttMs: profile.rttMs,
    ...(profile.bandwidthBytesPerSecond ? { bandwidthBytesPerSecond: profile.bandwidthBytesPerSecond } : {}),
  };
}

/** Flags over scenario defaults over quick settings over global defaults. */
export function settingsFor(scenario: Scenario, quick: boolean, flags: Partial<WorkloadSettings>): WorkloadSettings {
  return { ...DEFAULT_SETTINGS, ...(quick ? QUICK_SETTINGS : {}), ...scenario.defaults, ...flags };
}
