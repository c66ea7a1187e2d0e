/**
 * Which figures are compared, against which reference, with which target
 * (issue 5) — as data — and the pure arithmetic that turns two measurements
 * into a ratio or into the reason there is none.
 */
import type { PeerRatio } from '../schema.ts';
import type { ContenderName, PeerMeasurement, PeersSizes, TransportName } from './types.ts';

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
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

export function ratioSpecs(sizes: PeersSizes): RatioSpec[] {
  const specs: RatioSpec[] = [
    { transport: 'poll', metric: 'poll.rps', label: 'poll requests/s at saturation', reference: 'node:http', target: { op: '>=', value: 0.7 }, higherIsBetter: true },
    { transport: 'poll', metric: 'publish.rps', label: 'publish requests/s at saturation', reference: 'node:http', target: { op: '>=', value: 0.7 }, higherIsBetter: true },
    { transport: 'poll', metric: 'poll.serverCpu', label: 'poll server CPU per request', reference: 'node:http', higherIsBetter: false },
    { transport: 'poll', metric: 'publish.serverCpu', label: 'publish server CPU per request', reference: 'node:http', higherIsBetter: false },
    { transport: 'poll', metric: 'poll.p50', label: 'poll latency p50 at 50 % load', reference: 'node:http', higherIsBetter: false },
    { transport: 'poll', metric: 'poll.p99', label: 'poll latency p99 at 50 % load', reference: 'node:http', higherIsBetter: false },
    { transport: 'poll', metric: 'publish.p50', label: 'publish latency p50 at 50 % load', reference: 'node:http', higherIsBetter: false },
    { transport: 'poll', metric: 'publish.p99', label: 'publish latency p99 at 50 % load', reference: 'node:http', higherIsBetter: false },
  ];
  for (const subscribers of sizes.fanoutSubscribers) {
    const metric = `fanout.${subscribers}.deliveries`;
    const label = `fan-out deliveries/s, ${count(subscribers)} subscribers`;
    specs.push(
      { transport: 'ws', metric, label, reference: 'ws', target: { op: '>=', value: 0.9 }, higherIsBetter: true },
      { transport: 'ws', metric, label, reference: 'ws+cork', higherIsBetter: true },
      { transport: 'ws', metric, label, reference: 'socket.io', target: { op: '>', value: 1 }, higherIsBetter: true },
      { transport: 'ws', metric: `fanout.${subscribers}.serverCpu`, label: `fan-out server CPU per delivery, ${count(subscribers)} subscribers`, reference: 'ws', higherIsBetter: false },
      { transport: 'ws', metric: `fanout.${subscribers}.serverCpu`, label: `fan-out server CPU per delivery, ${count(subscribers)} subscribers`, reference: 'ws+cork', higherIsBetter: false },
      { transport: 'ws', metric: `fanout.${subscribers}.p50`, label: `fan-out latency p50 at 50 % load, ${count(subscribers)} subscribers`, reference: 'ws', higherIsBetter: false },
      { transport: 'ws', metric: `fanout.${subscribers}.p99`, label: `fan-out latency p99 at 50 % load, ${count(subscribers)} subscribers`, reference: 'ws', higherIsBetter: false },
    );
  }
  const held = count(sizes.heldClients);
  specs.push(
    { transport: 'longpoll', metric: 'longpoll.rssPerHeld', label: `RSS per held request at ${held}`, reference: 'node:http', target: { op: '<=', value: 1.25 }, higherIsBetter: false },
    { transport: 'longpoll', metric: 'longpoll.release', label: `time to release ${held} held requests`, reference: 'node:http', target: { op: '<=', value: 1.2 }, higherIsBetter: false },
    { transport: 'longpoll', metric: 'longpoll.releaseCpu', label: `server CPU to release ${held} held requests`, reference: 'node:http', higherIsBetter: false },
    { transport: 'ws', metric: 'ws.idleRssPerConnection', label: `RSS per idle connection at ${held}`, reference: 'ws', target: { op: '<=', value: 1.3 }, higherIsBetter: false },
    { transport: 'ws', metric: 'ws.idleRssPerConnection', label: `RSS per idle connection at ${held}`, reference: 'socket.io', higherIsBetter: false },
    { transport: 'sse', metric: 'sse.idleRssPerConnection', label: `RSS per idle connection at ${held}`, reference: 'sse', target: { op: '<=', value: 1.3 }, higherIsBetter: false },
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

/** A ratio only when both sides completed the same workload with zero loss; otherwise the reason. */
export function computeRatio(spec: RatioSpec, measurements: PeerMeasurement[]): PeerRatio {
  const ours = find(measurements, spec.metric, 'ours');
  const theirs = find(measurements, spec.metric, spec.reference);
  const base: PeerRatio = {
    transport: spec.transport,
    metric: spec.label,
    reference: spec.reference,
    ours: ours?.value ?? null,
    theirs: theirs?.value ?? null,
    ratio: null,
    higherIsBetter: spec.higherIsBetter,
    ...(spec.target ? { target: describeTarget(spec.target), met: null } : {}),
  };
  const reasons = [unusable(ours, 'ours'), unusable(theirs, spec.reference)].filter((reason): reason is string => reason !== null);
  if (reasons.length > 0) return { ...base, reason: reasons.join('; ') };
  if (ours && theirs && ours.workload !== theirs.workload) return { ...base, reason: `different workloads: ${ours.workload} vs ${theirs.workload}` };
  const theirValue = theirs?.value ?? 0;
  const ourValue = ours?.value ?? 0;
  if (!(theirValue > 0)) return { ...base, reason: `${spec.reference}'s figure is ${theirValue}: nothing to divide by` };
  if (ourValue < 0) return { ...base, reason: `ours is ${ourValue}: a memory figure below zero is noise, not a measurement` };
  const ratio = ourValue / theirValue;
  return { ...base, ratio, ...(spec.target ? { met: meetsTarget(ratio, spec.target) } : {}) };
}

export function computeRatios(specs: RatioSpec[], measurements: PeerMeasurement[]): PeerRatio[] {
  return specs.map((spec) => computeRatio(spec, measurements));
}
