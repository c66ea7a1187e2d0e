import { describe, expect, it } from 'vitest';
import { UsageError, parseCli } from '../../bench/cli/args.ts';

describe('bench network flags', () => {
  it('takes an impaired profile by name, with its conditions and their description', () => {
    const { flags } = parseCli(['--network', 'nat-60s']);
    expect(flags.network).toEqual({ name: 'nat-60s', rttMs: 30, conditions: { idleDropMs: 60_000 }, description: 'silent drop after 60 s idle' });
    expect(parseCli(['--network', 'mobile-3g']).flags.network).toMatchObject({
      rttMs: 300, bandwidthBytesPerSecond: 125_000, conditions: { jitterMs: 50, jitterDistribution: 'normal', stallsPerMinute: 2 },
    });
  });

  it('sets raw knobs over a plain network (or the default one), in the units of the flags', () => {
    expect(parseCli(['--network', '50ms', '--jitter', '20', '--cut-every', '30', '--seed', '7']).flags.network).toEqual({
      name: '50ms', rttMs: 50, conditions: { jitterMs: 20, cutEveryMs: 30_000, seed: 7 },
      description: 'jitter ±20 ms (normal), every connection cut every 30 s, seed 7',
    });
    expect(parseCli(['--stall-rate', '6', '--idle-drop', '90']).flags.network).toMatchObject({
      name: 'broadband', rttMs: 30, conditions: { stallsPerMinute: 6, idleDropMs: 90_000 },
    });
    expect(parseCli(['--network', 'flaky-wifi', '--cut-every', '10']).flags.network?.conditions).toMatchObject({ cutEveryMs: 10_000, stallsPerMinute: 6 });
    expect(parseCli(['--network', 'lan']).flags.network).toEqual({ name: 'lan', rttMs: 1 });
  });

  it('refuses a knob out of range or a bad shape, naming the flag and its range', () => {
    const refusal = (argv: string[]): string => {
      try {
        parseCli(argv);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(refusal(['--jitter', '-5'])).toBe('--jitter must be a number of ms between 0 and 10000, got "-5"');
    expect(refusal(['--stall-rate', 'often'])).toMatch(/--stall-rate must be a number of stalls per minute between 0 and 600/);
    expect(refusal(['--cut-every', '0'])).toMatch(/--cut-every must be a number of seconds between 0.1 and 86400/);
    expect(refusal(['--idle-drop', ''])).toMatch(/--idle-drop/);
    expect(refusal(['--seed', '1.5'])).toMatch(/--seed must be an integer/);
    expect(refusal(['--jitter-distribution', 'pareto'])).toBe('--jitter-distribution must be one of uniform, normal, exponential, got "pareto"');
    expect(refusal(['--network', 'satellite'])).toMatch(/loopback, lan, broadband, mobile, mobile-3g, flaky-wifi, nat-60s or <rtt>ms/);
  });
});
