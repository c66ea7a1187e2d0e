import { describe, expect, it } from 'vitest';
import { describeConditions, resolveConditions } from '../../src/net/conditions.ts';
import { jitterFor, stallScheduleFor } from '../../src/net/condition-streams.ts';
import { deriveSeed, drawJitter, seededRandom } from '../../src/net/random.ts';
import { StallSchedule } from '../../src/net/stall-schedule.ts';

const draws = (next: () => number, count: number): number[] => Array.from({ length: count }, next);

function meanAndSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.sqrt(variance) };
}

describe('seeded randomness', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    expect(draws(seededRandom(42), 100)).toEqual(draws(seededRandom(42), 100));
    expect(draws(seededRandom(42), 100)).not.toEqual(draws(seededRandom(43), 100));
    for (const value of draws(seededRandom(7), 10_000)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('derives a separate stream per connection, direction and purpose', () => {
    const seeds = new Set([
      deriveSeed(1, 1, 'up', 'jitter'), deriveSeed(1, 1, 'down', 'jitter'), deriveSeed(1, 2, 'up', 'jitter'),
      deriveSeed(1, 1, 'up', 'stall'), deriveSeed(2, 1, 'up', 'jitter'),
    ]);
    expect(seeds.size).toBe(5);
    expect(deriveSeed(1, 1, 'up', 'jitter')).toBe(deriveSeed(1, 1, 'up', 'jitter'));
  });

  it('draws jitter with the documented shape (10,000 draws, generous bounds)', () => {
    const uniform = draws(() => drawJitter(seededRandom(3), 'uniform', 10), 1);
    expect(Math.abs(uniform[0])).toBeLessThanOrEqual(10);
    const random = seededRandom(5);
    const u = draws(() => drawJitter(random, 'uniform', 10), 10_000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-10);
    expect(Math.max(...u)).toBeLessThanOrEqual(10);
    expect(Math.abs(meanAndSd(u).mean)).toBeLessThan(0.5);
    const n = meanAndSd(draws(() => drawJitter(random, 'normal', 10), 10_000));
    expect(Math.abs(n.mean)).toBeLessThan(0.5);
    expect(n.sd).toBeGreaterThan(9);
    expect(n.sd).toBeLessThan(11);
    const e = draws(() => drawJitter(random, 'exponential', 10), 10_000);
    expect(Math.min(...e)).toBeGreaterThanOrEqual(0);
    expect(meanAndSd(e).mean).toBeGreaterThan(9);
    expect(meanAndSd(e).mean).toBeLessThan(11);
  });

  it('replays the jitter the proxy draws for a connection from the seed alone', () => {
    const conditions = resolveConditions({ jitterMs: 40, seed: 9 });
    const first = jitterFor(conditions, 3, 'down') as () => number;
    const again = jitterFor(conditions, 3, 'down') as () => number;
    expect(draws(first, 50)).toEqual(draws(again, 50));
    expect(draws(jitterFor(conditions, 3, 'up') as () => number, 50)).not.toEqual(draws(jitterFor(conditions, 3, 'down') as () => number, 50));
    expect(jitterFor(resolveConditions({}), 1, 'up')).toBeUndefined();
  });
});

describe('stall schedule', () => {
  const settings = { stallsPerMinute: 60, minMs: 200, maxMs: 3000 };

  it('is the same for the same seed, with every stall between its bounds', () => {
    const windows = StallSchedule.preview(seededRandom(11), settings, 200);
    expect(StallSchedule.preview(seededRandom(11), settings, 200)).toEqual(windows);
    expect(StallSchedule.preview(seededRandom(12), settings, 200)).not.toEqual(windows);
    for (const [i, window] of windows.entries()) {
      expect(window.end - window.start).toBeGreaterThanOrEqual(200);
      expect(window.end - window.start).toBeLessThanOrEqual(3000);
      if (i > 0) expect(window.start).toBeGreaterThanOrEqual(windows[i - 1].end);
    }
    // 60 per minute: gaps of 1 s on average (200 gaps; generous bounds).
    const gaps = windows.slice(1).map((window, i) => window.start - windows[i].end);
    expect(meanAndSd(gaps).mean).toBeGreaterThan(700);
    expect(meanAndSd(gaps).mean).toBeLessThan(1300);
  });

  it('holds a byte due inside a stall until the stall ends, and counts the stalls that held bytes', () => {
    const [first, second] = StallSchedule.preview(seededRandom(11), settings, 2);
    const schedule = new StallSchedule(seededRandom(11), settings, 1000);
    expect(schedule.release(1000 + first.start - 1)).toBe(1000 + first.start - 1);
    expect(schedule.release(1000 + first.start + 1)).toBe(1000 + first.end);
    expect(schedule.release(1000 + first.end - 0.5)).toBe(1000 + first.end);
    expect(schedule.stalls).toBe(1);
    expect(schedule.release(1000 + second.start)).toBe(1000 + second.end);
    expect(schedule.stalls).toBe(2);
  });

  it('is what the proxy uses for a connection, replayable from the seed', () => {
    const conditions = resolveConditions({ stallsPerMinute: 30, seed: 4 });
    const a = stallScheduleFor(conditions, 2, 'up', 0) as StallSchedule;
    const b = stallScheduleFor(conditions, 2, 'up', 0) as StallSchedule;
    const times = Array.from({ length: 500 }, (_, i) => i * 100);
    expect(times.map((t) => a.release(t))).toEqual(times.map((t) => b.release(t)));
    expect(a.stalls).toBeGreaterThan(0);
  });
});

describe('conditions', () => {
  it('fills in the defaults', () => {
    expect(resolveConditions({})).toEqual({ jitterMs: 0, jitterDistribution: 'normal', stallsPerMinute: 0, stallMinMs: 200, stallMaxMs: 3000, seed: 1 });
  });

  it('rejects a value out of range, naming the option', () => {
    expect(() => resolveConditions({ jitterMs: -1 })).toThrow(/jitterMs must be between 0 and/);
    expect(() => resolveConditions({ jitterMs: Number.NaN })).toThrow(/jitterMs/);
    expect(() => resolveConditions({ stallsPerMinute: 601 })).toThrow(/stallsPerMinute/);
    expect(() => resolveConditions({ stallMinMs: 500, stallMaxMs: 400 })).toThrow(/stallMinMs \(500\) must be at most stallMaxMs/);
    expect(() => resolveConditions({ cutEveryMs: 10 })).toThrow(/cutEveryMs must be between 100/);
    expect(() => resolveConditions({ idleDropMs: 0 })).toThrow(/idleDropMs/);
    expect(() => resolveConditions({ seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => resolveConditions({ jitterDistribution: 'pareto' as never })).toThrow(/jitterDistribution must be one of uniform, normal, exponential/);
  });

  it('describes every condition that is on', () => {
    expect(describeConditions({})).toBe('no impairment');
    expect(describeConditions({ jitterMs: 40, stallsPerMinute: 2, cutEveryMs: 45_000, idleDropMs: 60_000, seed: 7 })).toBe(
      'jitter ±40 ms (normal), stalls of 200–3000 ms at 2/min per direction, every connection cut every 45 s, silent drop after 60 s idle, seed 7',
    );
    expect(describeConditions({ jitterMs: 30, jitterDistribution: 'exponential' })).toBe('jitter +30 ms mean (exponential), seed 1');
  });
});
