/**
 * Network profiles as data: what the delay proxy emulates. `tc netem` is not
 * available on the lab's machines, so the proxy (delay-proxy.ts) delays every
 * byte by half the round trip in each direction.
 *
 * The impaired profiles (`IMPAIRED_PROFILES`, issue 11 item 4) add the
 * conditions of conditions.ts — jitter, stalls, cuts, a silent idle drop —
 * and are kept apart from the textbook ones so that a caller that only knows
 * round trips (and would silently ignore the rest) cannot pick them by accident.
 */
import { LabError } from '../protocol/index.ts';
import { describeConditions, resolveConditions } from './conditions.ts';
import type { NetworkConditions } from './conditions.ts';

export interface NetworkProfile extends NetworkConditions {
  /** Round-trip time added by the proxy, in ms (each direction gets half). */
  rttMs: number;
  /** Bytes per second per direction per connection; absent = unlimited. */
  bandwidthBytesPerSecond?: number;
  description: string;
}

export const NETWORK_PROFILES = {
  loopback: { rttMs: 0, description: 'no proxy delay: the machine itself' },
  lan: { rttMs: 1, description: 'a local network: 1 ms round trip' },
  broadband: { rttMs: 30, description: 'home broadband to a nearby data centre: 30 ms round trip' },
  mobile: { rttMs: 100, description: 'a 4G phone: 100 ms round trip' },
} as const satisfies Record<string, NetworkProfile>;

export type NetworkProfileName = keyof typeof NETWORK_PROFILES;
export const NETWORK_PROFILE_NAMES = Object.keys(NETWORK_PROFILES) as NetworkProfileName[];

/**
 * Networks that are more than a delay. Figures from common experience, not
 * from a measurement: a 3G phone (Chrome's "Fast 3G" throttle is ~560 ms
 * round trip at 1.6 Mbps down; a decent 3G cell does better), a crowded
 * Wi-Fi, and a NAT that forgets a connection after a minute of silence
 * (many home routers and mobile carriers keep idle TCP mappings for less).
 */
export const IMPAIRED_PROFILES = {
  'mobile-3g': {
    rttMs: 300,
    bandwidthBytesPerSecond: 125_000,
    jitterMs: 50,
    jitterDistribution: 'normal',
    stallsPerMinute: 2,
    description: 'a 3G phone: slow, jittery, and now and then stalled by a retransmission timeout',
  },
  'flaky-wifi': {
    rttMs: 20,
    jitterMs: 30,
    jitterDistribution: 'exponential',
    stallsPerMinute: 6,
    stallMaxMs: 1500,
    cutEveryMs: 45_000,
    description: 'a crowded Wi-Fi: bursts of queueing, short stalls, and the link lost every 45 s',
  },
  'nat-60s': {
    rttMs: 30,
    idleDropMs: 60_000,
    description: 'broadband behind a NAT that silently forgets a connection idle for 60 s',
  },
} as const satisfies Record<string, NetworkProfile>;

export type ImpairedProfileName = keyof typeof IMPAIRED_PROFILES;
export const IMPAIRED_PROFILE_NAMES = Object.keys(IMPAIRED_PROFILES) as ImpairedProfileName[];
/** Every named profile, textbook first. */
export const ALL_PROFILE_NAMES: readonly string[] = [...NETWORK_PROFILE_NAMES, ...IMPAIRED_PROFILE_NAMES];

/** A resolved profile, named, as the bench records it. */
export interface ResolvedNetworkProfile extends NetworkProfile {
  name: string;
  oneWayDelayMs: number;
}

/**
 * Every parameter of a profile on one line, for a report or a help text:
 * "mobile-3g: 300 ms round trip, 1000 kbps per direction, jitter ±50 ms (normal), …".
 */
export function describeProfile(profile: ResolvedNetworkProfile): string {
  const parts = [`${profile.rttMs} ms round trip`];
  if (profile.bandwidthBytesPerSecond !== undefined) parts.push(`${(profile.bandwidthBytesPerSecond * 8) / 1000} kbps per direction`);
  const conditions = describeConditions(profile);
  if (conditions !== 'no impairment') parts.push(conditions);
  return `${profile.name}: ${parts.join(', ')}`;
}

/** The conditions of a profile, as DelayProxyOptions takes them (spread them into the options). */
export function proxyConditions(profile: NetworkProfile): NetworkConditions & { bandwidthBytesPerSecond?: number } {
  const { rttMs: _rtt, description: _description, ...rest } = profile as NetworkProfile & Partial<ResolvedNetworkProfile>;
  const { name: _name, oneWayDelayMs: _oneWay, ...conditions } = rest;
  return conditions;
}

/**
 * A profile with some knobs set over it (the bench's --jitter, --stall-rate, …):
 * checked here, so a bad value fails with the option's name before anything starts.
 */
export function withConditions(profile: ResolvedNetworkProfile, overrides: NetworkConditions): ResolvedNetworkProfile {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as NetworkConditions;
  if (Object.keys(defined).length === 0) return profile;
  const merged = { ...profile, ...defined };
  try {
    resolveConditions(merged);
  } catch (error) {
    throw new LabError('bad_request', `network conditions: ${(error as Error).message}`);
  }
  return { ...merged, description: `${profile.description}; with ${describeConditions(defined)}` };
}

const CUSTOM = /^custom:(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/;
/** Largest custom round trip: a minute is already far beyond any real network. */
const MAX_CUSTOM_RTT_MS = 60_000;

/**
 * Resolves a profile name, or `custom:<rttMs>[:<kbps>]` (kbps = kilobits per
 * second, 1 kbps = 125 bytes/s). Throws bad_request listing the valid names.
 */
export function parseNetworkProfile(spec: string): ResolvedNetworkProfile {
  if (Object.hasOwn(NETWORK_PROFILES, spec)) {
    const profile: NetworkProfile = NETWORK_PROFILES[spec as NetworkProfileName];
    return { name: spec, ...profile, oneWayDelayMs: profile.rttMs / 2 };
  }
  if (Object.hasOwn(IMPAIRED_PROFILES, spec)) {
    const profile: NetworkProfile = IMPAIRED_PROFILES[spec as ImpairedProfileName];
    return { name: spec, ...profile, oneWayDelayMs: profile.rttMs / 2 };
  }
  const match = CUSTOM.exec(spec);
  if (match) {
    const rttMs = Number(match[1]);
    const kbps = match[2] === undefined ? undefined : Number(match[2]);
    if (rttMs > MAX_CUSTOM_RTT_MS) {
      throw new LabError('bad_request', `custom network: round trip ${rttMs} ms is over ${MAX_CUSTOM_RTT_MS} ms`);
    }
    if (kbps !== undefined && kbps <= 0) {
      throw new LabError('bad_request', 'custom network: bandwidth must be above 0 kbps');
    }
    const bandwidth = kbps === undefined ? {} : { bandwidthBytesPerSecond: Math.round((kbps * 1000) / 8) };
    const description = `custom: ${rttMs} ms round trip${kbps === undefined ? '' : `, ${kbps} kbps per direction`}`;
    return { name: spec, rttMs, ...bandwidth, description, oneWayDelayMs: rttMs / 2 };
  }
  throw new LabError(
    'bad_request',
    `unknown network profile "${spec}": use one of ${ALL_PROFILE_NAMES.join(', ')} or custom:<rttMs>[:<kbps>]`,
  );
}
