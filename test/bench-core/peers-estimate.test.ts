import { describe, expect, it } from 'vitest';
import { peersFullSeconds } from '../../bench/peers/estimate.ts';
import { estimateSeconds } from '../../bench/run/run-bench.ts';
import { settingsFor, SCENARIOS } from '../../bench/scenarios/index.ts';

const peers = SCENARIOS.find((scenario) => scenario.name === 'peers')!;
const settings = settingsFor(peers, false, {});

describe('the peers run\'s estimate', () => {
  it('says about 16 minutes for every part at three repeats, as a full run took on the project\'s machine', () => {
    const seconds = estimateSeconds(peers, settings, false, true);
    expect(seconds).toBeGreaterThan(15 * 60);
    expect(seconds).toBeLessThan(17 * 60);
  });

  it('follows the parts, the repeats and the scale asked for', () => {
    const oneGroup = estimateSeconds(peers, settings, false, true, { peersParts: ['poll', 'publish'] });
    expect(oneGroup).toBe(peersFullSeconds(['poll', 'publish']));
    expect(oneGroup).toBeLessThan(estimateSeconds(peers, settings, false, true) / 5);
    expect(peersFullSeconds(['fanout-ws'], 6)).toBe(2 * peersFullSeconds(['fanout-ws'], 3));
    // The sticky part runs once, whatever the repeats.
    expect(peersFullSeconds(['sticky'], 6)).toBe(peersFullSeconds(['sticky'], 3));
    expect(peersFullSeconds(['held'], 3, true)).toBeGreaterThan(peersFullSeconds(['held'], 3));
  });

  it('keeps the small figure for the plain bench run and --quick', () => {
    expect(estimateSeconds(peers, settings, false, false)).toBe(60);
    expect(estimateSeconds(peers, settings, true, true)).toBe(60);
  });
});
