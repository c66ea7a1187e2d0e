/**
 * Fan-out per transport: one publisher, N subscribers of one room, 100-byte
 * bodies. First deliveries per second at saturation and server CPU per
 * delivery for every contender, each speaking its own wire protocol
 * (`FANOUT_KINDS`); then, for ws, latency of ours and raw `ws` at the same
 * paced rate, 50 % of the lower of their two median saturations. Each round
 * is repeated with the contenders interleaved, records the machine's
 * conditions, and counts only when every subscriber got every message in order.
 */
import { MachineWindow } from '../proc/machine.ts';
import { readCpuSeconds } from '../proc/spawn-node.ts';
import type { ContenderName, PeerMeasurement } from '../types.ts';
import { formatCount, guarded, missingFigure, throwIfAborted, type Contender, type MeasureContext } from './common.ts';
import { FanoutRig, fanoutLoss, type RigPlan } from './fanout-session.ts';
import { SampleBook } from './samples.ts';

export type FanoutTransport = 'ws' | 'sse' | 'longpoll';

interface FanoutKind {
  /** Metric ids are `<prefix>.<subscribers>.deliveries` (and `.serverCpu`, `.p50`, `.p99`). */
  metricPrefix: string;
  label: string;
  /** How each contender is spoken to; a contender not listed takes no part. */
  plans: Partial<Record<ContenderName, RigPlan>>;
  /** Contenders whose latency is compared (ws: the target is against raw `ws`); empty: none. */
  latencyPair: ContenderName[];
}

const wsPlan = (dialect: 'lab' | 'socket.io' | 'faye' | 'sockjs'): RigPlan => ({
  subscriber: { role: 'subscribers', dialect }, publisher: { role: 'publisher', dialect }, sessionPerSubscriber: false,
});
const httpPlan = (dialect: Extract<RigPlan['subscriber'], { role: 'http-subscribers' }>['dialect']): RigPlan => ({
  subscriber: { role: 'http-subscribers', dialect }, publisher: { role: 'http-publisher' }, sessionPerSubscriber: true,
});

export const FANOUT_KINDS: Readonly<Record<FanoutTransport, FanoutKind>> = {
  ws: {
    metricPrefix: 'fanout',
    label: 'ws fan-out',
    plans: { ours: wsPlan('lab'), ws: wsPlan('lab'), 'ws+cork': wsPlan('lab'), 'socket.io': wsPlan('socket.io'), faye: wsPlan('faye'), sockjs: wsPlan('sockjs') },
    latencyPair: ['ours', 'ws'],
  },
  sse: {
    metricPrefix: 'sse.fanout',
    label: 'sse fan-out',
    plans: { ours: httpPlan('lab-sse'), sse: httpPlan('lab-sse'), 'better-sse': httpPlan('better-sse'), sockjs: httpPlan('sockjs-xhr-streaming') },
    latencyPair: [],
  },
  longpoll: {
    metricPrefix: 'longpoll.fanout',
    label: 'long-poll fan-out',
    plans: { ours: httpPlan('lab-longpoll'), 'node:http': httpPlan('lab-longpoll'), 'socket.io-polling': httpPlan('engine.io'), faye: httpPlan('bayeux'), sockjs: httpPlan('sockjs-xhr-polling') },
    latencyPair: [],
  },
};

/** Publishes in flight during saturation: enough that the server never waits for the publisher. */
const WINDOW = 16;

function roundTimeoutMs(deliveries: number): number {
  // Generous: assumes at least 5,000 deliveries per second on a loaded machine.
  return Math.min(180_000, 20_000 + (deliveries / 5000) * 1000);
}

export async function measureFanout(transport: FanoutTransport, subscribers: number, all: Contender[], context: MeasureContext): Promise<PeerMeasurement[]> {
  const { sizes } = context;
  const kind = FANOUT_KINDS[transport];
  const contenders = all.filter((contender) => kind.plans[contender.name] !== undefined);
  const messages = Math.max(10, Math.ceil(sizes.fanoutDeliveries / subscribers));
  const deliveriesMetric = `${kind.metricPrefix}.${subscribers}.deliveries`;
  const cpuMetric = `${kind.metricPrefix}.${subscribers}.serverCpu`;
  const saturation = `1 publisher → ${formatCount(subscribers)} subscribers, ${formatCount(messages)} messages of ${sizes.bodyBytes} B, ${WINDOW} in flight, ${sizes.repeats} interleaved repeats`;
  const results: PeerMeasurement[] = [];
  const rigs = new Map<ContenderName, FanoutRig>();
  const topic = `room:peers-${transport}-fanout-${subscribers}`;

  const base = { window: WINDOW, ratePerSecond: null, recordLatency: false, bodyBytes: sizes.bodyBytes };
  const failures = new Map<ContenderName, PeerMeasurement>();
  const book = new SampleBook();
  try {
    // Connecting measures nothing: every contender's subscribers connect at once.
    throwIfAborted(context.signal);
    context.progress(`${kind.label} ${subscribers}: connecting`);
    await Promise.all(contenders.map(async (contender) => {
      const plan = kind.plans[contender.name];
      if (!plan) return;
      if (!contender.server) {
        failures.set(contender.name, missingFigure(deliveriesMetric, contender.name, 'deliveries/s', saturation, contender.reason));
        return;
      }
      const server = contender.server;
      const [failure] = await guarded([{ metric: deliveriesMetric, unit: 'deliveries/s' }], contender.name, saturation, async () => {
        rigs.set(contender.name, await FanoutRig.open(server, plan, subscribers, sizes.clientsPerProcess, context.pin, topic));
        return [];
      });
      if (failure) failures.set(contender.name, failure);
    }));
    // Back in the contenders' order, whichever connected first.
    const opened = contenders.flatMap((contender) => {
      const rig = rigs.get(contender.name);
      return rig ? [[contender.name, rig] as const] : [];
    });
    rigs.clear();
    for (const [name, rig] of opened) rigs.set(name, rig);
    // Warming up runs one contender at a time, as the measured rounds do.
    for (const [name, rig] of rigs) {
      throwIfAborted(context.signal);
      if (failures.has(name)) continue;
      const [failure] = await guarded([{ metric: deliveriesMetric, unit: 'deliveries/s' }], name, saturation, async () => {
        const warmMessages = Math.max(5, Math.ceil(messages / 10));
        await rig.run({ ...base, messages: warmMessages, timeoutMs: roundTimeoutMs(warmMessages * subscribers) });
        return [];
      });
      if (failure) failures.set(name, failure);
    }
    // Interleave the contenders, `repeats` times: a neighbour's burst then
    // lands on one repeat of one side, and shows in the spread.
    for (let repeat = 0; repeat < sizes.repeats; repeat += 1) {
      for (const [name, rig] of rigs) {
        throwIfAborted(context.signal);
        if (failures.has(name)) continue;
        context.progress(`${kind.label} ${subscribers}: saturating ${name} (${repeat + 1}/${sizes.repeats})`);
        const [failure] = await guarded([{ metric: deliveriesMetric, unit: 'deliveries/s' }], name, saturation, async () => {
          const pid = contenders.find((contender) => contender.name === name)?.server?.pid ?? -1;
          const window = new MachineWindow();
          const cpuBefore = readCpuSeconds(pid);
          const figures = await rig.run({ ...base, messages, timeoutMs: roundTimeoutMs(messages * subscribers) });
          const cpuAfter = readCpuSeconds(pid);
          const serverSeconds = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
          const conditions = window.close({ serverSeconds, harnessSeconds: figures.harnessCpuSeconds, harnessCores: figures.harnessCores });
          const loss = fanoutLoss(figures, messages);
          const rate = figures.seconds > 0 ? figures.delivered / figures.seconds : 0;
          if (loss) return [missingFigure(deliveriesMetric, name, 'deliveries/s', saturation, loss, rate)];
          book.add(deliveriesMetric, name, rate, conditions, figures.subscriberCpuMicros / figures.delivered);
          if (serverSeconds !== null) book.add(cpuMetric, name, (serverSeconds * 1e6) / figures.delivered, conditions);
          return [];
        });
        if (failure) failures.set(name, failure);
      }
    }
    const saturations = new Map<ContenderName, number>();
    for (const contender of contenders) {
      const failure = failures.get(contender.name);
      const rate = book.figure(deliveriesMetric, contender.name, 'deliveries/s', saturation);
      if (failure) {
        results.push(failure);
      } else if (rate) {
        saturations.set(contender.name, rate.value ?? 0);
        results.push(rate);
        const serverCpu = book.figure(cpuMetric, contender.name, 'µs', saturation);
        if (serverCpu) results.push(serverCpu);
      }
    }
    if (kind.latencyPair.length > 0) results.push(...(await measureFanoutLatency(kind, subscribers, contenders, rigs, saturations, context)));
  } finally {
    await Promise.all([...rigs.values()].map((rig) => rig.close()));
  }
  return results;
}

async function measureFanoutLatency(
  kind: FanoutKind,
  subscribers: number,
  contenders: Contender[],
  rigs: Map<ContenderName, FanoutRig>,
  saturations: Map<ContenderName, number>,
  context: MeasureContext,
): Promise<PeerMeasurement[]> {
  const { sizes } = context;
  const pair = contenders.filter((contender) => kind.latencyPair.includes(contender.name));
  const measured = pair.map((contender) => saturations.get(contender.name)).filter((rate): rate is number => rate !== undefined);
  const deliveriesPerSecond = measured.length === pair.length && measured.length > 0 ? Math.min(...measured) / 2 : null;
  const messagesPerSecond = deliveriesPerSecond === null ? null : Math.max(1, deliveriesPerSecond / subscribers);
  const messages = messagesPerSecond === null ? 0 : Math.max(10, Math.round(messagesPerSecond * sizes.fanoutLatencySeconds));
  const workload = messagesPerSecond === null
    ? 'latency at 50 % of the lower saturation'
    : `${formatCount(Math.round(messagesPerSecond))} messages/s to ${formatCount(subscribers)} subscribers (50 % of the lower median saturation), ${sizes.fanoutLatencySeconds} s, ${sizes.repeats} interleaved repeats`;
  const p50 = `${kind.metricPrefix}.${subscribers}.p50`;
  const p99 = `${kind.metricPrefix}.${subscribers}.p99`;
  const metrics = [{ metric: p50, unit: 'ms' }, { metric: p99, unit: 'ms' }];
  const results: PeerMeasurement[] = [];
  const failures = new Map<ContenderName, PeerMeasurement[]>();
  const book = new SampleBook();
  for (const contender of pair) {
    if (messagesPerSecond === null || !rigs.has(contender.name)) {
      const reason = contender.server ? 'no common rate: a saturation run did not complete' : contender.reason;
      failures.set(contender.name, metrics.map(({ metric, unit }) => missingFigure(metric, contender.name, unit, workload, reason)));
    }
  }
  for (let repeat = 0; messagesPerSecond !== null && repeat < sizes.repeats; repeat += 1) {
    for (const contender of pair) {
      throwIfAborted(context.signal);
      const rig = rigs.get(contender.name);
      if (!rig || failures.has(contender.name)) continue;
      context.progress(`${kind.label} ${subscribers}: latency of ${contender.name} at ${Math.round(messagesPerSecond)} messages/s (${repeat + 1}/${sizes.repeats})`);
      const failed = await guarded(metrics, contender.name, workload, async () => {
        const pid = contender.server?.pid ?? -1;
        const window = new MachineWindow();
        const cpuBefore = readCpuSeconds(pid);
        const figures = await rig.run({
          messages, window: 0, ratePerSecond: messagesPerSecond, recordLatency: true, bodyBytes: sizes.bodyBytes,
          timeoutMs: sizes.fanoutLatencySeconds * 1000 + 30_000,
        });
        const cpuAfter = readCpuSeconds(pid);
        const serverSeconds = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
        const conditions = window.close({ serverSeconds, harnessSeconds: figures.harnessCpuSeconds, harnessCores: figures.harnessCores });
        const loss = fanoutLoss(figures, messages);
        if (loss || figures.latencyP50Ms === null || figures.latencyP99Ms === null) {
          return metrics.map(({ metric, unit }) => missingFigure(metric, contender.name, unit, workload, loss ?? 'no latency recorded'));
        }
        book.add(p50, contender.name, figures.latencyP50Ms, conditions);
        book.add(p99, contender.name, figures.latencyP99Ms, conditions);
        return [];
      });
      if (failed.length > 0) failures.set(contender.name, failed);
    }
  }
  for (const contender of pair) {
    const failed = failures.get(contender.name);
    if (failed) {
      results.push(...failed);
      continue;
    }
    for (const { metric, unit } of metrics) {
      const figure = book.figure(metric, contender.name, unit, workload);
      if (figure) results.push(figure);
    }
  }
  return results;
}
