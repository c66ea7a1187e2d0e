/**
 * FIXTURE ONLY: builds a results file from realistic but made-up figures, so
 * that the report and the dashboard can be tested before (and without) a real
 * bench run. Nothing here was measured. Run it to refresh
 * test/fixtures/results-small.json:
 *   npx tsx test/bench-core/fixture.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCHEMA_VERSION } from '../../src/results/schema.ts';
import type { BenchResults, ByteSplit, ScenarioResult, SeriesPoint, TransportName, TransportResult } from '../../src/results/schema.ts';
import {
  bytesPerClientPerSecond, perClientPerSecond, perDelivery, projectBandwidth, splitTotal, summarize, theoryLatency, wireDirection,
} from '../../bench/aggregate/index.ts';

/** Deterministic pseudo-random numbers (mulberry32), so the fixture is the same every time. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Shape {
  transport: TransportName;
  /** Latency = base + spread × u, u uniform in 0..1 (poll: the wait for the next poll). */
  baseMs: number;
  spreadMs: number;
  requests: number;
  empty: number;
  up: ByteSplit;
  down: ByteSplit;
  connectionsPeak: number;
  cpuSeconds: number;
  rssMiB: number;
}

const DURATION = 10;
const ONE_WAY = 15;
const POLL_MS = 1000;

function transportResult(shape: Shape, clients: number, delivered: number, seed: number): TransportResult {
  const next = random(seed);
  const samples = Array.from({ length: Math.max(delivered, 1) }, () => shape.baseMs + shape.spreadMs * next() ** 1.5);
  const latency = delivered > 0 ? summarize(samples) : summarize([]);
  const server = (split: ByteSplit): ByteSplit => ({ ...split, headers: split.headers - (shape.transport === 'poll' ? 12 : 0) });
  const series: SeriesPoint[] = Array.from({ length: DURATION }, (_, t) => ({
    t: t + 1,
    deliveries: Math.round((delivered / DURATION) * (0.9 + 0.2 * next())),
    requests: Math.round(shape.requests / DURATION),
    bytesUp: Math.round(splitTotal(shape.up) / DURATION),
    bytesDown: Math.round((splitTotal(shape.down) / DURATION) * (0.9 + 0.2 * next())),
    headerBytes: Math.round((shape.up.headers + shape.down.headers) / DURATION),
    connections: shape.connectionsPeak,
    serverCpuPercent: (shape.cpuSeconds / DURATION) * 100 * (0.8 + 0.4 * next()),
    serverRssBytes: shape.rssMiB * 1024 * 1024,
    latencyP50Ms: delivered > 0 ? latency.p50 : null,
    latencyP99Ms: delivered > 0 ? latency.p99 : null,
  }));
  const totalBytes = splitTotal(shape.up) + splitTotal(shape.down);
  return {
    transport: shape.transport,
    incomplete: false,
    errors: [],
    durationSeconds: DURATION,
    clients,
    latency,
    deliveries: { expected: delivered, received: delivered, lost: 0, duplicated: 0, outOfOrder: 0, gaps: 0, unexpected: 0 },
    requests: { total: shape.requests, empty: shape.empty },
    wire: { up: wireDirection(shape.up, server(shape.up)), down: wireDirection(shape.down, shape.down) },
    perDelivery: perDelivery(shape.requests, shape.up, shape.down, delivered),
    perClientPerSecond: perClientPerSecond(shape.requests, shape.up, shape.down, clients, DURATION),
    server: {
      connectionsPeak: shape.connectionsPeak,
      connectionsMean: shape.connectionsPeak * 0.96,
      cpuSeconds: shape.cpuSeconds,
      peakRssBytes: shape.rssMiB * 1024 * 1024,
      eventLoopDelayMs: { mean: 10.2, p99: 11.5, max: 14.1 },
    },
    harness: { processes: 2, cpuSeconds: shape.cpuSeconds * 1.4, cpuMicrosPerDelivery: delivered > 0 ? (shape.cpuSeconds * 1.4e6) / delivered : 0 },
    series,
    projection: projectBandwidth(bytesPerClientPerSecond(totalBytes, clients, DURATION)),
    theory: theoryLatency(shape.transport, ONE_WAY, POLL_MS),
  };
}

function scenario(name: string, description: string, clients: number, delivered: number, shapes: Shape[]): ScenarioResult {
  return {
    name,
    description,
    params: {
      clients, publishers: delivered > 0 ? clients : 0, publishRatePerSecond: delivered > 0 ? 0.5 : 0, durationSeconds: DURATION,
      bodyBytes: 64, pollIntervalMs: POLL_MS, longPollWaitSeconds: 25,
      network: { name: 'broadband', rttMs: 2 * ONE_WAY }, headers: 'browser',
    },
    incomplete: false,
    errors: [],
    transports: shapes.map((shape, i) => transportResult(shape, clients, delivered, 1000 + i)),
  };
}

const split = (headers: number, framing: number, bodies: number): ByteSplit => ({ headers, framing, bodies });

export function makeResultsFixture(): BenchResults {
  const chatDelivered = 20 * 0.5 * DURATION * 20;
  const chat = scenario('chat', 'FIXTURE: 20 clients in one room, each publishing every 2 s; everyone receives.', 20, chatDelivered, [
    { transport: 'poll', baseMs: 30, spreadMs: 1000, requests: 300, empty: 12, up: split(300 * 590, 0, 100 * 120), down: split(300 * 230, 0, chatDelivered * 150), connectionsPeak: 40, cpuSeconds: 0.41, rssMiB: 71 },
    { transport: 'longpoll', baseMs: 16, spreadMs: 40, requests: 1100, empty: 0, up: split(1100 * 600, 0, 100 * 120), down: split(1100 * 230, 0, chatDelivered * 150), connectionsPeak: 40, cpuSeconds: 0.62, rssMiB: 73 },
    { transport: 'sse', baseMs: 15.4, spreadMs: 6, requests: 120, empty: 0, up: split(120 * 600, 0, 100 * 120), down: split(120 * 190, chatDelivered * 30, chatDelivered * 150), connectionsPeak: 40, cpuSeconds: 0.22, rssMiB: 69 },
    { transport: 'ws', baseMs: 15.2, spreadMs: 5, requests: 20, empty: 0, up: split(20 * 420, 100 * 6, 100 * 90), down: split(20 * 130, chatDelivered * 2, chatDelivered * 140), connectionsPeak: 20, cpuSeconds: 0.15, rssMiB: 66 },
  ]);
  const idle = scenario('idle', 'FIXTURE: 20 clients subscribed, nothing published: the cost of waiting.', 20, 0, [
    { transport: 'poll', baseMs: 0, spreadMs: 0, requests: 200, empty: 200, up: split(200 * 590, 0, 0), down: split(200 * 230, 0, 200 * 50), connectionsPeak: 20, cpuSeconds: 0.2, rssMiB: 65 },
    { transport: 'longpoll', baseMs: 0, spreadMs: 0, requests: 20, empty: 0, up: split(20 * 600, 0, 0), down: split(0, 0, 0), connectionsPeak: 20, cpuSeconds: 0.03, rssMiB: 66 },
    { transport: 'sse', baseMs: 0, spreadMs: 0, requests: 20, empty: 0, up: split(20 * 600, 0, 0), down: split(20 * 190, 0, 0), connectionsPeak: 20, cpuSeconds: 0.02, rssMiB: 65 },
    { transport: 'ws', baseMs: 0, spreadMs: 0, requests: 20, empty: 0, up: split(20 * 420, 0, 0), down: split(20 * 130, 0, 0), connectionsPeak: 20, cpuSeconds: 0.02, rssMiB: 64 },
  ]);
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: 'fixture-small',
    incomplete: false,
    context: {
      node: 'v20.19.5', os: 'Linux 6.1.0 x64', cpuModel: 'FIXTURE (made-up figures)', cores: 2, commit: null,
      date: '2026-11-22T02:30:00.000Z', pinned: false, machine: 'fixture: not a measurement',
    },
    config: {
      scenarios: ['chat', 'idle'], transports: ['poll', 'longpoll', 'sse', 'ws'], clients: 20, publishRatePerSecond: 0.5,
      durationSeconds: DURATION, warmupSeconds: 1, bodyBytes: 64, pollIntervalMs: POLL_MS, longPollWaitSeconds: 25,
      network: { name: 'broadband', rttMs: 2 * ONE_WAY }, headers: 'browser', quick: true, pin: false, clientProcesses: 2,
      argv: ['--quick'],
    },
    scenarios: [chat, idle],
    peers: {
      ratios: [
        { transport: 'poll', metric: 'requests/s at saturation', reference: 'node:http', ours: 51_000, theirs: 70_500, ratio: 51_000 / 70_500, target: '≥ 0.7', met: true, higherIsBetter: true },
        { transport: 'ws', metric: 'deliveries/s, 100 subscribers', reference: 'ws', ours: null, theirs: 250_000, ratio: null, reason: 'ours lost 3 messages', target: '≥ 0.9', met: null, higherIsBetter: true },
      ],
      errors: [],
    },
    errors: [],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('../fixtures/results-small.json', import.meta.url));
  writeFileSync(target, `${JSON.stringify(makeResultsFixture(), null, 2)}\n`);
  console.log(`wrote ${target}`);
}
