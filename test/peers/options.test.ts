/**
 * `--peers-repeats`: the number of interleaved repeats of each peers pair,
 * checked like every numeric flag (an integer in range, or a clear error);
 * `--peers-parts` and `--peers-scale`: which peers parts run, and at what size.
 */
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { helpText } from '../../bench/cli/help.ts';
import { partOf } from '../../bench/peers/index.ts';
import { ratioSpecs } from '../../bench/peers/ratios.ts';
import { FULL_SIZES, PEERS_PARTS, QUICK_SIZES } from '../../bench/peers/types.ts';

describe('--peers-repeats', () => {
  it('is absent unless given, so that bench/peers picks its default of several repeats', () => {
    expect(parseCli(['--scenario', 'peers']).peersRepeats).toBeUndefined();
    expect(FULL_SIZES.repeats).toBeGreaterThanOrEqual(3);
    expect(QUICK_SIZES.repeats).toBeGreaterThanOrEqual(3);
  });

  it('takes an integer from 1 to 20', () => {
    expect(parseCli(['--peers-repeats', '5']).peersRepeats).toBe(5);
    expect(parseCli(['--peers-repeats', '1']).peersRepeats).toBe(1);
    expect(parseCli(['--peers-repeats', '20']).peersRepeats).toBe(20);
  });

  it('refuses anything else with a message naming the flag', () => {
    for (const value of ['0', '21', '2.5', 'many']) {
      expect(() => parseCli(['--peers-repeats', value]), value).toThrow(UsageError);
      expect(() => parseCli(['--peers-repeats', value]), value).toThrow(/--peers-repeats must be/);
    }
  });
});

describe('--peers-parts', () => {
  it('is absent unless given (every part runs)', () => {
    expect(parseCli(['--scenario', 'peers']).peersParts).toBeUndefined();
  });

  it('takes parts and groups, each part once, in run order', () => {
    expect(parseCli(['--scenario', 'peers', '--peers-parts', 'held,publish,poll']).peersParts).toEqual(['poll', 'publish', 'held']);
    expect(parseCli(['--scenario', 'peers', '--peers-parts', 'memory']).peersParts).toEqual(['held', 'idle-ws', 'idle-sse']);
    expect(parseCli(['--scenario', 'peers', '--peers-parts', 'fanout,fanout-ws']).peersParts).toEqual(['fanout-longpoll', 'fanout-sse', 'fanout-ws']);
    expect(parseCli(['--scenario', 'peers', '--peers-parts', 'throughput,memory,sticky']).peersParts).toEqual([...PEERS_PARTS]);
    expect(parseCli(['--scenario', 'peers', '--peers-parts', 'sticky']).peersParts).toEqual(['sticky']);
  });

  it('refuses an unknown part, an empty list, and a run without peers', () => {
    expect(() => parseCli(['--scenario', 'peers', '--peers-parts', 'poll,disk'])).toThrow(/unknown peers part "disk": --peers-parts takes a list of poll, publish/);
    expect(() => parseCli(['--scenario', 'peers', '--peers-parts', ','])).toThrow(/--peers-parts names no part/);
    expect(() => parseCli(['--scenario', 'chat', '--peers-parts', 'poll'])).toThrow(/--scenario must include peers/);
  });

  it('files every compared figure under one part (sticky compares no ratio: it has a table of its own)', () => {
    const parts = new Set(ratioSpecs(FULL_SIZES).map((spec) => partOf(spec.metric)));
    expect([...parts].sort()).toEqual(PEERS_PARTS.filter((part) => part !== 'sticky').sort());
  });
});

describe('--peers-scale', () => {
  it('is off unless limit is asked for', () => {
    expect(parseCli(['--scenario', 'peers']).peersScale).toBe(false);
    expect(parseCli(['--scenario', 'peers', '--peers-scale', 'default']).peersScale).toBe(false);
    expect(parseCli(['--scenario', 'peers', '--peers-scale', 'limit']).peersScale).toBe(true);
  });

  it('refuses other values, and a run without peers', () => {
    expect(() => parseCli(['--scenario', 'peers', '--peers-scale', 'huge'])).toThrow(UsageError);
    expect(() => parseCli(['--scenario', 'peers', '--peers-scale', 'huge'])).toThrow(/--peers-scale must be default or limit, got "huge"/);
    expect(() => parseCli(['--peers-scale', 'limit', '--scenario', 'idle'])).toThrow(/--scenario must include peers/);
  });

  it('is in --help with the parts', () => {
    expect(helpText()).toMatch(/--peers-scale <s> +default or limit/);
    expect(helpText()).toMatch(/--peers-parts <a,b> +only these parts of the peers scenario: poll, publish, fanout-longpoll/);
  });
});
