/** The workload scenarios of issue 3, as data. */
import type { ClientSpec, WorkloadPlan, WorkloadScenario, WorkloadSettings } from './types.ts';

function periodMs(settings: WorkloadSettings): number {
  return 1000 / settings.publishRatePerSecond;
}

/** Publisher i of n starts i/n of a period in, so n publishers spread evenly rather than fire together. */
function spread(i: number, n: number, settings: WorkloadSettings): number {
  return (periodMs(settings) * i) / Math.max(1, n);
}

function subscribers(count: number, prefix: string, topic: string): ClientSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}s${i}`, subscribe: [topic] }));
}

function onePublisherPlan(settings: WorkloadSettings, prefix: string, room: string, burstSize: number): WorkloadPlan {
  const topic = `room:${prefix}${room}`;
  const publisher: ClientSpec = {
    name: `${prefix}pub`,
    subscribe: [],
    publish: { topics: [topic], periodMs: periodMs(settings), offsetMs: 0, burstSize },
  };
  return { clients: [publisher, ...subscribers(settings.clients, prefix, topic)], publishers: 1 };
}

export const chat: WorkloadScenario = {
  kind: 'workload',
  name: 'chat',
  description: 'N clients in one room, each publishing at a steady rate; everyone receives every message.',
  defaults: {},
  plan(settings, prefix) {
    const topic = `room:${prefix}chat`;
    const n = settings.clients;
    const clients: ClientSpec[] = Array.from({ length: n }, (_, i) => ({
      name: `${prefix}c${i}`,
      subscribe: [topic],
      publish: { topics: [topic], periodMs: periodMs(settings), offsetMs: spread(i, n, settings), burstSize: 1 },
    }));
    return { clients, publishers: n };
  },
};

export const fanout: WorkloadScenario = {
  kind: 'workload',
  name: 'fanout',
  description: 'One publisher (a ticker, a live score), N subscribers: the cost of pushing one message to many.',
  defaults: { publishRatePerSecond: 10 },
  plan: (settings, prefix) => onePublisherPlan(settings, prefix, 'ticker', 1),
};

export const direct: WorkloadScenario = {
  kind: 'workload',
  name: 'direct',
  description: 'N/2 pairs exchanging direct messages: every message has exactly one recipient.',
  defaults: {},
  plan(settings, prefix) {
    const pairs = Math.max(1, Math.floor(settings.clients / 2));
    const name = (i: number): string => `${prefix}d${i}`;
    const clients: ClientSpec[] = [];
    for (let i = 0; i < pairs * 2; i += 1) {
      const peer = i % 2 === 0 ? i + 1 : i - 1;
      clients.push({
        name: name(i),
        subscribe: [`user:${name(i)}`],
        publish: { topics: [`user:${name(peer)}`], periodMs: periodMs(settings), offsetMs: spread(i, pairs * 2, settings), burstSize: 1 },
      });
    }
    return { clients, publishers: clients.length };
  },
};

export const idle: WorkloadScenario = {
  kind: 'workload',
  name: 'idle',
  description: 'N clients subscribed and nothing published: what waiting costs (polls keep asking, pushes stay quiet).',
  // A long-poll wait shorter than the run, so that the cost of re-asking shows.
  defaults: { longPollWaitSeconds: 3 },
  plan: (settings, prefix) => ({ clients: subscribers(settings.clients, prefix, `room:${prefix}idle`), publishers: 0 }),
};

export const burst: WorkloadScenario = {
  kind: 'workload',
  name: 'burst',
  description:
    'One publisher sends bursts of k messages at once to N subscribers: long polling answers the first at once and ' +
    'each later one a round trip later, on the re-issued request (RFC 6202 § 2.2).',
  defaults: { publishRatePerSecond: 1, burstSize: 10 },
  plan: (settings, prefix) => onePublisherPlan(settings, prefix, 'burst', settings.burstSize),
};

export const WORKLOADS: readonly WorkloadScenario[] = [chat, fanout, direct, idle, burst];

/**
 * The publishers the first subscriber of a plan hears from, as the theory
 * needs them (bench/aggregate/theory.ts): their schedule decides how close
 * together messages reach the server, and so long polling's queueing.
 */
export function heardBy(plan: WorkloadPlan): { periodMs: number; offsetMs: number; burstSize: number }[] {
  const subscriber = plan.clients.find((spec) => spec.subscribe.length > 0);
  if (!subscriber) return [];
  const topics = new Set(subscriber.subscribe);
  return plan.clients.flatMap((spec) =>
    spec.publish && spec.publish.topics.some((topic) => topics.has(topic))
      ? [{ periodMs: spec.publish.periodMs, offsetMs: spec.publish.offsetMs, burstSize: spec.publish.burstSize }]
      : [],
  );
}
