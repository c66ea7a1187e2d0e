import { describe, expect, it } from 'vitest';
import { beyondBaseline, spread, tallyDelivery } from '../../bench/faults/accounting.ts';

describe('faults accounting', () => {
  it('spreads times: median and max, empty as zeros', () => {
    expect(spread([30, 10, 20, 1000])).toEqual({ p50: 20, max: 1000, count: 4 });
    expect(spread([])).toEqual({ p50: 0, max: 0, count: 0 });
  });

  it('tells delivered, duplicated, gapped (only for a restarted incarnation the reader was told of) and lost apart', () => {
    const sent = [{ id: 'a', epoch: 0 }, { id: 'b', epoch: 0 }, { id: 'c', epoch: 1 }, { id: 'd', epoch: 1 }];
    const figures = tallyDelivery(sent, [
      // Everything, 'c' twice.
      { delivered: ['a', 'b', 'c', 'c', 'd'], epochsGapped: new Set() },
      // 'b' died with the server and the reader was told: gapped. 'd' is simply missing: lost.
      { delivered: ['a', 'c'], epochsGapped: new Set([0]) },
      // 'b' missing with no gap: lost.
      { delivered: ['a', 'c', 'd'], epochsGapped: new Set() },
    ], 2);
    expect(figures).toEqual({ sent: 4, expected: 12, delivered: 9, lost: 2, duplicated: 1, gapped: 1, publishFailures: 2 });
  });

  it('counts a recovery cost beyond the baseline, never below zero', () => {
    expect(beyondBaseline(1500, 1, 1000)).toBe(500);
    expect(beyondBaseline(200, 1, 1000)).toBe(0);
  });
});
