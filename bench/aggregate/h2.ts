/**
 * HTTP/2 figures from the clients' frame counters (`--http 2`): sums over
 * clients and workers, the window's difference, and per request — header
 * bytes after HPACK for each session's first request and for the rest (the
 * steady state), frame overhead per request. Pure math, tested with known values.
 */
import type { Http2Figures, Http2HeaderBytes } from '../../src/results/schema.ts';
import type { H2Counters, H2Direction, H2HeaderSample } from '../run/ipc.ts';
import { ratio } from './stats.ts';

export function emptyH2Direction(): H2Direction {
  return { preface: 0, frameHeaders: 0, headerBlocks: 0, data: 0, padding: 0, control: 0, tls: 0, frames: {} };
}

export function emptyH2Counters(): H2Counters {
  return {
    sessions: 0,
    up: emptyH2Direction(),
    down: emptyH2Direction(),
    first: { requests: 0, up: 0, down: 0 },
    rest: { requests: 0, up: 0, down: 0 },
    publishFirst: { requests: 0, up: 0, down: 0 },
    publishRest: { requests: 0, up: 0, down: 0 },
  };
}

function addDirection(into: H2Direction, more: H2Direction, sign: number): void {
  into.preface += sign * more.preface;
  into.frameHeaders += sign * more.frameHeaders;
  into.headerBlocks += sign * more.headerBlocks;
  into.data += sign * more.data;
  into.padding += sign * more.padding;
  into.control += sign * more.control;
  into.tls += sign * (more.tls ?? 0);
  for (const [type, count] of Object.entries(more.frames)) into.frames[type] = (into.frames[type] ?? 0) + sign * count;
}

function addSample(into: H2HeaderSample, more: H2HeaderSample): void {
  into.requests += more.requests;
  into.up += more.up;
  into.down += more.down;
}

/** Adds `more` into `into`; the first/rest samples are summed as they are (they are never windowed). */
export function addH2Counters(into: H2Counters, more: H2Counters): void {
  into.sessions += more.sessions;
  addDirection(into.up, more.up, 1);
  addDirection(into.down, more.down, 1);
  addSample(into.first, more.first);
  addSample(into.rest, more.rest);
  addSample(into.publishFirst, more.publishFirst);
  addSample(into.publishRest, more.publishRest);
}

/** The window: `up`/`down` of `after` less those of `before`; sessions and per-request samples are `after`'s. */
export function windowH2Counters(after: H2Counters, before: H2Counters | undefined): H2Counters {
  const up = emptyH2Direction();
  const down = emptyH2Direction();
  addDirection(up, after.up, 1);
  addDirection(down, after.down, 1);
  if (before) {
    addDirection(up, before.up, -1);
    addDirection(down, before.down, -1);
  }
  return {
    sessions: after.sessions,
    up: withoutZeros(up),
    down: withoutZeros(down),
    first: { ...after.first },
    rest: { ...after.rest },
    publishFirst: { ...after.publishFirst },
    publishRest: { ...after.publishRest },
  };
}

/** Frame types that did not occur in the window are left out of `frames`. */
function withoutZeros(direction: H2Direction): H2Direction {
  direction.frames = Object.fromEntries(Object.entries(direction.frames).filter(([, count]) => count !== 0));
  return direction;
}

/** Frame overhead: the 9-byte frame headers, control frame payloads (SETTINGS, WINDOW_UPDATE, PING, …), padding and the preface. */
export function frameOverhead(direction: H2Direction): number {
  return direction.preface + direction.frameHeaders + direction.control + direction.padding;
}

/** The result's `http2` section from the clients' counters (summed over workers, windowed) and the window's request count. */
export function http2Figures(counters: H2Counters, requests: number, connection: 'h2c' | 'tls' = 'h2c'): Http2Figures {
  const perRequest = (sample: H2HeaderSample): Http2HeaderBytes => ({
    requests: sample.requests,
    up: ratio(sample.up, sample.requests),
    down: ratio(sample.down, sample.requests),
    total: ratio(sample.up + sample.down, sample.requests),
  });
  const overhead = frameOverhead(counters.up) + frameOverhead(counters.down);
  const tls = counters.up.tls + counters.down.tls;
  return {
    connection,
    sessions: counters.sessions,
    headerBytesPerRequest: { first: perRequest(counters.first), steady: perRequest(counters.rest) },
    publishHeaderBytesPerRequest: { first: perRequest(counters.publishFirst), steady: perRequest(counters.publishRest) },
    frames: { up: counters.up, down: counters.down },
    frameOverheadBytes: overhead,
    frameOverheadPerRequest: ratio(overhead, requests),
    ...(connection === 'tls' ? { tlsRecordBytes: tls, tlsRecordBytesPerRequest: ratio(tls, requests) } : {}),
  };
}
