/**
 * WebSocket fan-out: one publisher, N subscribers, 100-byte bodies. First
 * deliveries per second at saturation for every contender (ours, raw `ws`,
 * socket.io); then latency of ours and raw `ws` at the same paced rate, 50 %
 * of the lower of their two saturations.
 */
import type { WsDialectName } from '../load/dialects.ts';
import { readCpuSeconds } from '../proc/spawn-node.ts';
import type { ContenderName, PeerMeasurement } from '../types.ts';
import { completedFigure, formatCount, guarded, missingFigure, throwIfAborted, type Contender, type MeasureContext } from './common.ts';
import { FanoutRig, fanoutLoss } from './fanout-session.ts';

const DIALECT: Partial<Record<ContenderName, WsDialectName>> = { ours: 'lab', ws: 'lab', 'ws+cork': 'lab', 'socket.io': 'socket.io' };
/** Publishes in flight during saturation: enough that the server never waits for the publisher. */
const WINDOW = 16;
/** Contenders whose latency is compared (the target is against raw `ws`). */
const LATENCY_PAIR: ContenderName[] = ['ours', 'ws'];

function roundTimeoutMs(deliveries: number): number {
  // Generous: assumes at least 5,000 deliveries per second on a loaded machine.
  return Math.min(180_000, 20_000 + (deliveries / 5000) * 1000);
}

export async function measureFanout(subscribers: number, contenders: Contender[], context: MeasureContext): Promise<PeerMeasurement[]> {
  const { sizes } = context;
  const messages = Math.max(10, Math.ceil(sizes.fanoutDeliveries / subscribers));
  const deliveriesMetric = `fanout.${subscribers}.deliveries`;
  const saturation = `1 publisher → ${formatCount(subscribers)} subscribers, ${formatCount(messages)} messages of ${sizes.bodyBytes} B, ${WINDOW} in flight, best of ${sizes.repeats}`;
  const results: PeerMeasurement[] = [];
  const rigs = new Map<ContenderName, FanoutRig>();
  const saturations = new Map<ContenderName, number>();
  const topic = `room:peers-fanout-${subscribers}`;

  const base = { window: WINDOW, ratePerSecond: null, recordLatency: false, bodyBytes: sizes.bodyBytes };
  const failures = new Map<ContenderName, PeerMeasurement>();
  const harnessMicros = new Map<ContenderName, number>();
  // Server CPU per delivery is far less sensitive to a busy neighbour than deliveries/s.
  const cpuPerDelivery = new Map<ContenderName, number>();
  try {
    for (const contender of contenders) {
      throwIfAborted(context.signal);
      const dialect = DIALECT[contender.name];
      if (!dialect) continue;
      if (!contender.server) {
        failures.set(contender.name, missingFigure(deliveriesMetric, contender.name, 'deliveries/s', saturation, contender.reason));
        continue;
      }
      const server = contender.server;
      context.progress(`ws fan-out ${subscribers}: connecting to ${contender.name}`);
      const [failure] = await guarded([{ metric: deliveriesMetric, unit: 'deliveries/s' }], contender.name, saturation, async () => {
        const rig = await FanoutRig.open(server, dialect, subscribers, sizes.clientsPerProcess, context.pin, topic);
        rigs.set(contender.name, rig);
        const warmMessages = Math.max(5, Math.ceil(messages / 10));
        await rig.run({ ...base, messages: warmMessages, timeoutMs: roundTimeoutMs(warmMessages * subscribers) });
        return [];
      });
      if (failure) failures.set(contender.name, failure);
    }
    // Alternate the contenders, `repeats` times; each keeps its best loss-free round.
    for (let repeat = 0; repeat < sizes.repeats; repeat += 1) {
      for (const [name, rig] of rigs) {
        throwIfAborted(context.signal);
        if (failures.has(name)) continue;
        context.progress(`ws fan-out ${subscribers}: saturating ${name} (${repeat + 1}/${sizes.repeats})`);
        const [failure] = await guarded([{ metric: deliveriesMetric, unit: 'deliveries/s' }], name, saturation, async () => {
          const pid = contenders.find((contender) => contender.name === name)?.server?.pid ?? -1;
          const cpuBefore = readCpuSeconds(pid);
          const figures = await rig.run({ ...base, messages, timeoutMs: roundTimeoutMs(messages * subscribers) });
          const cpuAfter = readCpuSeconds(pid);
          const loss = fanoutLoss(figures, messages);
          if (!loss && cpuBefore !== null && cpuAfter !== null) {
            const micros = ((cpuAfter - cpuBefore) * 1e6) / figures.delivered;
            cpuPerDelivery.set(name, Math.min(micros, cpuPerDelivery.get(name) ?? Number.POSITIVE_INFINITY));
          }
          const rate = figures.seconds > 0 ? figures.delivered / figures.seconds : 0;
          if (loss) return [missingFigure(deliveriesMetric, name, 'deliveries/s', saturation, loss, rate)];
          if (rate > (saturations.get(name) ?? 0)) {
            saturations.set(name, rate);
            harnessMicros.set(name, figures.subscriberCpuMicros / figures.delivered);
          }
          return [];
        });
        if (failure) failures.set(name, failure);
      }
    }
    for (const contender of contenders) {
      if (!DIALECT[contender.name]) continue;
      const failure = failures.get(contender.name);
      const rate = saturations.get(contender.name);
      if (failure) {
        saturations.delete(contender.name);
        results.push(failure);
      } else if (rate !== undefined) {
        results.push(completedFigure(deliveriesMetric, contender.name, rate, 'deliveries/s', saturation, harnessMicros.get(contender.name)));
        const serverCpu = cpuPerDelivery.get(contender.name);
        if (serverCpu !== undefined) results.push(completedFigure(`fanout.${subscribers}.serverCpu`, contender.name, serverCpu, 'µs', saturation));
      }
    }
    results.push(...(await measureFanoutLatency(subscribers, contenders, rigs, saturations, context)));
  } finally {
    await Promise.all([...rigs.values()].map((rig) => rig.close()));
  }
  return results;
}

async function measureFanoutLatency(
  subscribers: number,
  contenders: Contender[],
  rigs: Map<ContenderName, FanoutRig>,
  saturations: Map<ContenderName, number>,
  context: MeasureContext,
): Promise<PeerMeasurement[]> {
  const { sizes } = context;
  const pair = contenders.filter((contender) => LATENCY_PAIR.includes(contender.name));
  const measured = pair.map((contender) => saturations.get(contender.name)).filter((rate): rate is number => rate !== undefined);
  const deliveriesPerSecond = measured.length === pair.length && measured.length > 0 ? Math.min(...measured) / 2 : null;
  const messagesPerSecond = deliveriesPerSecond === null ? null : Math.max(1, deliveriesPerSecond / subscribers);
  const messages = messagesPerSecond === null ? 0 : Math.max(10, Math.round(messagesPerSecond * sizes.fanoutLatencySeconds));
  const workload = messagesPerSecond === null
    ? 'latency at 50 % of the lower saturation'
    : `${formatCount(Math.round(messagesPerSecond))} messages/s to ${formatCount(subscribers)} subscribers (50 % of the lower saturation), ${sizes.fanoutLatencySeconds} s`;
  const results: PeerMeasurement[] = [];
  for (const contender of pair) {
    throwIfAborted(context.signal);
    const metrics = [{ metric: `fanout.${subscribers}.p50`, unit: 'ms' }, { metric: `fanout.${subscribers}.p99`, unit: 'ms' }];
    const rig = rigs.get(contender.name);
    if (messagesPerSecond === null || !rig) {
      const reason = contender.server ? 'no common rate: a saturation run did not complete' : contender.reason;
      results.push(...metrics.map(({ metric, unit }) => missingFigure(metric, contender.name, unit, workload, reason)));
      continue;
    }
    context.progress(`ws fan-out ${subscribers}: latency of ${contender.name} at ${Math.round(messagesPerSecond)} messages/s`);
    results.push(...(await guarded(metrics, contender.name, workload, async () => {
      const figures = await rig.run({
        messages, window: 0, ratePerSecond: messagesPerSecond, recordLatency: true, bodyBytes: sizes.bodyBytes,
        timeoutMs: sizes.fanoutLatencySeconds * 1000 + 30_000,
      });
      const loss = fanoutLoss(figures, messages);
      if (loss || figures.latencyP50Ms === null || figures.latencyP99Ms === null) {
        return metrics.map(({ metric, unit }) => missingFigure(metric, contender.name, unit, workload, loss ?? 'no latency recorded'));
      }
      return [
        completedFigure(`fanout.${subscribers}.p50`, contender.name, figures.latencyP50Ms, 'ms', workload),
        completedFigure(`fanout.${subscribers}.p99`, contender.name, figures.latencyP99Ms, 'ms', workload),
      ];
    })));
  }
  return results;
}
