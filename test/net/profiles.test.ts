import { describe, expect, it } from 'vitest';
import { NETWORK_PROFILES, NETWORK_PROFILE_NAMES, parseNetworkProfile } from '../../src/net/profiles.ts';
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
    expect(() => parseNetworkProfile('satellite')).toThrow(/loopback, lan, broadband, mobile or custom/);
    expect(() => parseNetworkProfile('custom:-5')).toThrow(LabError);
    expect(() => parseNetworkProfile('custom:10:0')).toThrow(/bandwidth/);
    expect(() => parseNetworkProfile('toString')).toThrow(LabError);
  });
});
