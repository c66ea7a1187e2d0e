/** Issue 13: the progress bar's ETA is sane from the start and never prints "3m60s". */
import { describe, expect, it } from 'vitest';
import { etaSeconds, formatEta } from '../../bench/cli/eta.ts';

describe('progress ETA', () => {
  it('formats whole units, carrying 60 s into the next minute', () => {
    expect(formatEta(0)).toBe('0s');
    expect(formatEta(59.4)).toBe('59s');
    expect(formatEta(59.6)).toBe('1m00s');
    expect(formatEta(239.7)).toBe('4m00s');
    expect(formatEta(125)).toBe('2m05s');
    expect(formatEta(3599.6)).toBe('1h00m');
    expect(formatEta(4210)).toBe('1h10m');
    expect(formatEta(Number.NaN)).toBe('–');
    for (let s = 0; s < 7200; s += 0.7) expect(formatEta(s)).not.toMatch(/60s|60m/);
  });

  it('starts from the estimate, not from the first second\'s rate', () => {
    // 240 s estimated, nothing done yet, 1 s gone: 4 minutes, not an hour.
    expect(etaSeconds(0, 240, 1)).toBe(240);
    expect(etaSeconds(5, 240, 20)).toBe(235);
  });

  it('follows the observed pace once a tenth is done, within bounds', () => {
    // Half done in twice the estimated time: the rest takes twice as long too.
    expect(etaSeconds(120, 240, 240)).toBe(240);
    // A stall does not send it to the hours.
    expect(etaSeconds(30, 240, 3000)).toBe(210 * 4);
    expect(etaSeconds(240, 240, 300)).toBe(0);
  });
});
