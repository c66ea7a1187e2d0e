/**
 * The `faults` scenario (issue 11 item 5): the chat workload — readers of
 * one room through the delay proxy, one writer straight to the server — while
 * the link stalls throughout and, one after another, every connection is cut
 * (a phone changing cell), every connection goes silent (a NAT forgetting
 * them: only heartbeats notice), and the server restarts (its in-memory
 * history gone). Per transport: how long the clients took to notice and to
 * reconnect, what recovery cost beyond the quiet baseline, and whether every
 * acknowledged message reached every reader exactly once (or, for history that
 * died with the server, was reported as a gap).
 *
 * The clients are the lab's own (src/client) with short heartbeats, so that a
 * quick run finishes: the settings printed with the figures say which.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClient } from '../../src/client/index.ts';
import type { Client, ClientOptions, ClientState } from '../../src/client/index.ts';
import { BENCH_LIMITS } from '../../src/config.ts';
import { describeConditions } from '../../src/net/conditions.ts';
import { startDelayProxy } from '../../src/net/delay-proxy.ts';
import type { DelayProxy } from '../../src/net/delay-proxy.ts';
import type { TransportName } from '../../src/protocol/index.ts';
import { startLabServer } from '../../src/server/create.ts';
import type { LabServer } from '../../src/server/create.ts';
import { beyondBaseline, spread, tallyDelivery } from './accounting.ts';
import type { ReaderLog, SentMessage } from './accounting.ts';
import { FAULT_KINDS } from '../../src/results/faults.ts';
import type { FaultFigures, FaultKind, FaultsResult, FaultsSettings, FaultsTransportResult } from '../../src/results/faults.ts';

export const FAULTS_DESCRIPTION =
  'The chat workload while the link stalls, every connection is cut, every connection goes silent (no FIN, no RST: ' +
  'only heartbeats notice) and the server restarts: time to notice and to reconnect, what recovery costs, ' +
  'and nothing lost or delivered twice.';

export const DEFAULT_FAULTS_SETTINGS: Readonly<FaultsSettings> = Object.freeze({
  readers: 10,
  publishRatePerSecond: 10,
  phaseSeconds: 2,
  recoverySeconds: 20,
  oneWayDelayMs: 15,
  stallsPerMinute: 6,
  seed: 1,
  heartbeats: Object.freeze({
    requestTimeoutMs: 2000,
    longPollWaitSeconds: 5,
    longPollSlackMs: 1000,
    sseKeepAliveMs: 1000,
    sseIdleTimeoutMs: 2500,
    wsPingIntervalMs: 1000,
    wsPongTimeoutMs: 1000,
    sessionIdleMs: 10_000,
  }),
});

const SETTLE_MS = 500;
const POLL_INTERVAL_MS = 1000;

interface Reader {
  client: Client;
  log: ReaderLog;
  states: { at: number; state: ClientState }[];
  /** performance.now() of the newest delivery. */
  lastDeliveryAt: number;
  /** The client's error events, for the diagnosis of a reader that did not recover. */
  errors: string[];
}

/** Counts what crosses the proxy: bytes both ways, and requests (a request head starts a chunk going up). */
class WireCount {
  bytes = 0;
  requests = 0;
  onChunk = (_conn: number, direction: 'up' | 'down', chunk: Buffer): void => {
    this.bytes += chunk.length;
    if (direction === 'up' && (startsWith(chunk, 'GET /') || startsWith(chunk, 'POST /'))) this.requests += 1;
  };
}

function startsWith(chunk: Buffer, text: string): boolean {
  return chunk.length >= text.length && chunk.toString('latin1', 0, text.length) === text;
}

export async function runFaults(
  transports: readonly TransportName[],
  settings: FaultsSettings = DEFAULT_FAULTS_SETTINGS,
  signal?: AbortSignal,
): Promise<FaultsResult> {
  const conditions = { stallsPerMinute: settings.stallsPerMinute, seed: settings.seed };
  const result: FaultsResult = {
    description: FAULTS_DESCRIPTION,
    settings,
    network: `${settings.oneWayDelayMs * 2} ms round trip, ${describeConditions(conditions)}; then a cut, a silent drop and a server restart`,
    transports: [],
  };
  for (const transport of transports) {
    if (signal?.aborted) break;
    result.transports.push(await runOne(transport, settings, signal));
  }
  return result;
}

async function runOne(transport: TransportName, settings: FaultsSettings, signal: AbortSignal | undefined): Promise<FaultsTransportResult> {
  const h = settings.heartbeats;
  const serverOptions = {
    ...BENCH_LIMITS, host: '127.0.0.1', serveWeb: false, log: false,
    sseKeepAliveMs: h.sseKeepAliveMs, longPollWaitDefaultSeconds: h.longPollWaitSeconds, sessionIdleMs: h.sessionIdleMs,
  };
  let server: LabServer = await startLabServer({ ...serverOptions, port: 0 });
  const port = server.port;
  const wire = new WireCount();
  const proxy: DelayProxy = await startDelayProxy({
    targetHost: '127.0.0.1', targetPort: port, oneWayDelayMs: settings.oneWayDelayMs,
    stallsPerMinute: settings.stallsPerMinute, seed: settings.seed, onChunk: wire.onChunk,
  });
  const clientOptions: Partial<ClientOptions> = {
    pollIntervalMs: POLL_INTERVAL_MS,
    longPollWaitSeconds: h.longPollWaitSeconds,
    backoff: { minMs: 100, maxMs: 2000 },
    requestTimeoutMs: h.requestTimeoutMs,
    longPollSlackMs: h.longPollSlackMs,
    sseIdleTimeoutMs: h.sseIdleTimeoutMs,
    wsPingIntervalMs: h.wsPingIntervalMs,
    wsPongTimeoutMs: h.wsPongTimeoutMs,
  };
  const tag = randomBytes(3).toString('hex');
  const topic = `room:faults-${tag}`;
  const readers: Reader[] = [];
  const errors: string[] = [];
  const sent: SentMessage[] = [];
  /** Server incarnation: 0, then 1 after the restart. */
  let epoch = 0;
  let publishFailures = 0;
  let publishing = true;
  const writer = createClient('poll', { baseUrl: server.url, name: `writer-${tag}`, ...clientOptions });
  const faults: FaultFigures[] = [];
  try {
    for (let i = 0; i < settings.readers; i += 1) {
      const client = await joinThroughStalls(() => createClient(transport, { baseUrl: proxy.url, name: `reader-${tag}-${i}-${randomBytes(2).toString('hex')}`, ...clientOptions }), topic);
      const reader: Reader = { client, log: { delivered: [], epochsGapped: new Set() }, states: [], lastDeliveryAt: 0, errors: [] };
      client.on('error', (error) => reader.errors.push(`${error.code}: ${error.message}`));
      client.on('message', (message) => {
        reader.log.delivered.push(message.id);
        reader.lastDeliveryAt = performance.now();
      });
      // Only a restart's gap stands for history truly gone: it covers the incarnation before this one.
      client.on('gap', (gap) => {
        if (gap.reason === 'restarted' && epoch > 0) reader.log.epochsGapped.add(epoch - 1);
      });
      client.on('state', (state) => reader.states.push({ at: performance.now(), state }));
      readers.push(reader);
    }
    let counter = 0;
    const publisher = (async () => {
      while (publishing && !signal?.aborted) {
        const id = `faults-${tag}-${++counter}`;
        try {
          await writer.publish(topic, `chat line ${counter}`, id);
          // The incarnation that acknowledged it (a retry may land on the restarted server).
          sent.push({ id, epoch });
        } catch {
          publishFailures += 1;
        }
        await delay(1000 / settings.publishRatePerSecond);
      }
    })();

    // The quiet baseline: what the chat costs per ms when nothing fails.
    await delay(settings.phaseSeconds * 1000);
    const before = { at: performance.now(), bytes: wire.bytes, requests: wire.requests };
    await delay(settings.phaseSeconds * 1000);
    const elapsed = performance.now() - before.at;
    const baseline = { bytesPerMs: (wire.bytes - before.bytes) / elapsed, requestsPerMs: (wire.requests - before.requests) / elapsed };

    const inject: Record<FaultKind, () => Promise<void>> = {
      cut: async () => proxy.dropAll(),
      'silent-drop': async () => proxy.silenceAll(),
      restart: async () => {
        await server.close();
        epoch += 1;
        server = await startLabServer({ ...serverOptions, port });
      },
    };
    for (const fault of FAULT_KINDS) {
      if (signal?.aborted) break;
      const start = { at: performance.now(), bytes: wire.bytes, requests: wire.requests };
      await inject[fault]();
      const recovered = await waitForRecovery(readers, start.at, settings.recoverySeconds * 1000, signal);
      for (const [i, reader] of readers.entries()) {
        if (reader.lastDeliveryAt > start.at && reader.client.state === 'connected') continue;
        const states = reader.states.filter((entry) => entry.at >= start.at).map((entry) => `${round(entry.at - start.at)} ms ${entry.state}`);
        errors.push(`${transport} reader ${i} not recovered from the ${fault} after ${settings.recoverySeconds} s: state ${reader.client.state}; ` +
          `since the fault: ${states.join(', ') || 'no state change'}; last errors: ${reader.errors.slice(-3).join('; ') || 'none'}`);
      }
      await delay(SETTLE_MS);
      const windowMs = performance.now() - start.at;
      const noticeMs: number[] = [];
      const reconnectMs: number[] = [];
      for (const reader of readers) {
        const after = reader.states.filter((entry) => entry.at >= start.at);
        const noticed = after.find((entry) => entry.state === 'reconnecting');
        if (!noticed) continue;
        noticeMs.push(noticed.at - start.at);
        const back = after.find((entry) => entry.at >= noticed.at && entry.state === 'connected');
        if (back) reconnectMs.push(back.at - start.at);
      }
      faults.push({
        fault,
        noticed: noticeMs.length,
        noticeMs: spread(noticeMs.map(round)),
        reconnectMs: spread(reconnectMs.map(round)),
        unrecovered: readers.length - recovered,
        extraRequests: beyondBaseline(wire.requests - start.requests, baseline.requestsPerMs, windowMs),
        extraBytes: beyondBaseline(wire.bytes - start.bytes, baseline.bytesPerMs, windowMs),
        windowMs: round(windowMs),
      });
      await delay(settings.phaseSeconds * 1000);
    }
    publishing = false;
    await publisher;
    // Drain: every reader has what was sent, or the wait ends and the tally says what is missing.
    const ids = sent.filter((message) => message.epoch === epoch).map((message) => message.id);
    const last = ids.at(-1);
    const drainUntil = performance.now() + settings.recoverySeconds * 1000;
    while (last && performance.now() < drainUntil && !readers.every((r) => r.log.delivered.includes(last))) await delay(50);
    await delay(SETTLE_MS);
  } catch (error) {
    errors.push(`${transport}: ${(error as Error).message}`);
  } finally {
    publishing = false;
    await Promise.all([writer, ...readers.map((reader) => reader.client)].map((client) => client.close().catch(() => undefined)));
    await proxy.close();
    await server.close();
  }
  return {
    transport,
    faults,
    delivery: tallyDelivery(sent, readers.map((reader) => reader.log), publishFailures),
    stalls: proxy.stats().stalls,
    errors,
  };
}

/**
 * A connected, subscribed client, though the link stalls while it joins: a
 * stall past the request timeout fails the join (and may leave a session
 * holding the name), so a few tries, each with a fresh client and name.
 */
async function joinThroughStalls(make: () => Client, topic: string): Promise<Client> {
  for (let attempt = 1; ; attempt += 1) {
    const client = make();
    try {
      await client.connect();
      await client.subscribe([topic]);
      return client;
    } catch (error) {
      await client.close();
      if (attempt >= 5) throw error;
    }
  }
}

/**
 * Waits until every reader has had a delivery after the fault and is
 * connected (live delivery restored). Returns how many made it in time.
 */
async function waitForRecovery(readers: Reader[], since: number, limitMs: number, signal: AbortSignal | undefined): Promise<number> {
  const ok = (reader: Reader): boolean => reader.lastDeliveryAt > since && reader.client.state === 'connected';
  const until = performance.now() + limitMs;
  while (performance.now() < until && !signal?.aborted && !readers.every(ok)) await delay(20);
  return readers.filter(ok).length;
}

function round(ms: number): number {
  return Math.round(ms);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
