import { describe, expect, it } from 'vitest';
import {
  IMPAIRED_PROFILE_NAMES, NETWORK_PROFILES, NETWORK_PROFILE_NAMES, describeProfile, parseNetworkProfile, proxyConditions, withConditions,
} from '../../src/net/profiles.ts';
import { resolveConditions } from '../../src/net/conditions.ts';
import { LabError } from '../../src/protocol/index.ts';

describe('network profiles', () => {
  it('names the textbook profiles with their round trips', () => {
    expect(NETWORK_PROFILE_NAMES).toEqual(['loopback', 'lan', 'broadband', 'mobile']);
    expect(NETWORK_PROFILES.mobile.rttMs).toBe(100);
    expect(parseNetworkProfile('broadband')).toMatchObject({ name: 'broadband', rttMs: 30, oneWayDelayMs: 15 });
    expect(parseNetworkProfile('loopback').oneWayDelayMs).toBe(0);
  });

  it('parses custom:<rttMs>[:<kbps>]', () => {
    expect(parseNetworkProfile('custom:250')).toMatchObject({ rttMs: 250, oneWayDelayMs: 125 });
    expect(parseNetworkProfile('custom:250').bandwidthBytesPerSecond).toBeUndefined();
    expect(parseNetworkProfile('custom:40:8000')).toMatchObject({ rttMs: 40, bandwidthBytesPerSecond: 1_000_000 });
  });

  it('rejects an unknown profile, listing the valid ones', () => {
    expect(() => parseNetworkProfile('satellite')).toThrow(LabError);
    expect(() => parseNetworkProfile('satellite')).toThrow(/loopback, lan, broadband, mobile, mobile-3g, flaky-wifi, nat-60s or custom/);
    expect(() => parseNetworkProfile('custom:-5')).toThrow(LabError);
    expect(() => parseNetworkProfile('custom:10:0')).toThrow(/bandwidth/);
    expect(() => parseNetworkProfile('toString')).toThrow(LabError);
  });

  it('names the impaired profiles, each with every parameter printable', () => {
    expect(IMPAIRED_PROFILE_NAMES).toEqual(['mobile-3g', 'flaky-wifi', 'nat-60s']);
    expect(describeProfile(parseNetworkProfile('mobile-3g'))).toBe(
      'mobile-3g: 300 ms round trip, 1000 kbps per direction, jitter ±50 ms (normal), stalls of 200–3000 ms at 2/min per direction, seed 1',
    );
    expect(describeProfile(parseNetworkProfile('flaky-wifi'))).toBe(
      'flaky-wifi: 20 ms round trip, jitter +30 ms mean (exponential), stalls of 200–1500 ms at 6/min per direction, every connection cut every 45 s, seed 1',
    );
    expect(describeProfile(parseNetworkProfile('nat-60s'))).toBe('nat-60s: 30 ms round trip, silent drop after 60 s idle');
    expect(describeProfile(parseNetworkProfile('broadband'))).toBe('broadband: 30 ms round trip');
    for (const name of IMPAIRED_PROFILE_NAMES) expect(() => resolveConditions(parseNetworkProfile(name))).not.toThrow();
  });

  it('hands the proxy its conditions, and takes knobs over a profile', () => {
    expect(proxyConditions(parseNetworkProfile('nat-60s'))).toEqual({ idleDropMs: 60_000 });
    const tuned = withConditions(parseNetworkProfile('broadband'), { jitterMs: 10, idleDropMs: undefined });
    expect(tuned).toMatchObject({ rttMs: 30, jitterMs: 10 });
    expect(tuned.idleDropMs).toBeUndefined();
    expect(describeProfile(tuned)).toBe('broadband: 30 ms round trip, jitter ±10 ms (normal), seed 1');
    expect(() => withConditions(parseNetworkProfile('broadband'), { stallsPerMinute: -1 })).toThrow(/network conditions: stallsPerMinute/);
    expect(withConditions(parseNetworkProfile('lan'), {})).toEqual(parseNetworkProfile('lan'));
  });
});
