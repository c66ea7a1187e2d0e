/**
 * The messages between the orchestrator (bench/run) and a client worker
 * process (bench/sim/worker.ts), over the `child_process.fork` IPC channel.
 * Times are `process.hrtime.bigint()` nanoseconds sent as decimal strings: the
 * clock is CLOCK_MONOTONIC, one clock for every process on the machine.
 */
import type { ByteSplit, TransportName } from '../../src/protocol/index.ts';
import type { DeliveryTally } from '../aggregate/index.ts';
import type { ClientSpec } from '../scenarios/types.ts';
import type { BodyKind } from '../sim/chat-body.ts';

export interface WorkerPlan {
  workerIndex: number;
  transport: TransportName;
  /** Where the clients connect: the server, or the delay proxy in front of it. */
  baseUrl: string;
  clients: ClientSpec[];
  /** Extra request headers of the HTTP transports (a header profile). */
  headers: Record<string, string>;
  bodyBytes: number;
  /** What the bodies hold (`--body`): filler by default. */
  body?: BodyKind;
  /** The seed chat bodies are drawn from (the run's `--seed`). */
  bodySeed?: number;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
  /** Give up on any single step (session, subscribe) after this long. */
  stepTimeoutMs: number;
  /** Short polls as the 2009 article's request, byte for byte, on a raw socket (bench/headers/replay-2009.ts). */
  replay2009?: boolean;
  /** Short polls with If-None-Match (`--conditional`). */
  conditional?: boolean;
  /** Accept compressed answers (`--compression`): Accept-Encoding gzip, permessage-deflate offered. */
  compression?: boolean;
  /** `--http 2`: the HTTP transports speak h2 to this address: `http://` h2c, `https://` h2 over TLS (the server's port, or a delay proxy in front of it). */
  h2Url?: string;
}

/** Orchestrator → worker. */
export type ToWorker =
  | { type: 'plan'; plan: WorkerPlan }
  /** Zero the counters now (the orchestrator then reads the server's): answered with `marked`. */
  | { type: 'mark' }
  | { type: 'go'; startNs: string; durationMs: number }
  /** Stop publishing now (Ctrl-C, a dead server): the worker answers `published` with what it sent. */
  | { type: 'abort' }
  | { type: 'expect'; lastSeq: Record<string, number>; drainMs: number }
  /** After `quiet`: the proxies are drained, read the counters now (answered with `report`). */
  | { type: 'count' }
  /** Close every client and forget the turn; answered with `hello`. */
  | { type: 'reset' }
  | { type: 'close' };

/** Counters a worker keeps since `go`. */
export interface WorkerCounters {
  deliveries: number;
  requests: number;
  emptyResponses: number;
  /** Long polls re-issued after an answer, and the summed time from reading the answer to writing the next request (µs). */
  reissues?: number;
  reissueMicros?: number;
  up: ByteSplit;
  down: ByteSplit;
  /** CRLF bytes inside the counted header bytes, where the client wrote the heads itself (the 2009 replay). */
  headerLineEnds?: number;
  /** `--http 2`: the clients' h2 sessions, frame by frame. */
  h2?: H2Counters;
}

/** One direction of h2 sessions, by what the bytes carry (src/net/h2-frames.ts FrameBytes). */
export interface H2Direction {
  preface: number;
  frameHeaders: number;
  headerBlocks: number;
  data: number;
  padding: number;
  control: number;
  /** Over TLS: TCP bytes less the h2 bytes they carried. */
  tls: number;
  /** Frames by type name. */
  frames: Record<string, number>;
}

/** HPACK header block bytes of some requests (request up, response down). */
export interface H2HeaderSample {
  requests: number;
  up: number;
  down: number;
}

/**
 * What the h2 sessions of some clients carried. `up`/`down` are windowed like
 * every counter (since `go`); the header samples are not: each session's first
 * request (the one that fills HPACK's dynamic tables) comes before the
 * measured phase, so they cover each session's whole life. Receive requests
 * and publishes are kept apart: a POST carries other headers than a GET, and
 * a mean over both would say more about the mix than about HPACK.
 */
export interface H2Counters {
  sessions: number;
  up: H2Direction;
  down: H2Direction;
  /** The receive path (polls, long polls, the event stream's open): each session's first such request… */
  first: H2HeaderSample;
  /** …and every later one (the steady state). */
  rest: H2HeaderSample;
  /** Publishes (requests with a body): each session's first one, and every later one. */
  publishFirst: H2HeaderSample;
  publishRest: H2HeaderSample;
}

/** Per topic: the highest seq the server acknowledged, and publishes that failed. */
export interface PublishTally {
  attempted: number;
  acknowledged: number;
  failed: number;
  lastSeq: Record<string, number>;
}

/** Worker → orchestrator. */
export type FromWorker =
  /** Sent once the worker listens (IPC messages sent before could be lost), and after each `reset`. */
  | { type: 'hello' }
  | { type: 'ready'; clients: number; sockets: number }
  | { type: 'marked' }
  /** After `expect`: the clients start no more requests; the worker waits for `count` before reading its counters. */
  | { type: 'quiet' }
  | { type: 'tick'; t: number; counters: WorkerCounters; latency: string }
  | { type: 'published'; tally: PublishTally }
  | {
      type: 'report';
      /** When the worker's clients stopped starting requests: the end of the window its counters cover. */
      stoppedNs: string;
      counters: WorkerCounters;
      deliveries: DeliveryTally;
      /** HDR histogram of latency in microseconds, compressed base64. */
      latency: string;
      cpuMicros: number;
      errors: string[];
    }
  | { type: 'failed'; message: string };

export function emptySplit(): ByteSplit {
  return { headers: 0, framing: 0, bodies: 0 };
}

export function emptyCounters(): WorkerCounters {
  return { deliveries: 0, requests: 0, emptyResponses: 0, up: emptySplit(), down: emptySplit(), headerLineEnds: 0 };
}
