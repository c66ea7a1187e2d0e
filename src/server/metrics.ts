import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TRANSPORT_NAMES, type ByteSplit, type StatsSnapshot } from '../protocol/index.ts';

/**
 * `/metrics`: the numbers of `/api/stats` in Prometheus' text format, in our own
 * Registry (never the global one, so two servers in one process don't collide).
 * Every value is set from one snapshot taken per scrape.
 */
export class LabMetrics {
  readonly registry = new Registry();
  readonly #gauges: Array<(snapshot: StatsSnapshot) => void> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'transport_lab_' });
    const perTransport = (name: string, help: string, read: (t: StatsSnapshot['transports']['poll']) => number): void =>
      this.#gauge(name, help, ['transport'], (gauge, snapshot) => {
        for (const transport of TRANSPORT_NAMES) gauge.set({ transport }, read(snapshot.transports[transport]));
      });
    perTransport('lab_open_connections', 'Sockets open per transport', (t) => t.openConnections);
    perTransport('lab_held_requests', 'Long polls and event streams held open', (t) => t.heldRequests);
    perTransport('lab_requests_total', 'HTTP requests (ws: upgrade requests) served', (t) => t.requests);
    perTransport('lab_empty_responses_total', 'Receive requests answered with nothing', (t) => t.emptyResponses);
    perTransport('lab_deliveries_total', 'Messages written to clients, one per recipient', (t) => t.deliveries);
    perTransport('lab_publishes_total', 'Messages accepted through the transport', (t) => t.publishes);
    this.#gauge('lab_wire_bytes_total', 'Bytes on the wire by transport, direction and part', ['transport', 'direction', 'part'], (gauge, snapshot) => {
      for (const transport of TRANSPORT_NAMES) {
        const stats = snapshot.transports[transport];
        for (const [direction, split] of [['in', stats.bytesIn], ['out', stats.bytesOut]] as const) {
          for (const part of Object.keys(split) as (keyof ByteSplit)[]) {
            gauge.set({ transport, direction, part }, split[part]);
          }
        }
      }
    });
    this.#gauge('lab_other_requests_total', 'Requests that belong to no transport', [], (gauge, s) => gauge.set(s.other.requests));
    this.#gauge('lab_other_bytes_total', 'Bytes of requests that belong to no transport', ['direction'], (gauge, s) => {
      gauge.set({ direction: 'in' }, s.other.bytesIn);
      gauge.set({ direction: 'out' }, s.other.bytesOut);
    });
    this.#gauge('lab_sessions', 'Live sessions', [], (gauge, s) => gauge.set(s.sessions));
    this.#gauge('lab_bus_topics', 'Topics on the bus', [], (gauge, s) => gauge.set(s.bus.topics));
    this.#gauge('lab_bus_history_messages', 'Messages held in history', [], (gauge, s) => gauge.set(s.bus.historyMessages));
    this.#gauge('lab_bus_history_bytes', 'Bytes of history', [], (gauge, s) => gauge.set(s.bus.historyBytes));
    this.#gauge('lab_bus_subscriptions', 'Live subscriptions (topic × listener)', [], (gauge, s) => gauge.set(s.bus.subscriptions));
    this.#gauge('lab_bus_fanouts_total', 'Messages handed to live receivers', [], (gauge, s) => gauge.set(s.bus.fanouts));
    this.#gauge('lab_bus_fanout_micros_total', 'Summed time of those hand-outs, dispatch to the end of the turn\'s writes (µs)', [], (gauge, s) => gauge.set(s.bus.fanoutMicros));
    this.#gauge('lab_event_loop_delay_ms', 'Event-loop delay over the last window', ['stat'], (gauge, s) => {
      const delay = s.process.eventLoopDelayMs;
      gauge.set({ stat: 'mean' }, delay.mean);
      gauge.set({ stat: 'p99' }, delay.p99);
      gauge.set({ stat: 'max' }, delay.max);
    });
  }

  /** The text exposition for one snapshot. */
  async render(snapshot: StatsSnapshot): Promise<string> {
    for (const update of this.#gauges) update(snapshot);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #gauge<T extends string>(
    name: string,
    help: string,
    labelNames: T[],
    update: (gauge: Gauge<T>, snapshot: StatsSnapshot) => void,
  ): void {
    const gauge = new Gauge<T>({ name, help, labelNames, registers: [this.registry] });
    this.#gauges.push((snapshot) => {
      gauge.reset();
      update(gauge, snapshot);
    });
  }
}
