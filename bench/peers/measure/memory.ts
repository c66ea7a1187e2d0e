/**
 * Server RSS per idle subscribed client (ws, sse; `idleClients`) or per held
 * long poll (`heldClients`), on a freshly started server: VmRSS of the server
 * process before and after, divided by the clients. For long polls, then the
 * time from one publish until every held request has its answer. Each
 * contender is spoken to in its own protocol (the library references through
 * the same dialects as their fan-out, fanout.ts).
 */
import { nowMicros, stampedBody } from '../load/dialects.ts';
import type { WorkerConfig, WorkerReport } from '../load/messages.ts';
import { LoadProcess } from '../proc/load-process.ts';
import { readCpuSeconds } from '../proc/spawn-node.ts';
import type { ServerProcess } from '../proc/server-process.ts';
import { coresOver, MachineWindow, type OwnCpu } from '../proc/machine.ts';
import type { ContenderName, PeerConditions, PeerMeasurement, PeersSizes } from '../types.ts';
import { completedFigure, createSession, createSessions, formatCount, missingFigure, sleep, type MeasureContext } from './common.ts';
import { FANOUT_KINDS } from './fanout.ts';

export type IdleKind = 'ws' | 'sse' | 'longpoll';

export const MEMORY_METRICS: Record<IdleKind, string> = {
  ws: 'ws.idleRssPerConnection',
  sse: 'sse.idleRssPerConnection',
  longpoll: 'longpoll.rssPerHeld',
};
export const RELEASE_METRIC = 'longpoll.release';
export const RELEASE_CPU_METRIC = 'longpoll.releaseCpu';

const TOPIC = 'room:peers-idle';
/** Contenders that speak the lab's HTTP shapes: their held clients are the `held` role's. */
const LAB_HTTP: ContenderName[] = ['ours', 'node:http', 'sse'];

/** Clients of one memory run: idle ws/sse ones (`idleClients`, else `heldClients`) or held long polls. */
export function clientsFor(kind: IdleKind, sizes: PeersSizes): number {
  return kind === 'longpoll' ? sizes.heldClients : sizes.idleClients ?? sizes.heldClients;
}

function workerConfig(kind: IdleKind, contender: ContenderName, server: ServerProcess, token: string, count: number): WorkerConfig {
  const target = { host: server.host, port: server.port, token, topic: TOPIC };
  const plan = FANOUT_KINDS[kind].plans[contender];
  if (!plan) throw new Error(`${contender} has no ${kind} client`);
  if (plan.subscriber.role === 'subscribers') return { ...target, role: 'subscribers', dialect: plan.subscriber.dialect, count, concurrency: 100 };
  if (kind !== 'ws' && LAB_HTTP.includes(contender)) return { ...target, role: 'held', kind, count, concurrency: 100, waitSeconds: 60 };
  return { ...target, role: 'http-subscribers', dialect: plan.subscriber.dialect, count, concurrency: 100, waitSeconds: 60, once: true };
}

/** Opens `count` clients over as many load processes as the descriptor limit asks; all or an error. */
async function openClients(kind: IdleKind, contender: ContenderName, server: ServerProcess, tokens: string[], context: MeasureContext): Promise<LoadProcess[]> {
  const count = tokens.length;
  const processes = Math.max(1, Math.ceil(count / context.sizes.clientsPerProcess));
  const loads: LoadProcess[] = [];
  let first = 0;
  for (let i = 0; i < processes; i += 1) {
    const share = Math.floor(count / processes) + (i < count % processes ? 1 : 0);
    const mine = tokens.slice(first, first + share);
    first += share;
    loads.push(new LoadProcess(`${kind}-${i}`, workerConfig(kind, contender, server, mine[0], share), context.pin, mine));
  }
  try {
    const readies = await Promise.all(loads.map((load) => load.next('ready', 120_000)));
    const failed = readies.reduce((sum, ready) => sum + ready.failed, 0);
    if (failed > 0) throw new Error(`${formatCount(failed)} of ${formatCount(count)} clients failed: ${readies.find((ready) => ready.error)?.error ?? 'unknown'}`);
    return loads;
  } catch (error) {
    await Promise.all(loads.map((load) => load.stop()));
    throw error;
  }
}

/** Requests held right now, from our `/api/stats` or a reference's `{held}`; null when the server cannot tell (Faye, SockJS). */
async function heldNow(server: ServerProcess, token: string, kind: IdleKind): Promise<number | null> {
  const response = await fetch(`${server.url}/api/stats`, { headers: { authorization: `Bearer ${token}` } });
  const stats = (await response.json()) as { held?: number | null; transports?: Record<string, { heldRequests?: number }> };
  return stats.transports?.[kind]?.heldRequests ?? (stats.held === null ? null : stats.held ?? 0);
}

async function waitUntilHeld(server: ServerProcess, token: string, kind: IdleKind, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let held: number | null = 0;
  while (Date.now() < deadline) {
    held = await heldNow(server, token, kind);
    // A server that cannot count its held requests: every client said it is in the room, and the settle pause follows.
    if (held === null || held >= count) return;
    await sleep(200);
  }
  throw new Error(`only ${formatCount(held)} of ${formatCount(count)} requests held after 30 s`);
}

/** One fresh server's RSS per client of `kind`, and for long polls the release time. */
export async function measureMemory(kind: IdleKind, contender: ContenderName, server: ServerProcess, context: MeasureContext): Promise<PeerMeasurement[]> {
  const count = clientsFor(kind, context.sizes);
  const rssMetric = MEMORY_METRICS[kind];
  const workload = `${formatCount(count)} ${kind === 'longpoll' ? 'held long polls' : `idle subscribed ${kind} clients`}, ${Math.ceil(count / context.sizes.clientsPerProcess)} load process(es)`;
  // One session per client, as real users have (ours answers a second long poll
  // of one session at once); made before the baseline, so not counted per client.
  const token = await createSession(server, `peers-${kind}`);
  const tokens = await createSessions(server, `peers-${kind}`, count);
  // Warm the code path first so that lazily loaded code is not counted per client.
  const warmCount = Math.min(context.sizes.warmClients, count);
  if (warmCount > 0) {
    const warm = await openClients(kind, contender, server, tokens.slice(0, warmCount), context);
    await Promise.all(warm.map((load) => load.stop()));
  }
  await sleep(context.sizes.settleMs);
  // Both readings after a full GC (gc-hook.mjs): what the clients keep, not garbage not yet collected.
  await server.collectGarbage();
  const before = server.rssBytes();
  const loads = await openClients(kind, contender, server, tokens, context);
  try {
    if (kind !== 'ws') await waitUntilHeld(server, token, kind, count);
    await sleep(context.sizes.settleMs);
    await server.collectGarbage();
    const after = server.rssBytes();
    if (before === null || after === null) throw new Error('could not read the server RSS from /proc');
    const results = [completedFigure(rssMetric, contender, (after - before) / count, 'bytes', workload)];
    if (kind === 'longpoll') results.push(...(await measureRelease(contender, server, token, loads, count)));
    return results;
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
  }
}

/** Wall time from the publish to the last answer, and the server's CPU over that time. */
async function measureRelease(contender: ContenderName, server: ServerProcess, token: string, loads: LoadProcess[], count: number): Promise<PeerMeasurement[]> {
  const workload = `one publish releasing ${formatCount(count)} held long polls`;
  // The library references' clients count the release as a round of one message each (armed before the window opens).
  const rounds = !LAB_HTTP.includes(contender);
  if (rounds) {
    for (const load of loads) load.send({ type: 'round', round: RELEASE_ROUND, expectPerSubscriber: 1, recordLatency: false });
    await Promise.all(loads.map((load) => load.next('armed', 10_000)));
  }
  const window = new MachineWindow();
  const loadCpuBefore = loads.map((load) => load.cpuSeconds());
  const startedMs = performance.now();
  const cpuBefore = readCpuSeconds(server.pid);
  const startedAt = nowMicros();
  const response = await fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    // Stamped like every fan-out body: the library clients find deliveries by the stamp.
    body: JSON.stringify({ topic: TOPIC, body: stampedBody(startedAt, 100, 0) }),
  });
  if (response.status !== 201) {
    const reason = `publish answered ${response.status}`;
    return [missingFigure(RELEASE_METRIC, contender, 'ms', workload, reason), missingFigure(RELEASE_CPU_METRIC, contender, 'ms', workload, reason)];
  }
  const released = await Promise.all(loads.map((load) => releasedBy(load, rounds)));
  const received = released.reduce((sum, report) => sum + report.received, 0);
  const seconds = (Math.max(...released.map((report) => report.lastAt)) - startedAt) / 1e6;
  const cpuMicros = released.reduce((sum, report) => sum + report.cpuMicros, 0);
  const cpuAfter = readCpuSeconds(server.pid);
  const conditions = window.close(loadShare(loadCpuBefore, loads.map((load) => load.cpuSeconds()), (performance.now() - startedMs) / 1000, cpuBefore, cpuAfter));
  if (received < count) {
    const error = released.find((report) => report.error)?.error;
    const reason = `${formatCount(count - received)} of ${formatCount(count)} long polls not released${error ? `: ${error}` : ''}`;
    return [missingFigure(RELEASE_METRIC, contender, 'ms', workload, reason), missingFigure(RELEASE_CPU_METRIC, contender, 'ms', workload, reason)];
  }
  const cpu = cpuBefore !== null && cpuAfter !== null
    ? withConditions(completedFigure(RELEASE_CPU_METRIC, contender, (cpuAfter - cpuBefore) * 1000, 'ms', workload), conditions)
    : missingFigure(RELEASE_CPU_METRIC, contender, 'ms', workload, 'could not read the server CPU from /proc');
  return [withConditions(completedFigure(RELEASE_METRIC, contender, seconds * 1000, 'ms', workload, cpuMicros / count), conditions), cpu];
}

const RELEASE_ROUND = 1;

type Released = Extract<WorkerReport, { type: 'released' }>;

/** One load process's release: the held role's `released`, or a library client's round of one message. */
async function releasedBy(load: LoadProcess, rounds: boolean): Promise<Released> {
  if (!rounds) {
    try {
      return await load.next('released', 60_000);
    } catch {
      load.send({ type: 'report', round: 0 });
      return load.next('released', 5000);
    }
  }
  let round: Extract<WorkerReport, { type: 'round' }>;
  try {
    round = await load.next('round', 60_000);
  } catch {
    load.send({ type: 'report', round: RELEASE_ROUND });
    round = await load.next('round', 5000);
  }
  const clean = round.outOfOrder === 0 && round.minPerSubscriber >= 1;
  return {
    type: 'released', received: clean ? round.total : 0, failed: round.errors, lastAt: round.lastAt, cpuMicros: round.cpuMicros,
    ...(clean ? {} : { error: round.minPerSubscriber < 1 ? 'a client got nothing' : `${round.outOfOrder} out of order` }),
  };
}

/** A one-repeat figure carrying the conditions it was measured under. */
function withConditions(figure: PeerMeasurement, conditions: PeerConditions): PeerMeasurement {
  return figure.value === null ? figure : { ...figure, samples: [{ value: figure.value, conditions }] };
}

/** Our processes' CPU over the release window: the server's, all load processes', and the busiest one's in cores. */
function loadShare(before: (number | null)[], after: (number | null)[], wallSeconds: number, serverBefore: number | null, serverAfter: number | null): OwnCpu {
  const deltas = after.map((value, i) => (value === null || before[i] === null ? null : value - (before[i] ?? 0)));
  const readable = deltas.every((delta) => delta !== null);
  return {
    serverSeconds: serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : null,
    harnessSeconds: readable ? deltas.reduce<number>((sum, delta) => sum + (delta ?? 0), 0) : null,
    harnessCores: readable ? coresOver(Math.max(...deltas.map((delta) => delta ?? 0)), wallSeconds) : null,
  };
}
