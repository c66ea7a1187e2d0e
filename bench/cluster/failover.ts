/**
 * The cluster scenario's failover run: readers of every transport on one room
 * through nginx to two nodes, one writer publishing through nginx, and one
 * node killed with SIGKILL mid-run (a crash: no drain, no close frames). Per
 * transport: how many readers noticed (the held transports' readers on the
 * killed node), how long they took to be connected again, and whether every
 * acknowledged message reached every reader exactly once — a node's death is
 * no gap, because the history lives in Redis.
 *
 * Each node holds at least one sse and one ws reader when the kill comes
 * (readers are added until it does). The clients are the lab's own (src/client): they reconnect and resume from
 * their cursors as a browser would.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient, type Client, type ClientState } from '../../src/client/index.ts';
import type { TransportName } from '../../src/protocol/index.ts';
import type { ClusterFailover } from '../../src/results/cluster.ts';
import { spread, tallyDelivery, type ReaderLog } from '../faults/accounting.ts';
import { fetchStats } from '../run/stats-sampler.ts';

export interface FailoverSettings {
  readersPerTransport: number;
  publishRatePerSecond: number;
  /** Publishing before the kill, and again once every reader is back. */
  phaseSeconds: number;
  /** The longest wait for the readers to be back, and for the last message. */
  recoverySeconds: number;
}

export const DEFAULT_FAILOVER: Readonly<FailoverSettings> = Object.freeze({
  readersPerTransport: 6,
  publishRatePerSecond: 10,
  phaseSeconds: 2,
  recoverySeconds: 20,
});

interface Reader {
  transport: TransportName;
  client: Client;
  log: ReaderLog;
  states: { at: number; state: ClientState }[];
  /** performance.now() of the newest delivery. */
  lastDeliveryAt: number;
  gaps: number;
}

/** The transports whose connection stays on one node: a node's death is what their readers notice. */
const HELD: readonly TransportName[] = ['sse', 'ws'];
/** Extra readers at most, to put a held connection of each transport on every node. */
const MAX_EXTRA_READERS = 12;

/**
 * `url`: nginx; `nodeUrls`: each node itself (to see where the held connections
 * went); `kill` SIGKILLs one node and resolves once it is gone.
 */
export async function runFailover(
  url: string, nodeUrls: readonly string[], transports: readonly TransportName[], kill: () => Promise<void>, settings: FailoverSettings, signal?: AbortSignal,
): Promise<{ rows: ClusterFailover[]; errors: string[] }> {
  const tag = randomBytes(3).toString('hex');
  const topic = `room:failover-${tag}`;
  const backoff = { minMs: 100, maxMs: 2000 };
  const readers: Reader[] = [];
  const errors: string[] = [];
  const sent: { id: string; epoch: number }[] = [];
  const writer = createClient('poll', { baseUrl: url, name: `fo-writer-${tag}`, backoff });
  let publishing = true;
  let publishFailures = 0;
  let killedAt = Number.POSITIVE_INFINITY;
  try {
    await writer.connect();
    const join = async (transport: TransportName): Promise<void> => {
      const client = createClient(transport, { baseUrl: url, name: `fo-${transport}-${readers.length}-${tag}`, backoff, longPollWaitSeconds: 5 });
      const reader: Reader = { transport, client, log: { delivered: [], epochsGapped: new Set() }, states: [], lastDeliveryAt: 0, gaps: 0 };
      client.on('message', (message) => {
        reader.log.delivered.push(message.id);
        reader.lastDeliveryAt = performance.now();
      });
      client.on('gap', () => (reader.gaps += 1));
      client.on('state', (state) => reader.states.push({ at: performance.now(), state }));
      readers.push(reader);
      await client.connect();
      await client.subscribe([topic]);
    };
    // Interleaved, so that round-robin spreads each transport's held connections over the nodes.
    for (let i = 0; i < settings.readersPerTransport; i += 1) {
      for (const transport of transports) await join(transport);
    }
    // Round-robin counts every request, not only the held ones: a node may still hold none of a
    // transport, and then the kill would test nothing for it. More readers until each node holds one.
    for (let extra = 0; extra < MAX_EXTRA_READERS; extra += 1) {
      const stats = await Promise.all(nodeUrls.map((node) => fetchStats(node)));
      const missing = HELD.find((t) => transports.includes(t) && stats.some((s) => s.transports[t].openConnections === 0));
      if (!missing) break;
      await join(missing);
    }
    let counter = 0;
    const publisher = (async () => {
      while (publishing && !signal?.aborted) {
        const id = `fo-${tag}-${++counter}`;
        // The same id until acknowledged: a retry through nginx after the kill is de-duplicated by the bus.
        const deadline = performance.now() + settings.recoverySeconds * 1000;
        for (;;) {
          try {
            await writer.publish(topic, `line ${counter}`, id);
            sent.push({ id, epoch: 0 });
            break;
          } catch {
            if (performance.now() > deadline || signal?.aborted) {
              publishFailures += 1;
              break;
            }
            await delay(50);
          }
        }
        await delay(1000 / settings.publishRatePerSecond);
      }
    })();

    await delay(settings.phaseSeconds * 1000);
    killedAt = performance.now();
    await kill();
    const back = (reader: Reader): boolean => reader.lastDeliveryAt > killedAt && reader.client.state === 'connected';
    const until = performance.now() + settings.recoverySeconds * 1000;
    while (performance.now() < until && !signal?.aborted && !readers.every(back)) await delay(20);
    await delay(settings.phaseSeconds * 1000);
    publishing = false;
    await publisher;
    const last = sent.at(-1)?.id;
    const drainUntil = performance.now() + settings.recoverySeconds * 1000;
    while (last && performance.now() < drainUntil && !signal?.aborted && !readers.every((r) => r.log.delivered.includes(last))) await delay(50);
    // One more moment, so that a late duplicate would have arrived.
    await delay(300);
  } catch (error) {
    errors.push(`failover: ${(error as Error).message}`);
  } finally {
    publishing = false;
    await Promise.all([writer, ...readers.map((reader) => reader.client)].map((client) => client.close().catch(() => undefined)));
  }
  if (publishFailures > 0) errors.push(`failover: ${publishFailures} publishes not acknowledged within ${settings.recoverySeconds} s`);
  const rows = transports.map((transport) => failoverRow(transport, readers.filter((r) => r.transport === transport), sent, killedAt));
  return { rows, errors };
}

function failoverRow(transport: TransportName, readers: Reader[], sent: { id: string; epoch: number }[], killedAt: number): ClusterFailover {
  const reconnectMs: number[] = [];
  let unrecovered = 0;
  for (const reader of readers) {
    const after = reader.states.filter((entry) => entry.at >= killedAt);
    const noticed = after.find((entry) => entry.state === 'reconnecting');
    const back = noticed && after.find((entry) => entry.at >= noticed.at && entry.state === 'connected');
    if (noticed && back) reconnectMs.push(Math.round(back.at - killedAt));
    if ((noticed && !back) || reader.lastDeliveryAt <= killedAt) unrecovered += 1;
  }
  const noticed = readers.filter((reader) => reader.states.some((entry) => entry.at >= killedAt && entry.state === 'reconnecting')).length;
  const delivery = tallyDelivery(sent, readers.map((reader) => reader.log), 0);
  return {
    transport,
    readers: readers.length,
    noticed,
    reconnectMs: spread(reconnectMs),
    unrecovered,
    sent: delivery.sent,
    expected: delivery.expected,
    delivered: delivery.delivered,
    lost: delivery.lost,
    duplicated: delivery.duplicated,
    gaps: readers.reduce((sum, reader) => sum + reader.gaps, 0),
  };
}
