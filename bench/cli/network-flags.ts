/**
 * The raw network knobs of the bench (issue 11 item 4): each sets one
 * condition of the delay proxy over the chosen `--network` profile (or the
 * default one). Units are the ones people think in: ms of jitter, stalls per
 * minute, seconds between cuts and of idleness. A value out of range is a
 * usage error naming the flag and its range (exit 2).
 */
import { CONDITION_LIMITS, describeConditions } from '../../src/net/conditions.ts';
import type { NetworkConditions } from '../../src/net/conditions.ts';
import { IMPAIRED_PROFILES, parseNetworkProfile, proxyConditions, withConditions } from '../../src/net/profiles.ts';
import { JITTER_DISTRIBUTIONS } from '../../src/net/random.ts';
import type { JitterDistribution } from '../../src/net/random.ts';
import type { NetworkConfig } from '../../src/results/schema.ts';

export const NETWORK_FLAGS = {
  jitter: { type: 'string' },
  'jitter-distribution': { type: 'string' },
  'stall-rate': { type: 'string' },
  'cut-every': { type: 'string' },
  'idle-drop': { type: 'string' },
  seed: { type: 'string' },
} as const;

export type NetworkFlagValues = Partial<Record<keyof typeof NETWORK_FLAGS, string>>;

/** One line per knob for --help. */
export const NETWORK_FLAG_HELP: readonly [string, string][] = [
  ['--jitter <ms>', `extra delay per chunk, per direction (${CONDITION_LIMITS.jitterMs.min}–${CONDITION_LIMITS.jitterMs.max}); byte order is kept`],
  ['--jitter-distribution <shape>', `${JITTER_DISTRIBUTIONS.join(', ')} (default normal: --jitter is the standard deviation)`],
  ['--stall-rate <per-minute>', `stalls of 200–3000 ms, like a retransmission timeout (${CONDITION_LIMITS.stallsPerMinute.min}–${CONDITION_LIMITS.stallsPerMinute.max} per minute per direction)`],
  ['--cut-every <seconds>', `reset every connection this often, a phone changing cell (${CONDITION_LIMITS.cutEveryMs.min / 1000}–${CONDITION_LIMITS.cutEveryMs.max / 1000})`],
  ['--idle-drop <seconds>', `silently drop a connection idle this long: no FIN, no RST (${CONDITION_LIMITS.idleDropMs.min / 1000}–${CONDITION_LIMITS.idleDropMs.max / 1000})`],
  ['--seed <n>', 'seed of the jitter and stalls (default 1): the same seed, the same network'],
];

/** The knobs given, as proxy conditions; `fail` builds the caller's usage error. */
export function parseNetworkFlags(values: NetworkFlagValues, fail: (message: string) => Error): NetworkConditions {
  const conditions: NetworkConditions = {};
  const numberIn = (flag: keyof typeof NETWORK_FLAGS, unit: string, min: number, max: number, scale = 1, integer = false): number | undefined => {
    const text = values[flag];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw fail(`--${flag} must be ${integer ? 'an integer' : 'a number'} of ${unit} between ${min} and ${max}, got "${text}"`);
    }
    return value * scale;
  };
  conditions.jitterMs = numberIn('jitter', 'ms', CONDITION_LIMITS.jitterMs.min, CONDITION_LIMITS.jitterMs.max);
  const shape = values['jitter-distribution'];
  if (shape !== undefined) {
    if (!JITTER_DISTRIBUTIONS.includes(shape as JitterDistribution)) {
      throw fail(`--jitter-distribution must be one of ${JITTER_DISTRIBUTIONS.join(', ')}, got "${shape}"`);
    }
    conditions.jitterDistribution = shape as JitterDistribution;
  }
  conditions.stallsPerMinute = numberIn('stall-rate', 'stalls per minute', CONDITION_LIMITS.stallsPerMinute.min, CONDITION_LIMITS.stallsPerMinute.max);
  conditions.cutEveryMs = numberIn('cut-every', 'seconds', CONDITION_LIMITS.cutEveryMs.min / 1000, CONDITION_LIMITS.cutEveryMs.max / 1000, 1000);
  conditions.idleDropMs = numberIn('idle-drop', 'seconds', CONDITION_LIMITS.idleDropMs.min / 1000, CONDITION_LIMITS.idleDropMs.max / 1000, 1000);
  conditions.seed = numberIn('seed', 'a seed', CONDITION_LIMITS.seed.min, CONDITION_LIMITS.seed.max, 1, true);
  return Object.fromEntries(Object.entries(conditions).filter(([, value]) => value !== undefined)) as NetworkConditions;
}

/**
 * The run's network from `--network` and the knobs: an impaired profile by
 * name (with knobs over it), or knobs over `base` (the plain network already
 * parsed, or the default). Undefined when neither applies: `base` stands.
 */
export function networkFromFlags(
  name: string | undefined, values: NetworkFlagValues, base: NetworkConfig, fail: (message: string) => Error,
): NetworkConfig | undefined {
  const knobs = parseNetworkFlags(values, fail);
  if (name !== undefined && isImpairedProfile(name)) {
    const profile = parseNetworkProfile(name);
    return impairedNetwork({ name, rttMs: profile.rttMs, bandwidthBytesPerSecond: profile.bandwidthBytesPerSecond }, knobs, fail);
  }
  if (Object.keys(knobs).length === 0) return undefined;
  return impairedNetwork(base, knobs, fail);
}

/** Whether `name` is one of the impaired profiles (mobile-3g, flaky-wifi, nat-60s). */
export function isImpairedProfile(name: string): boolean {
  return Object.hasOwn(IMPAIRED_PROFILES, name);
}

/**
 * A run's network with conditions: an impaired profile by name, or a plain
 * network with knobs set over it. `description` is what the report prints.
 */
export function impairedNetwork(base: NetworkConfig, knobs: NetworkConditions, fail: (message: string) => Error): NetworkConfig {
  const profile = isImpairedProfile(base.name)
    ? parseNetworkProfile(base.name)
    : { name: base.name, rttMs: base.rttMs, oneWayDelayMs: base.rttMs / 2, description: base.name, bandwidthBytesPerSecond: base.bandwidthBytesPerSecond };
  let tuned;
  try {
    tuned = withConditions(profile, knobs);
  } catch (error) {
    throw fail((error as Error).message);
  }
  const { bandwidthBytesPerSecond, ...conditions } = proxyConditions(tuned);
  if (Object.keys(conditions).length === 0) return base;
  return {
    name: base.name,
    rttMs: tuned.rttMs,
    ...(bandwidthBytesPerSecond ? { bandwidthBytesPerSecond } : {}),
    conditions,
    description: [
      ...(bandwidthBytesPerSecond ? [`${(bandwidthBytesPerSecond * 8) / 1000} kbps per direction`] : []),
      describeConditions(conditions),
    ].join(', '),
  };
}
