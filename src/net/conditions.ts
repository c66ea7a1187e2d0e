/**
 * Network conditions beyond a fixed delay (issue 11 item 4), as the delay
 * proxy applies them per connection. `tc netem` is not available on the lab's
 * machines, so these are emulated on the proxy's byte stream:
 *
 * - jitter: each chunk's delay gets a seeded random extra; a later chunk never
 *   overtakes an earlier one (TCP keeps byte order, so jitter shows up as
 *   head-of-line waiting, as it does on a real link);
 * - stalls: a retransmission timeout's pause (see stall-schedule.ts);
 * - cuts: every `cutEveryMs` all open connections are reset, both sides (a
 *   phone changing cell);
 * - idle drop: a connection with no byte in either direction for `idleDropMs`
 *   goes silent — the proxy forwards nothing more either way and sends no FIN
 *   and no RST; both sockets stay open until their peers give up (a NAT or
 *   proxy timeout). Only a heartbeat notices.
 *
 * The bandwidth cap stays where it was (DelayProxyOptions.bandwidthBytesPerSecond).
 */
import { JITTER_DISTRIBUTIONS } from './random.ts';
import type { JitterDistribution } from './random.ts';

export interface NetworkConditions {
  /** Spread of the extra delay per chunk, per direction, in ms (0 = none). See `jitterDistribution`. */
  jitterMs?: number;
  /** Shape of the jitter (default `normal`: jitterMs is its standard deviation). */
  jitterDistribution?: JitterDistribution;
  /** Mean stalls per minute in each direction of each connection (0 = none). */
  stallsPerMinute?: number;
  /** Shortest and longest stall, in ms (default 200 and 3,000). */
  stallMinMs?: number;
  stallMaxMs?: number;
  /** Every this many ms, every open connection is reset on both sides (absent = never). */
  cutEveryMs?: number;
  /** A connection idle (no byte either way) this long goes silent (absent = never). */
  idleDropMs?: number;
  /** Seed of every random draw (default 1): the same seed gives the same jitter and stalls. */
  seed?: number;
}

export type ResolvedConditions = Required<Omit<NetworkConditions, 'cutEveryMs' | 'idleDropMs'>>
  & Pick<NetworkConditions, 'cutEveryMs' | 'idleDropMs'>;

export const DEFAULT_CONDITIONS = Object.freeze({
  jitterMs: 0,
  jitterDistribution: 'normal' as JitterDistribution,
  stallsPerMinute: 0,
  stallMinMs: 200,
  stallMaxMs: 3000,
  seed: 1,
});

/** Limits of each knob: past them the emulation stops meaning anything (or a timer would spin). */
export const CONDITION_LIMITS = Object.freeze({
  jitterMs: { min: 0, max: 10_000 },
  stallsPerMinute: { min: 0, max: 600 },
  stallMs: { min: 1, max: 60_000 },
  cutEveryMs: { min: 100, max: 86_400_000 },
  idleDropMs: { min: 100, max: 86_400_000 },
  seed: { min: 0, max: 0xffffffff },
});

/** Defaults filled in; throws a RangeError naming the option for a value out of range. */
export function resolveConditions(conditions: NetworkConditions = {}): ResolvedConditions {
  const resolved: ResolvedConditions = { ...DEFAULT_CONDITIONS, ...withoutUndefined(conditions) };
  inRange('jitterMs', resolved.jitterMs, CONDITION_LIMITS.jitterMs);
  if (!JITTER_DISTRIBUTIONS.includes(resolved.jitterDistribution)) {
    throw new RangeError(`jitterDistribution must be one of ${JITTER_DISTRIBUTIONS.join(', ')}, got ${String(resolved.jitterDistribution)}`);
  }
  inRange('stallsPerMinute', resolved.stallsPerMinute, CONDITION_LIMITS.stallsPerMinute);
  inRange('stallMinMs', resolved.stallMinMs, CONDITION_LIMITS.stallMs);
  inRange('stallMaxMs', resolved.stallMaxMs, CONDITION_LIMITS.stallMs);
  if (resolved.stallMinMs > resolved.stallMaxMs) {
    throw new RangeError(`stallMinMs (${resolved.stallMinMs}) must be at most stallMaxMs (${resolved.stallMaxMs})`);
  }
  if (resolved.cutEveryMs !== undefined) inRange('cutEveryMs', resolved.cutEveryMs, CONDITION_LIMITS.cutEveryMs);
  if (resolved.idleDropMs !== undefined) inRange('idleDropMs', resolved.idleDropMs, CONDITION_LIMITS.idleDropMs);
  inRange('seed', resolved.seed, CONDITION_LIMITS.seed);
  if (!Number.isInteger(resolved.seed)) throw new RangeError(`seed must be an integer, got ${resolved.seed}`);
  return resolved;
}

/** One line naming every condition that is on, e.g. for a report: "jitter ±40 ms (normal), stalls …". */
export function describeConditions(conditions: NetworkConditions): string {
  const c = resolveConditions(conditions);
  const parts: string[] = [];
  if (c.jitterMs > 0) {
    const spread = c.jitterDistribution === 'exponential' ? `+${c.jitterMs} ms mean` : `±${c.jitterMs} ms`;
    parts.push(`jitter ${spread} (${c.jitterDistribution})`);
  }
  if (c.stallsPerMinute > 0) parts.push(`stalls of ${c.stallMinMs}–${c.stallMaxMs} ms at ${c.stallsPerMinute}/min per direction`);
  if (c.cutEveryMs !== undefined) parts.push(`every connection cut every ${seconds(c.cutEveryMs)}`);
  if (c.idleDropMs !== undefined) parts.push(`silent drop after ${seconds(c.idleDropMs)} idle`);
  if (parts.length === 0) return 'no impairment';
  if (c.jitterMs > 0 || c.stallsPerMinute > 0) parts.push(`seed ${c.seed}`);
  return parts.join(', ');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function inRange(name: string, value: number, limits: { min: number; max: number }): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < limits.min || value > limits.max) {
    throw new RangeError(`${name} must be between ${limits.min} and ${limits.max}, got ${String(value)}`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
