/**
 * When a figure measured the harness or the neighbours instead of the server
 * (issue 13 item 7): the load generator CPU-bound, other work taking a
 * significant share of the machine, the hypervisor stealing CPU, or a load
 * average far above the cores. Such a figure is marked "saturated: <why>"
 * and no ratio is printed for it. Pure; the readings come from
 * proc/machine.ts.
 */
import type { PeerConditions } from '../../src/results/schema.ts';

/** The limits, in one place (README and bench/peers/README.md quote them). */
export const SATURATION_LIMITS = Object.freeze({
  /** The busiest load-generator process, in cores: above this it, not the server, set the pace. */
  harnessCores: 0.9,
  /** CPU used by anything but the measured server and its load generators, as a share of all cores. */
  otherWorkShare: 0.2,
  /** CPU time the hypervisor took away (steal), as a share of all CPU time. */
  stealShare: 0.05,
  /**
   * 1-minute load average per core — only where `otherWorkShare` could not be
   * read: the load average counts our own server and load processes too (a
   * WebSocket fan-out to 1,000 subscribers alone holds it at 6–7 on 2 cores),
   * so where other work is measured precisely it would only refuse honest
   * figures.
   */
  loadPerCore: 3,
});

export type SaturationLimits = typeof SATURATION_LIMITS;

/**
 * How much a figure depends on having the machine to itself:
 * - `rate`: throughput, latency and release time — the harness and the machine both count;
 * - `cpu`: server CPU per operation — a busy neighbour matters, a slow harness does not;
 * - `memory`: RSS — neither does.
 */
export type Sensitivity = 'rate' | 'cpu' | 'memory';

export function sensitivityOf(metric: string): Sensitivity {
  if (/rss/i.test(metric)) return 'memory';
  if (/cpu/i.test(metric)) return 'cpu';
  return 'rate';
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** Why a measurement taken under `conditions` is saturated for a figure of `sensitivity`, or null. */
export function saturationOf(
  conditions: PeerConditions,
  sensitivity: Sensitivity,
  limits: SaturationLimits = SATURATION_LIMITS,
): string | null {
  if (sensitivity === 'memory') return null;
  const reasons: string[] = [];
  if (sensitivity === 'rate' && conditions.harnessCores !== null && conditions.harnessCores > limits.harnessCores) {
    reasons.push(`load generator CPU-bound (${percent(conditions.harnessCores)} of a core)`);
  }
  if (conditions.otherWorkShare !== null && conditions.otherWorkShare > limits.otherWorkShare) {
    reasons.push(`other work took ${percent(conditions.otherWorkShare)} of the ${conditions.cores} cores`);
  }
  if (conditions.stealShare !== null && conditions.stealShare > limits.stealShare) {
    reasons.push(`CPU steal ${percent(conditions.stealShare)}`);
  }
  if (conditions.otherWorkShare === null && conditions.loadAverage > limits.loadPerCore * conditions.cores) {
    reasons.push(`load average ${conditions.loadAverage.toFixed(1)} on ${conditions.cores} cores`);
  }
  return reasons.length > 0 ? reasons.join(', ') : null;
}
