/**
 * `--peers-repeats`: the number of interleaved repeats of each peers pair,
 * checked like every numeric flag (an integer in range, or a clear error).
 */
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { FULL_SIZES, QUICK_SIZES } from '../../bench/peers/types.ts';

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
