/**
 * `measureStickiness()`: the peer that needs sticky sessions, next to ours, on
 * two nodes on Redis behind the nginx the project ships (issue 10).
 *
 * Three runs, the same driver and workload each: `clients` lean long-polling
 * subscribers (polling-client.ts), each from its own loopback address, and
 * one paced HTTP publisher, all through nginx —
 * 1. socket.io polling (engine.io) on @socket.io/redis-streams-adapter, nginx round-robin;
 * 2. the same with the template's sticky variant (`hash $remote_addr consistent`);
 * 3. our long poll, nginx round-robin.
 * It counts what each client got (distinct messages, duplicates), what the
 * subscribers' requests were answered (400 "Session ID unknown" on its own) and
 * how often a client started over.
 */
import { STICKY_BALANCE } from '../../../src/cluster/nginx-config.ts';
import type { Balancing, StickinessConfig, StickinessResult, StickinessRun } from '../../../src/results/sticky.ts';
import http from 'node:http';
import { HTTP_DIALECTS, type HttpDialectName, type PollDialect } from '../load/http-dialects.ts';
import { nowMicros, stampedBody } from '../load/dialects.ts';
import { packageVersion } from '../versions.ts';
import { startOurCluster, startSocketIoCluster, type RunningPeerCluster } from './clusters.ts';
import { requestJson, sessionToken, type Target } from './http-from.ts';
import { clientAddress, PollingClient, StickyTally } from './polling-client.ts';

export type { StickinessResult, StickinessRun } from '../../../src/results/sticky.ts';

export interface StickinessOptions {
  quick?: boolean;
  /** Overrides of the workload (tests run a small one). */
  config?: Partial<Omit<StickinessConfig, 'stickyDirective'>>;
  /** The Redis to use when one answers there (default the machine's); else one is started. */
  redisUrl?: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** socket.io-client's defaults: `reconnectionDelay` 1 s, doubling up to `reconnectionDelayMax` 5 s. */
export const STICKINESS_CONFIG: Readonly<Omit<StickinessConfig, 'stickyDirective'>> = Object.freeze({
  nodes: 2,
  clients: 50,
  ratePerSecond: 20,
  publishSeconds: 6,
  bodyBytes: 100,
  reconnectDelayMs: 1_000,
  reconnectDelayMaxMs: 5_000,
});

export const QUICK_STICKINESS_CONFIG: Readonly<Partial<StickinessConfig>> = Object.freeze({ clients: 20, publishSeconds: 3 });

const TOPIC = 'room:sticky';
/** How long the subscribers get to join before the publisher starts (socket.io round-robin never gets them all). */
const SUBSCRIBE_WAIT_MS = 3_000;
/** After the last publish: time for the last deliveries to arrive. */
const DRAIN_MS = 2_000;

interface RunSpec {
  contender: 'socket.io-polling' | 'ours';
  balancing: Balancing;
  dialect: HttpDialectName;
  start(config: StickinessConfig, redisUrl: string | undefined): Promise<RunningPeerCluster>;
}

/** The three runs, as data (STYLE habit 6). */
export const STICKINESS_RUNS: readonly RunSpec[] = [
  { contender: 'socket.io-polling', balancing: 'round-robin', dialect: 'engine.io', start: (c, redisUrl) => startSocketIoCluster({ nodes: c.nodes, redisUrl, sticky: false }) },
  { contender: 'socket.io-polling', balancing: 'sticky', dialect: 'engine.io', start: (c, redisUrl) => startSocketIoCluster({ nodes: c.nodes, redisUrl, sticky: true }) },
  { contender: 'ours', balancing: 'round-robin', dialect: 'lab-longpoll', start: (c, redisUrl) => startOurCluster({ nodes: c.nodes, redisUrl }) },
];

/** Resolves when `done()` holds or `ms` have passed (a bench's patience, not a test's synchronisation). */
async function waitUntil(done: () => boolean, ms: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline && !signal?.aborted) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** Paced publishes through nginx on one keep-alive connection; returns how many were acknowledged. */
async function publishPaced(target: Target, token: string, config: StickinessConfig, signal?: AbortSignal): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const count = Math.round(config.ratePerSecond * config.publishSeconds);
  const interval = 1_000 / config.ratePerSecond;
  const started = Date.now();
  let acknowledged = 0;
  try {
    for (let index = 0; index < count && !signal?.aborted; index += 1) {
      const wait = started + index * interval - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const body = { topic: TOPIC, body: stampedBody(nowMicros(), config.bodyBytes, index), id: `sticky-${index}` };
      const answer = await requestJson(target, 'POST', '/api/messages', { body, token, agent });
      if (answer.status === 201) acknowledged += 1;
    }
  } finally {
    agent.destroy();
  }
  return acknowledged;
}

async function runOne(spec: RunSpec, config: StickinessConfig, options: StickinessOptions): Promise<StickinessRun> {
  const startedAt = Date.now();
  const tally = new StickyTally();
  const clients: PollingClient[] = [];
  const cluster = await spec.start(config, options.redisUrl);
  const target: Target = { host: cluster.host, port: cluster.port };
  let published = 0;
  try {
    const dialect = HTTP_DIALECTS[spec.dialect] as PollDialect;
    const tokens = await Promise.all(Array.from({ length: config.clients }, (_, i) => sessionToken(target, `sticky${i}`, clientAddress(i))));
    for (const [i, token] of tokens.entries()) {
      const client = new PollingClient({
        ctx: { host: target.host, port: target.port, token, topic: TOPIC, waitSeconds: 25, sid: `s${i}` },
        localAddress: clientAddress(i),
        dialect,
        tally,
        reconnectDelayMs: config.reconnectDelayMs,
        reconnectDelayMaxMs: config.reconnectDelayMaxMs,
      });
      clients.push(client);
      client.start();
    }
    await waitUntil(() => clients.every((client) => client.subscribed), SUBSCRIBE_WAIT_MS, options.signal);
    published = await publishPaced(target, await sessionToken(target, 'sticky-publisher'), config, options.signal);
    await waitUntil(() => clients.every((client) => client.received.size >= published), DRAIN_MS, options.signal);
  } finally {
    for (const client of clients) client.close();
    await cluster.close();
  }
  const delivered = clients.reduce((sum, client) => sum + client.received.size, 0);
  return {
    contender: spec.contender,
    balancing: spec.balancing,
    clients: config.clients,
    clientsSubscribed: clients.filter((client) => client.subscribed).length,
    clientsWithMessage: clients.filter((client) => client.received.size > 0).length,
    published,
    expectedDeliveries: config.clients * published,
    delivered,
    lost: config.clients * published - delivered,
    duplicates: clients.reduce((sum, client) => sum + client.duplicates, 0),
    requests: tally.requests,
    failedRequests: tally.failedRequests,
    sessionIdUnknown: tally.sessionIdUnknown,
    reconnects: tally.reconnects,
    failureReasons: tally.failureReasons,
    nodesAnswering: tally.upstreams.size,
    durationSeconds: (Date.now() - startedAt) / 1000,
  };
}

function failedRun(spec: RunSpec, config: StickinessConfig, error: string): StickinessRun {
  return {
    contender: spec.contender, balancing: spec.balancing, clients: config.clients, clientsSubscribed: 0, clientsWithMessage: 0,
    published: 0, expectedDeliveries: 0, delivered: 0, lost: 0, duplicates: 0, requests: 0, failedRequests: 0,
    sessionIdUnknown: 0, reconnects: 0, failureReasons: {}, nodesAnswering: 0, durationSeconds: 0, error,
  };
}

export async function measureStickiness(options: StickinessOptions = {}): Promise<StickinessResult> {
  const config: StickinessConfig = {
    ...STICKINESS_CONFIG,
    ...(options.quick ? QUICK_STICKINESS_CONFIG : {}),
    ...options.config,
    stickyDirective: STICKY_BALANCE,
  };
  const progress = options.onProgress ?? (() => undefined);
  const result: StickinessResult = {
    config,
    runs: [],
    versions: { 'socket.io': packageVersion('socket.io'), adapter: packageVersion('@socket.io/redis-streams-adapter') },
    errors: [],
  };
  for (const spec of STICKINESS_RUNS) {
    if (options.signal?.aborted) break;
    progress(`${spec.contender}, nginx ${spec.balancing}: ${config.clients} clients, ${config.ratePerSecond} publishes/s for ${config.publishSeconds} s`);
    try {
      result.runs.push(await runOne(spec, config, options));
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] ?? 'failed';
      result.errors.push({ source: `sticky:${spec.contender}:${spec.balancing}`, message });
      result.runs.push(failedRun(spec, config, message));
    }
  }
  return result;
}
