/**
 * Network profiles as data: what the delay proxy emulates. `tc netem` is not
 * available on the lab's machines, so the proxy (delay-proxy.ts) delays every
 * byte by half the round trip in each direction.
 */
import { LabError } from '../protocol/index.ts';

export interface NetworkProfile {
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

/** A resolved profile, named, as the bench records it. */
export interface ResolvedNetworkProfile extends NetworkProfile {
  name: string;
  oneWayDelayMs: number;
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
    `unknown network profile "${spec}": use one of ${NETWORK_PROFILE_NAMES.join(', ')} or custom:<rttMs>[:<kbps>]`,
  );
}
