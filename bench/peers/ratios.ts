/**
 * Which figures are compared, against which reference, with which target
 * (issue 5) — as data — and the pure arithmetic that turns two measurements
 * into a ratio or into the reason there is none. Each pair ran interleaved
 * several times: the ratio is the median of the per-repeat ratios, with
 * their spread and a verdict (spread.ts); a repeat measured while the harness
 * or the machine was saturated (saturation.ts) leaves the pair without one.
 */
import type { PeerRatio, PeerRepeat } from '../../src/results/schema.ts';
import { saturationOf, sensitivityOf } from './saturation.ts';
import { spreadOf, verdictOf } from './spread.ts';
import { referenceLabel } from './versions.ts';
import type { ContenderName, PeerMeasurement, PeerSample, PeersSizes, TransportName } from './types.ts';

export interface RatioTarget {
  op: '>=' | '<=' | '>';
  value: number;
}

export interface RatioSpec {
  transport: TransportName;
  /** The measurements' metric id, e.g. "poll.rps". */
  metric: string;
  /** What the ratio is of, in words. */
  label: string;
  reference: ContenderName;
  target?: RatioTarget;
  higherIsBetter: boolean;
  /** The unit of both figures: req/s, deliveries/s, µs (CPU per operation), bytes (per connection), ms. */
  unit: string;
  /** Server CPU per operation leads its group; throughput comes second. */
  headline?: boolean;
}

/** Against a library a user would pick instead, ours must be at least as good (issue 12). */
const AT_LEAST_AS_GOOD: RatioTarget = { op: '>=', value: 1 };
const LONGPOLL_LIBRARIES: ContenderName[] = ['socket.io-polling', 'faye'];
const SSE_LIBRARIES: ContenderName[] = ['better-sse', 'sockjs'];
const WS_LIBRARIES: ContenderName[] = ['socket.io', 'faye', 'sockjs'];

/**
 * Long-poll and SSE fan-out: the bare reference first, then the libraries.
 * SockJS's xhr-polling holds the request until there is data — a long poll,
 * not a short one — so it is compared here, with long polling.
 */
const HTTP_FANOUT_GROUPS: { transport: TransportName; prefix: string; label: string; references: ContenderName[] }[] = [
  { transport: 'longpoll', prefix: 'longpoll.fanout', label: 'long-poll fan-out', references: ['node:http', 'socket.io-polling', 'faye', 'sockjs'] },
  { transport: 'sse', prefix: 'sse.fanout', label: 'sse fan-out', references: ['sse', 'better-sse', 'sockjs'] },
];

function count(value: number): string {
  return value.toLocaleString('en-US');
}

export function ratioSpecs(sizes: PeersSizes): RatioSpec[] {
  const specs: RatioSpec[] = [
    { transport: 'poll', metric: 'poll.serverCpu', label: 'poll server CPU per request', reference: 'node:http', higherIsBetter: false, unit: 'µs', headline: true },
    { transport: 'poll', metric: 'poll.rps', label: 'poll requests/s at saturation', reference: 'node:http', target: { op: '>=', value: 0.7 }, higherIsBetter: true, unit: 'req/s' },
    { transport: 'poll', metric: 'publish.serverCpu', label: 'publish server CPU per request', reference: 'node:http', higherIsBetter: false, unit: 'µs', headline: true },
    { transport: 'poll', metric: 'publish.rps', label: 'publish requests/s at saturation', reference: 'node:http', target: { op: '>=', value: 0.7 }, higherIsBetter: true, unit: 'req/s' },
    { transport: 'poll', metric: 'poll.p50', label: 'poll latency p50 at 50 % load', reference: 'node:http', higherIsBetter: false, unit: 'ms' },
    { transport: 'poll', metric: 'poll.p99', label: 'poll latency p99 at 50 % load', reference: 'node:http', higherIsBetter: false, unit: 'ms' },
    { transport: 'poll', metric: 'publish.p50', label: 'publish latency p50 at 50 % load', reference: 'node:http', higherIsBetter: false, unit: 'ms' },
    { transport: 'poll', metric: 'publish.p99', label: 'publish latency p99 at 50 % load', reference: 'node:http', higherIsBetter: false, unit: 'ms' },
  ];
  // Long poll and SSE fan-out against the bare reference and the libraries users pick (issue 12).
  for (const group of HTTP_FANOUT_GROUPS) {
    for (const subscribers of sizes.fanoutSubscribers) {
      const cpuLabel = `${group.label} server CPU per delivery, ${count(subscribers)} subscribers`;
      const label = `${group.label} deliveries/s, ${count(subscribers)} subscribers`;
      for (const reference of group.references) {
        specs.push({ transport: group.transport, metric: `${group.prefix}.${subscribers}.serverCpu`, label: cpuLabel, reference, higherIsBetter: false, unit: 'µs', headline: true });
      }
      for (const reference of group.references) {
        const library = reference !== group.references[0];
        specs.push({
          transport: group.transport, metric: `${group.prefix}.${subscribers}.deliveries`, label, reference, higherIsBetter: true, unit: 'deliveries/s',
          ...(library ? { target: AT_LEAST_AS_GOOD } : {}),
        });
      }
    }
  }
  for (const subscribers of sizes.fanoutSubscribers) {
    const metric = `fanout.${subscribers}.deliveries`;
    const label = `fan-out deliveries/s, ${count(subscribers)} subscribers`;
    const cpuMetric = `fanout.${subscribers}.serverCpu`;
    const cpuLabel = `fan-out server CPU per delivery, ${count(subscribers)} subscribers`;
    specs.push(
      { transport: 'ws', metric: cpuMetric, label: cpuLabel, reference: 'ws', higherIsBetter: false, unit: 'µs', headline: true },
      { transport: 'ws', metric: cpuMetric, label: cpuLabel, reference: 'ws+cork', higherIsBetter: false, unit: 'µs', headline: true },
      ...WS_LIBRARIES.map((reference): RatioSpec => ({ transport: 'ws', metric: cpuMetric, label: cpuLabel, reference, higherIsBetter: false, unit: 'µs', headline: true })),
      { transport: 'ws', metric, label, reference: 'ws', target: { op: '>=', value: 0.9 }, higherIsBetter: true, unit: 'deliveries/s' },
      { transport: 'ws', metric, label, reference: 'ws+cork', higherIsBetter: true, unit: 'deliveries/s' },
      { transport: 'ws', metric, label, reference: 'socket.io', target: { op: '>', value: 1 }, higherIsBetter: true, unit: 'deliveries/s' },
      ...WS_LIBRARIES.filter((reference) => reference !== 'socket.io').map((reference): RatioSpec => (
        { transport: 'ws', metric, label, reference, target: AT_LEAST_AS_GOOD, higherIsBetter: true, unit: 'deliveries/s' })),
      { transport: 'ws', metric: `fanout.${subscribers}.p50`, label: `fan-out latency p50 at 50 % load, ${count(subscribers)} subscribers`, reference: 'ws', higherIsBetter: false, unit: 'ms' },
      { transport: 'ws', metric: `fanout.${subscribers}.p99`, label: `fan-out latency p99 at 50 % load, ${count(subscribers)} subscribers`, reference: 'ws', higherIsBetter: false, unit: 'ms' },
    );
  }
  const held = count(sizes.heldClients);
  const idle = count(sizes.idleClients ?? sizes.heldClients);
  specs.push(
    { transport: 'longpoll', metric: 'longpoll.rssPerHeld', label: `RSS per held request at ${held}`, reference: 'node:http', target: { op: '<=', value: 1.25 }, higherIsBetter: false, unit: 'bytes' },
    ...LONGPOLL_LIBRARIES.map((reference): RatioSpec => ({ transport: 'longpoll', metric: 'longpoll.rssPerHeld', label: `RSS per held request at ${held}`, reference, higherIsBetter: false, unit: 'bytes' })),
    { transport: 'longpoll', metric: 'longpoll.releaseCpu', label: `server CPU to release ${held} held requests`, reference: 'node:http', higherIsBetter: false, unit: 'ms', headline: true },
    ...LONGPOLL_LIBRARIES.map((reference): RatioSpec => ({ transport: 'longpoll', metric: 'longpoll.releaseCpu', label: `server CPU to release ${held} held requests`, reference, higherIsBetter: false, unit: 'ms', headline: true })),
    { transport: 'longpoll', metric: 'longpoll.release', label: `time to release ${held} held requests`, reference: 'node:http', target: { op: '<=', value: 1.2 }, higherIsBetter: false, unit: 'ms' },
    ...LONGPOLL_LIBRARIES.map((reference): RatioSpec => ({ transport: 'longpoll', metric: 'longpoll.release', label: `time to release ${held} held requests`, reference, target: { op: '<=', value: 1 }, higherIsBetter: false, unit: 'ms' })),
    { transport: 'ws', metric: 'ws.idleRssPerConnection', label: `RSS per idle connection at ${idle}`, reference: 'ws', target: { op: '<=', value: 1.3 }, higherIsBetter: false, unit: 'bytes' },
    ...WS_LIBRARIES.map((reference): RatioSpec => ({ transport: 'ws', metric: 'ws.idleRssPerConnection', label: `RSS per idle connection at ${idle}`, reference, higherIsBetter: false, unit: 'bytes' })),
    { transport: 'sse', metric: 'sse.idleRssPerConnection', label: `RSS per idle connection at ${idle}`, reference: 'sse', target: { op: '<=', value: 1.3 }, higherIsBetter: false, unit: 'bytes' },
    ...SSE_LIBRARIES.map((reference): RatioSpec => ({ transport: 'sse', metric: 'sse.idleRssPerConnection', label: `RSS per idle connection at ${idle}`, reference, higherIsBetter: false, unit: 'bytes' })),
  );
  return specs;
}

export function describeTarget(target: RatioTarget): string {
  return `${target.op === '>=' ? '≥' : target.op === '<=' ? '≤' : '>'} ${target.value}`;
}

export function meetsTarget(ratio: number, target: RatioTarget): boolean {
  if (target.op === '>=') return ratio >= target.value;
  if (target.op === '<=') return ratio <= target.value;
  return ratio > target.value;
}

function find(measurements: PeerMeasurement[], metric: string, contender: ContenderName): PeerMeasurement | undefined {
  return measurements.find((measurement) => measurement.metric === metric && measurement.contender === contender);
}

/** Why a side cannot be divided, or null when it can. */
function unusable(side: PeerMeasurement | undefined, who: string): string | null {
  if (!side) return `${who}: not measured`;
  if (!side.completed || side.value === null) return `${who}: ${side.reason ?? 'did not complete'}`;
  return null;
}

function samplesOf(measurement: PeerMeasurement): PeerSample[] {
  return measurement.samples ?? (measurement.value === null ? [] : [{ value: measurement.value }]);
}

/** Repeat i of ours next to repeat i of the reference, each judged for saturation. */
export function pairRepeats(spec: RatioSpec, ours: PeerMeasurement, theirs: PeerMeasurement): PeerRepeat[] {
  const mine = samplesOf(ours);
  const their = samplesOf(theirs);
  const sensitivity = sensitivityOf(spec.metric);
  const repeats: PeerRepeat[] = [];
  for (let i = 0; i < Math.min(mine.length, their.length); i += 1) {
    const why = [
      mine[i].conditions ? saturationOf(mine[i].conditions!, sensitivity) : null,
      their[i].conditions ? saturationOf(their[i].conditions!, sensitivity) : null,
    ];
    const saturated = [why[0] === null ? null : `ours: ${why[0]}`, why[1] === null ? null : `${spec.reference}: ${why[1]}`].filter((text): text is string => text !== null);
    repeats.push({
      ours: mine[i].value,
      theirs: their[i].value,
      ratio: their[i].value > 0 ? mine[i].value / their[i].value : null,
      ...(mine[i].conditions ? { oursConditions: mine[i].conditions } : {}),
      ...(their[i].conditions ? { theirsConditions: their[i].conditions } : {}),
      ...(saturated.length > 0 ? { saturated: saturated.join('; ') } : {}),
    });
  }
  return repeats;
}

/**
 * A ratio only when both sides completed the same workload with zero loss
 * and no repeat was saturated; otherwise the reason. The ratio is the median
 * of the per-repeat ratios, `ours`/`theirs` the medians of each side.
 */
export function computeRatio(spec: RatioSpec, measurements: PeerMeasurement[], versions?: Partial<Record<ContenderName, string>>): PeerRatio {
  const ours = find(measurements, spec.metric, 'ours');
  const theirs = find(measurements, spec.metric, spec.reference);
  const base: PeerRatio = {
    transport: spec.transport,
    metric: spec.label,
    // With versions, the reference reads e.g. "sockjs 0.3.24 xhr-streaming" in every table and in the results.
    reference: versions ? referenceLabel(spec.reference, spec.transport, versions) : spec.reference,
    ours: ours?.value ?? null,
    theirs: theirs?.value ?? null,
    ratio: null,
    higherIsBetter: spec.higherIsBetter,
    unit: spec.unit,
    ...(spec.headline ? { headline: true } : {}),
    ...(spec.target ? { target: describeTarget(spec.target), met: null } : {}),
  };
  const reasons = [unusable(ours, 'ours'), unusable(theirs, spec.reference)].filter((reason): reason is string => reason !== null);
  if (reasons.length > 0 || !ours || !theirs) return { ...base, reason: reasons.join('; ') };
  if (ours.workload !== theirs.workload) return { ...base, reason: `different workloads: ${ours.workload} vs ${theirs.workload}` };
  const theirValue = theirs.value ?? 0;
  const ourValue = ours.value ?? 0;
  const repeats = pairRepeats(spec, ours, theirs);
  if (!(theirValue > 0)) return { ...base, repeats, reason: `${spec.reference}'s figure is ${theirValue}: nothing to divide by` };
  const zero = repeats.findIndex((repeat) => repeat.ratio === null);
  if (zero !== -1) return { ...base, repeats, reason: `${spec.reference}'s figure is ${repeats[zero].theirs ?? 0} in repeat ${zero + 1}: nothing to divide by` };
  if (ourValue < 0 || repeats.some((repeat) => (repeat.ours ?? 0) < 0)) {
    return { ...base, repeats, reason: `ours is ${ourValue}: a memory figure below zero is noise, not a measurement` };
  }
  const saturated = repeats.map((repeat) => repeat.saturated).filter((text): text is string => text !== undefined);
  if (saturated.length > 0) {
    // One side's reasons from the first repeat hit, and how many were; each repeat keeps both sides' in `repeats`.
    const why = `${saturated[0].split('; ')[0]} (${saturated.length} of ${repeats.length} repeat${repeats.length === 1 ? '' : 's'})`;
    return { ...base, repeats, saturated: why, reason: `saturated: ${why}` };
  }
  const spread = spreadOf(repeats.map((repeat) => repeat.ratio ?? 0));
  return {
    ...base,
    ratio: spread.median,
    spread: { min: spread.min, max: spread.max },
    verdict: verdictOf({ ...spread, count: repeats.length }, spec.higherIsBetter),
    repeats,
    ...(spec.target ? { met: meetsTarget(spread.median, spec.target) } : {}),
  };
}

export function computeRatios(specs: RatioSpec[], measurements: PeerMeasurement[], versions?: Partial<Record<ContenderName, string>>): PeerRatio[] {
  return specs.map((spec) => computeRatio(spec, measurements, versions));
}
