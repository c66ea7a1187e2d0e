/**
 * The seeded streams the delay proxy draws from, one per connection and
 * direction: connection `id` (1, 2, … in accept order) gets the same jitter
 * and the same stalls for the same seed, whatever other connections do.
 * Exported so that tests (and a report) can replay exactly what the proxy did.
 */
import type { ResolvedConditions } from './conditions.ts';
import type { ProxyDirection } from './delay-proxy.ts';
import { deriveSeed, drawJitter, seededRandom } from './random.ts';
import { performance } from 'node:perf_hooks';
import { StallSchedule } from './stall-schedule.ts';

/** Jitter draws (ms, may be negative) for one direction of one connection; undefined when jitter is off. */
export function jitterFor(conditions: ResolvedConditions, id: number, direction: ProxyDirection): (() => number) | undefined {
  if (conditions.jitterMs === 0) return undefined;
  const random = seededRandom(deriveSeed(conditions.seed, id, direction, 'jitter'));
  return () => drawJitter(random, conditions.jitterDistribution, conditions.jitterMs);
}

/** The stall schedule of one direction of one connection, counted from `origin`; undefined when stalls are off. */
export function stallScheduleFor(conditions: ResolvedConditions, id: number, direction: ProxyDirection, origin = performance.now()): StallSchedule | undefined {
  if (conditions.stallsPerMinute === 0) return undefined;
  const random = seededRandom(deriveSeed(conditions.seed, id, direction, 'stall'));
  return new StallSchedule(random, {
    stallsPerMinute: conditions.stallsPerMinute, minMs: conditions.stallMinMs, maxMs: conditions.stallMaxMs,
  }, origin);
}
