/**
 * What the textbook predicts for each transport's latency, next to what was
 * measured, derived from the path a message really takes in the bench.
 * d = one-way network delay, T = short-poll interval.
 *
 * Latency runs from a message's due time to its arrival at a subscriber, and
 * BOTH ends sit behind the delay proxy: the publisher's send goes up (one
 * transit, d) and the subscriber's copy comes down (another, d). So:
 * - SSE and WebSocket push on an open stream: ≈ 2d;
 * - short poll: the message waits at the server for the next poll, on
 *   average half an interval (RFC 6202 § 2.1): mean ≈ T/2 + 2d, worst ≈ T + 2d;
 * - long poll: a held request answers at once, ≈ 2d; a message that reaches
 *   the server while the last answer is still travelling waits for it to land
 *   and for the next request to come back up: up to one extra round trip
 *   (RFC 6202 § 2.2: three transits, four with the publisher's).
 * A publisher on HTTP/1.1 sends over at most six keep-alive connections (a
 * browser's limit per host), so the 7th message of a burst leaves only when
 * the 1st is answered: +2d per wave of six. WebSocket sends all on one socket,
 * and so does HTTP/2 (`--http 2`, `2-tls`): each publish is a stream of the
 * client's one session, all in flight at once (the bench's server allows
 * 100,000 streams a session, `--bench-limits`; a burst is at most 1,000), so
 * a burst has no waves there — and its sends reach the server in one read, so
 * a held long poll answers them together (`longPollLatencies`). Otherwise the
 * receive path is the same over h2: a short poll still waits for its
 * interval, a long poll's answer still goes down and its next request comes
 * back up (2d) on the same session, and an event stream is a stream that
 * stays open.
 * Long polling's queueing depends on when messages reach the server, so it
 * is worked out by replaying the scenario's schedule (pure arithmetic, no I/O).
 *
 * Two terms are the hosts' own, measured in the same run (never inferred
 * from the latency) and named in the formula with their values:
 * - D, the server's hand-out: the copies of one message leave one after
 *   another, so on average a copy waits about D/2 for those written before
 *   it (src/bus/fanout-clock.ts measures D from the dispatch to the end of
 *   the turn's writes). It applies where a publish writes copies at once — a
 *   pushed message, a long poll held when the message came; a short poll
 *   and a re-issued long poll are answered one request at a time.
 * - r, long polling's turnaround: a client writes its next request r after it
 *   read the answer (bench/sim/longpoll.ts measures it), so a re-issued
 *   request is held again 2d + r after its answer left, not 2d. r is small,
 *   but not nothing, and the replay needs it: with r = 0 exactly, messages
 *   25 ms apart against a 30 ms round trip fall into a lock-step that no
 *   client could keep (chat: 42.6 ms at r = 0, 44.7 ms at 10 µs, 45.0 ms at
 *   0.5 ms: the steady state, 3d, when every answer is awaited).
 */
import type { TheoryLatency, TransportName } from '../../src/results/schema.ts';

/** One publisher a subscriber hears from: message k is due at offset + k × period, `burstSize` at a time. */
export interface TheoryPublisher {
  periodMs: number;
  offsetMs: number;
  burstSize: number;
}

/** Publishes in flight at once per HTTP/1.1 publisher (bench/sim/client.ts `sendAgent`). */
export const HTTP_SEND_CONNECTIONS = 6;

/**
 * What carries the HTTP transports: HTTP/1.1 (the default) or HTTP/2 (`--http 2`, `2-tls`); ws is HTTP/1.1 either way.
 * And the hosts' measured terms (ms), where the run measured them: D (`fanoutMs`) and r (`reissueMs`).
 */
export interface TheoryPath {
  http2?: boolean;
  fanoutMs?: number;
  reissueMs?: number;
}

/** Sends in a wave before the next waits for an answer: six connections on HTTP/1.1, all at once on ws and h2. */
function wavesOfSends(transport: TransportName, path: TheoryPath): boolean {
  return transport !== 'ws' && path.http2 !== true;
}
/** Periods of the schedule replayed for long polling (the first is left out: it starts from an idle server). */
const REPLAY_PERIODS = 12;
const MAX_REPLAY_MESSAGES = 20_000;

/** The default path: one publisher, one message per second. */
const ONE_PUBLISHER: readonly TheoryPublisher[] = [{ periodMs: 1000, offsetMs: 0, burstSize: 1 }];

export interface Due {
  dueMs: number;
  /** When it reaches the server. */
  atServerMs: number;
}

/** The publisher's leg of message j of a burst: one transit, plus a round trip per wave of six sends on HTTP/1.1. */
export function publisherLegMs(transport: TransportName, d: number, indexInBurst: number, path: TheoryPath = {}): number {
  if (!wavesOfSends(transport, path)) return d;
  return d + 2 * d * Math.floor(indexInBurst / HTTP_SEND_CONNECTIONS);
}

function oneRound(transport: TransportName, d: number, publishers: readonly TheoryPublisher[], periods: number, path: TheoryPath): Due[] {
  const messages: Due[] = [];
  const period = Math.max(...publishers.map((publisher) => publisher.periodMs));
  for (const publisher of publishers) {
    const count = Math.max(1, Math.round((period * periods) / publisher.periodMs));
    for (let k = 0; k < count && messages.length < MAX_REPLAY_MESSAGES; k += 1) {
      const dueMs = publisher.offsetMs + k * publisher.periodMs;
      for (let j = 0; j < publisher.burstSize; j += 1) messages.push({ dueMs, atServerMs: dueMs + publisherLegMs(transport, d, j, path) });
    }
  }
  return messages.sort((a, b) => a.atServerMs - b.atServerMs);
}

/** How the long-poll replay runs: h2's one read (`sameRead`), the server's hand-out D and the client's turnaround r (ms). */
export interface LongPollReplay {
  sameRead?: boolean;
  fanoutMs?: number;
  reissueMs?: number;
}

/**
 * Long polling replayed for one subscriber. A message that finds a request
 * held at the server is answered at once, alone (the server answers on the
 * first message; others arriving in the same instant on other connections
 * come a moment later), its copy leaving after about D/2 of the hand-out; the
 * next request is held 2d + r after that (the answer goes down, the request
 * comes back up). A message that arrives before that waits, and every message
 * there by then goes in the returning request's answer, written as it comes:
 * one extra round trip for each message after the first of a burst (RFC 6202
 * § 2.2).
 *
 * `sameRead` (HTTP/2): messages that reach the server in the same instant
 * came as streams of one connection, in one read, so the server handles them
 * in one turn of its event loop — and a held long poll answers with
 * everything that arrived in that turn (src/transports/longpoll-waiter.ts):
 * they go down together, at 2d.
 * Returns each message's latency, in server-arrival order.
 */
export function longPollLatencies(arrivals: readonly Due[], d: number, replay: LongPollReplay = {}): number[] {
  const handOut = (replay.fanoutMs ?? 0) / 2;
  const cycle = 2 * d + (replay.reissueMs ?? 0);
  const latencies: number[] = [];
  let heldAt = -Infinity;
  let i = 0;
  while (i < arrivals.length) {
    const arrival = arrivals[i];
    if (arrival.atServerMs > heldAt) {
      const leavesAt = arrival.atServerMs + handOut;
      do {
        latencies.push(leavesAt + d - arrivals[i].dueMs);
        i += 1;
      } while (replay.sameRead === true && i < arrivals.length && arrivals[i].atServerMs === arrival.atServerMs);
      heldAt = leavesAt + cycle;
      continue;
    }
    const answerAt = heldAt;
    while (i < arrivals.length && arrivals[i].atServerMs <= answerAt) {
      latencies.push(answerAt + d - arrivals[i].dueMs);
      i += 1;
    }
    heldAt = answerAt + cycle;
  }
  return latencies;
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * The theory for a transport on a path: one-way delay d, poll interval T, and
 * the publishers one subscriber hears from (their schedule decides bursts and
 * how close together messages reach the server), over HTTP/1.1 or HTTP/2.
 */
export function theoryLatency(
  transport: TransportName,
  oneWayDelayMs: number,
  pollIntervalMs: number,
  publishers: readonly TheoryPublisher[] = ONE_PUBLISHER,
  path: TheoryPath = {},
): TheoryLatency {
  const d = oneWayDelayMs;
  const heard = publishers.length > 0 ? publishers : ONE_PUBLISHER;
  const burst = Math.max(...heard.map((publisher) => publisher.burstSize));
  const round1 = oneRound(transport, d, heard, 1, path);
  const legs = round1.map((message) => message.atServerMs - message.dueMs);
  const meanLeg = meanOf(legs);
  const maxLeg = Math.max(...legs);
  const waves = wavesOfSends(transport, path) && burst > HTTP_SEND_CONNECTIONS ? ` + 2d per ${HTTP_SEND_CONNECTIONS} sends of a burst` : '';
  // Over h2 a burst's sends are streams of one session: say why the waves are gone (and, for long polling, the wait).
  const h2Burst = path.http2 === true && transport !== 'ws';
  const streams = h2Burst && burst > HTTP_SEND_CONNECTIONS ? ' (h2: a burst\'s sends are streams of one session, no waves)' : '';
  const fanoutMs = path.fanoutMs ?? 0;
  const measured = measuredTerms(transport, path);
  switch (transport) {
    case 'poll':
      return {
        model: 'short-poll',
        oneWayDelayMs: d,
        pollIntervalMs,
        meanMs: round(meanLeg + pollIntervalMs / 2 + d),
        worstMs: round(maxLeg + pollIntervalMs + d),
        worstIsLowerBound: false,
        formula: `mean ≈ T/2 + 2d${waves}, worst ≈ T + 2d (RFC 6202)${streams}`,
      };
    case 'longpoll': {
      const all = oneRound(transport, d, heard, REPLAY_PERIODS, path);
      const latencies = longPollLatencies(all, d, { sameRead: path.http2 === true, fanoutMs, reissueMs: path.reissueMs });
      const period = Math.max(...heard.map((publisher) => publisher.periodMs));
      // Leave out the first period: it starts with a request already held everywhere.
      const steady = latencies.filter((_, i) => all[i].dueMs >= period);
      const mean = meanOf(steady.length > 0 ? steady : latencies);
      const queued = mean - meanLeg - d - fanoutMs / 2 > 0.05 * d;
      return {
        model: 'long-poll',
        oneWayDelayMs: d,
        meanMs: round(mean),
        worstMs: round(Math.max(maxLeg + 3 * d, ...latencies)),
        worstIsLowerBound: true,
        formula: `mean ≈ 2d${waves}${fanoutMs > 0 ? ' + D/2' : ''}${queued || (burst > 1 && !h2Burst) ? ` + 2d${path.reissueMs ? ' + r' : ''} for each message that waits for a re-issued request` : ''}, worst > 4d (RFC 6202)` +
          (h2Burst && burst > 1 ? ' (h2: a burst\'s sends are streams of one session, read in one turn: one answer)' : '') + measured.text,
        ...measured.terms,
      };
    }
    case 'sse':
    case 'ws':
      return {
        model: 'push',
        oneWayDelayMs: d,
        meanMs: round(meanLeg + d + fanoutMs / 2),
        worstMs: round(maxLeg + d + fanoutMs),
        worstIsLowerBound: false,
        formula: `mean ≈ 2d${waves}${fanoutMs > 0 ? ' + D/2' : ''} (up and down)${streams}${measured.text}`,
        ...measured.terms,
      };
  }
}

/** The measured terms a transport's theory used, as fields and as the formula's last words ("; D = 1.42 ms, r = 0.05 ms measured"). */
function measuredTerms(transport: TransportName, path: TheoryPath): { terms: Pick<TheoryLatency, 'fanoutMs' | 'reissueMs'>; text: string } {
  if (transport === 'poll') return { terms: {}, text: '' };
  const terms: Pick<TheoryLatency, 'fanoutMs' | 'reissueMs'> = {};
  const parts: string[] = [];
  if (path.fanoutMs !== undefined && path.fanoutMs > 0) {
    terms.fanoutMs = round(path.fanoutMs);
    parts.push(`D = ${path.fanoutMs.toFixed(2)} ms`);
  }
  if (transport === 'longpoll' && path.reissueMs !== undefined && path.reissueMs > 0) {
    terms.reissueMs = round(path.reissueMs);
    parts.push(`r = ${path.reissueMs.toFixed(2)} ms`);
  }
  return { terms, text: parts.length > 0 ? `; ${parts.join(', ')} measured` : '' };
}
