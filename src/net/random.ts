/**
 * Seeded randomness for the delay proxy's network conditions: the same seed
 * gives the same jitter and the same stalls, run after run, so a bench figure
 * taken under `flaky-wifi` can be reproduced. Each (connection, direction,
 * purpose) gets a stream of its own, derived from the seed, so that turning
 * stalls on does not change the jitter and a second connection does not shift
 * the first one's draws.
 */

/** A number in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, and good enough for emulating a network (not for secrets). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed for one stream, mixed from the run's seed and the parts that name the stream (FNV-1a). */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed}|${parts.join('|')}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export type JitterDistribution = 'uniform' | 'normal' | 'exponential';
export const JITTER_DISTRIBUTIONS: readonly JitterDistribution[] = ['uniform', 'normal', 'exponential'];

/**
 * A draw of jitter in ms around 0 (it is added to the fixed delay, and the sum
 * is clamped at 0 by the caller): `uniform` spreads evenly over ±jitterMs,
 * `normal` has jitterMs as its standard deviation (netem's default shape),
 * `exponential` is one-sided with jitterMs as its mean (queues that build up,
 * the long tail of a radio link).
 */
export function drawJitter(random: Random, distribution: JitterDistribution, jitterMs: number): number {
  switch (distribution) {
    case 'uniform':
      return (random() * 2 - 1) * jitterMs;
    case 'normal': {
      // Box–Muller; 1 - random() is in (0, 1], so the log is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - random()));
      return radius * Math.cos(2 * Math.PI * random()) * jitterMs;
    }
    case 'exponential':
      return -Math.log(1 - random()) * jitterMs;
  }
}
